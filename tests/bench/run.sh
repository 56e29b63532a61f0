#!/usr/bin/env bash
# Foundation benchmark, one run, all on 127.0.0.1:
#   1. the ceiling: bench_ceiling (minimal one-thread Beast keep-alive server), wrk -t1 -c64;
#   2. the hub: GET /api/me with an API token on a fresh data dir, same wrk settings;
# then req/s, p99 and the ratio, plus the hub's RSS after start.
# Targets: /api/me >= 50% of the ceiling, p99 < 5 ms at 64 connections, RSS < 40 MB.
# Results go to stdout and, as markdown, to test-artifacts/bench-foundation.md.
# Environment: BUILD_DIR (default build), BENCH_DURATION (default 10s), BENCH_SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=64
OUT_MD=$ROOT/test-artifacts/bench-foundation.md
PASSWORD=bench-password-not-secret-$$

cd "$ROOT"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$BUILD" -j2 --target cohorthub bench_ceiling
fi

source "$ROOT/tests/bench/lib.sh"

rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# 1. The ceiling.
start ceiling "$BUILD/bench_ceiling" 0
measure ceiling "$SERVER_URL/api/me"
CEIL_RPS=$RPS CEIL_P99=$P99_MS
kill -TERM "$SERVER_PID"

# 2. The hub, on a fresh data dir with one admin and one API token.
DATA=$WORK/data
init_admin_data "$DATA" benchadmin "$PASSWORD"
start hub "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0
HUB_PID=$SERVER_PID
BASE=$SERVER_URL
sleep 0.5
HUB_RSS_START=$(rss_mb "$HUB_PID")

login_with_token "$BASE" benchadmin "$PASSWORD"
ME_STATUS=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/me")
[[ $ME_STATUS == 200 ]] || die "GET /api/me with the token gave $ME_STATUS"

measure hub "$BASE/api/me" -H "Authorization: Bearer $TOKEN"
HUB_RPS=$RPS HUB_P99=$P99_MS HUB_NON2XX=$NON2XX
HUB_RSS_AFTER=$(rss_mb "$HUB_PID")

RATIO=$(awk -v a="$HUB_RPS" -v b="$CEIL_RPS" 'BEGIN {printf "%.0f", 100 * a / b}')
verdict() { if awk "BEGIN {exit !($1)}"; then echo pass; else echo FAIL; fi; }
RATIO_OK=$(verdict "$RATIO >= 50")
P99_OK=$(verdict "$HUB_P99 < 5")
RSS_OK=$(verdict "$HUB_RSS_START < 40")
[[ $HUB_NON2XX == 0 ]] || P99_OK="FAIL ($HUB_NON2XX non-2xx)"

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
REPORT=$(cat <<EOF
## Foundation benchmark ($(date -u +%Y-%m-%d))

Machine: $(nproc) cores, $CPU, $(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM;
wrk \`-t1 -c$CONNECTIONS -d$DURATION --latency\` on the same machine, 127.0.0.1.

| server | req/s | p99 |
|---|---:|---:|
| ceiling (bench_ceiling, one thread) | $CEIL_RPS | $CEIL_P99 ms |
| hub \`GET /api/me\` (Bearer token) | $HUB_RPS | $HUB_P99 ms |

- /api/me is **$RATIO%** of the ceiling (target >= 50%): $RATIO_OK
- /api/me p99 **$HUB_P99 ms** (target < 5 ms): $P99_OK
- hub RSS after start **$HUB_RSS_START MB** (target < 40 MB): $RSS_OK; after the run $HUB_RSS_AFTER MB
EOF
)
echo "$REPORT"
mkdir -p "$(dirname "$OUT_MD")"
echo "$REPORT" >"$OUT_MD"
echo "bench: wrote $OUT_MD"
