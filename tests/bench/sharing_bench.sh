#!/usr/bin/env bash
# Sharing benchmarks, one run, all on 127.0.0.1:
#   1. closing a wave over 10k, 100k and 1M shared engagements (20 per member), noise on;
#      target: 100k rows from 5,000 members in < 2 s, growing linearly;
#   2. GET /api/rates (served from the published wave, in memory) against the ceiling
#      (bench_ceiling: a minimal one-thread Beast keep-alive server), wrk -t1 -c64;
#      target: >= 50% of the ceiling's req/s in the same run. Also GET /api/me with the same token,
#      to separate the cost of authentication (a DB lookup per request) from the endpoint's.
# Environment: BUILD_DIR (default build), BENCH_DURATION (default 10s), BENCH_ROWS (default
# "10000 100000 1000000"), BENCH_SKIP_BUILD=1. Needs cmake -DCOHORTHUB_BENCH=ON for bench_ceiling.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
DURATION=${BENCH_DURATION:-10s}
ROWS=${BENCH_ROWS:-"10000 100000 1000000"}
PASSWORD=bench-password-not-secret-$$
cd "$ROOT"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$BUILD" -j2 --target cohorthub bench_ceiling bench_sharing_wave_close
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== wave close (noise on)"
# shellcheck disable=SC2086
"$BUILD/bench_sharing_wave_close" $ROWS

port_of() { # waits for "listening on http://HOST:PORT" in $1
  for _ in $(seq 100); do
    if grep -q 'listening on' "$1" 2>/dev/null; then sed -n 's/.*:\([0-9]*\)$/\1/p' "$1" | head -1; return; fi
    sleep 0.1
  done
  echo "no listening line in $1" >&2; exit 1
}

echo "== ceiling"
"$BUILD/bench_ceiling" 0 > "$WORK/ceiling.out" 2>&1 &
PIDS+=($!)
CEIL_PORT=$(port_of "$WORK/ceiling.out")
CEIL=$(wrk -t1 -c64 -d"$DURATION" "http://127.0.0.1:$CEIL_PORT/" | awk '/Requests\/sec/ {print $2}')
echo "ceiling req/s: $CEIL"

echo "== GET /api/rates"
DATA="$WORK/data"
"$BUILD/cohorthub" init --data-dir "$DATA" > /dev/null
COHORTHUB_ADMIN_PASSWORD=$PASSWORD "$BUILD/cohorthub" admin create-admin --data-dir "$DATA" --handle bench > /dev/null
COHORTHUB_SERVER_MAX_CONNECTIONS_PER_IP=0 COHORTHUB_LOG_ACCESS=false "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0 > "$WORK/hub.out" 2>&1 &
PIDS+=($!)
HUB_PORT=$(port_of "$WORK/hub.out")
BASE="http://127.0.0.1:$HUB_PORT"
COOKIES="$WORK/cookies"
curl -sf -c "$COOKIES" -H 'content-type: application/json' -H "origin: $BASE" \
  -d "{\"handle\":\"bench\",\"password\":\"$PASSWORD\"}" "$BASE/api/login" > /dev/null
curl -sf -b "$COOKIES" -H 'content-type: application/json' -H "origin: $BASE" -X POST "$BASE/api/waves/close" > /dev/null
TOKEN=$(curl -sf -b "$COOKIES" -H 'content-type: application/json' -H "origin: $BASE" -d '{"name":"bench"}' \
  "$BASE/api/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/rates" | head -c 120; echo
RATES=$(wrk -t1 -c64 -d"$DURATION" -H "Authorization: Bearer $TOKEN" "$BASE/api/rates" | awk '/Requests\/sec/ {print $2}')
echo "GET /api/rates req/s: $RATES"
ME=$(wrk -t1 -c64 -d"$DURATION" -H "Authorization: Bearer $TOKEN" "$BASE/api/me" | awk '/Requests\/sec/ {print $2}')
echo "GET /api/me req/s (the same authentication, no sharing code): $ME"
awk -v r="$RATES" -v c="$CEIL" -v m="$ME" 'BEGIN {
  printf "ratio: %.1f%% of the ceiling (target >= 50%%); %.1f%% of /api/me\n", 100 * r / c, 100 * r / m }'
