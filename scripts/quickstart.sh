#!/usr/bin/env bash
# Quick start: installs what is missing, builds, creates ./data with a demo cohort, and serves it.
# Stop it with Ctrl-C. COHORTHUB_LISTEN=HOST:PORT picks another address (default 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
echo "==> building (the first build takes a few minutes)"
# A unity build, batched as the test command's is: quicker, and the same batches the test suite
# compiles, so a file that only builds beside its batch-mates cannot pass CI and break here.
COHORTHUB_BUILD_TYPE=RelWithDebInfo scripts/build.sh build -DCOHORTHUB_TESTS=OFF -DCOHORTHUB_BENCH=OFF \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16

data="${COHORTHUB_DATA_DIR:-./data}"
build/cohorthub init --data-dir "$data" --demo >/dev/null
listen="${COHORTHUB_LISTEN:-127.0.0.1:8080}"

log="$data/serve.log"
build/cohorthub serve --data-dir "$data" --listen "$listen" >"$data/serve.out" 2>"$log" &
hub=$!
trap 'kill -TERM $hub 2>/dev/null; wait $hub' INT TERM
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on //p' "$data/serve.out" 2>/dev/null | head -1)
  [[ -n "$url" ]] && break
  if ! kill -0 $hub 2>/dev/null; then
    echo "cohorthub did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

cat <<MSG

  cohorthub is running with a demo cohort.

  Open:  $url

$(sed 's/^/  /' "$data/demo-logins.txt")

  Log in as ada (admin) to create invites, or as sam (member) to see the cohort.
  Data: $data    Access log: $log    Stop: Ctrl-C

MSG
wait $hub
