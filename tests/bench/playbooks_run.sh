#!/usr/bin/env bash
# Playbook benchmarks, one run, all on 127.0.0.1:
#   1. bench_playbooks: save / diff / search latencies in process (see playbooks_bench.cpp);
#   2. the ceiling: bench_ceiling (minimal one-thread Beast keep-alive server), wrk -t1 -c64;
#   3. the hub: GET /api/playbooks/pitching-a-retainer (a starter playbook, served from the view
#      cache) with an API token on a fresh data dir, same wrk settings.
# Targets: save, diff and search p99 < 20 ms; the view >= 50% of the ceiling's req/s.
# Results go to stdout and, as markdown, to test-artifacts/bench-playbooks.md.
# Environment: BUILD_DIR (default build), BENCH_DURATION (default 10s), BENCH_SKIP_BUILD=1,
# BENCH_QUICK=1 (a smaller in-process run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=64
OUT_MD=$ROOT/test-artifacts/bench-playbooks.md
PASSWORD=bench-password-not-secret-$$
SLUG=pitching-a-retainer

cd "$ROOT"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$BUILD" -j2 --target cohorthub bench_ceiling bench_playbooks
fi

source "$ROOT/tests/bench/lib.sh"

verdict() { if awk "BEGIN {exit !($1)}"; then echo pass; else echo FAIL; fi; }

# 1. In process.
IN_PROCESS_OK=pass
"$BUILD/bench_playbooks" ${BENCH_QUICK:+--quick} >"$WORK/inprocess.md" || IN_PROCESS_OK=FAIL
IN_PROCESS=$(cat "$WORK/inprocess.md")

# 2. The ceiling.
start ceiling "$BUILD/bench_ceiling" 0
measure ceiling "$SERVER_URL/api/playbooks/$SLUG"
CEIL_RPS=$RPS CEIL_P99=$P99_MS
kill -TERM "$SERVER_PID"

# 3. The hub, on a fresh data dir (init imports the starter playbooks), one admin and one token.
DATA=$WORK/data
init_admin_data "$DATA" benchadmin "$PASSWORD"
COHORTHUB_LOG_ACCESS=false start hub "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0
BASE=$SERVER_URL
login_with_token "$BASE" benchadmin "$PASSWORD"
VIEW_BYTES=$(curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" "$BASE/api/playbooks/$SLUG" | wc -c)
[[ $VIEW_BYTES -gt 1000 ]] || die "GET /api/playbooks/$SLUG returned $VIEW_BYTES bytes"

measure hub "$BASE/api/playbooks/$SLUG" -H "Authorization: Bearer $TOKEN"
HUB_RPS=$RPS HUB_P99=$P99_MS HUB_NON2XX=$NON2XX
# For reference, the hub's own floor in the same run: a route with no auth and no DB work.
measure healthz "$BASE/healthz"
FLOOR_RPS=$RPS FLOOR_P99=$P99_MS
FLOOR_RATIO=$(awk -v a="$HUB_RPS" -v b="$FLOOR_RPS" 'BEGIN {printf "%.0f", 100 * a / b}')
RATIO=$(awk -v a="$HUB_RPS" -v b="$CEIL_RPS" 'BEGIN {printf "%.0f", 100 * a / b}')
RATIO_OK=$(verdict "$RATIO >= 50")
[[ $HUB_NON2XX == 0 ]] || RATIO_OK="FAIL ($HUB_NON2XX non-2xx)"

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
REPORT=$(cat <<EOF2
## Playbooks benchmark ($(date -u +%Y-%m-%d))

Machine: $(nproc) cores, $CPU, $(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM;
load average at the start $(cut -d' ' -f1-3 /proc/loadavg). Command: \`tests/bench/playbooks_run.sh\`.

In process, through \`Hub::service()\` (router, auth, DB executor with group commit, CPU pool; no sockets):

$IN_PROCESS

Viewing a playbook over HTTP (wrk \`-t1 -c$CONNECTIONS -d$DURATION --latency\`, 127.0.0.1, Bearer token;
the body is the $VIEW_BYTES-byte JSON of \`$SLUG\` with its cached HTML):

| server | req/s | p99 |
|---|---:|---:|
| ceiling (bench_ceiling, one thread) | $CEIL_RPS | $CEIL_P99 ms |
| hub \`GET /api/playbooks/$SLUG\` | $HUB_RPS | $HUB_P99 ms |
| hub \`GET /healthz\` (no auth, no DB: the pipeline's floor) | $FLOOR_RPS | $FLOOR_P99 ms |

- the view is **$RATIO%** of the ceiling (target >= 50%): $RATIO_OK
- the view is $FLOOR_RATIO% of \`/healthz\` in the same run (what the view itself costs on top of the pipeline)
- in-process targets: $IN_PROCESS_OK
EOF2
)
echo "$REPORT"
mkdir -p "$(dirname "$OUT_MD")"
echo "$REPORT" >"$OUT_MD"
echo "bench: wrote $OUT_MD"
