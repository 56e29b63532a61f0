#!/usr/bin/env bash
# Cost per request, counted rather than timed: runs the ceiling and then the hub under valgrind's
# callgrind, sends GET /api/me with wrk for a fixed time, and reports user-space instructions and
# malloc calls per request (all threads; the kernel is not counted). Unlike req/s, these figures
# hardly move when other work shares the machine, so they show what a change to the request path
# is worth. Needs valgrind (apt install valgrind).
# Environment: BUILD_DIR (default build), BENCH_DURATION (default 10s), BENCH_SKIP_BUILD=1,
# BENCH_TOP (functions listed, default 15).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=64
PASSWORD=bench-password-not-secret-$$

cd "$ROOT"
command -v valgrind >/dev/null || { echo "bench: needs valgrind (apt install valgrind)" >&2; exit 1; }
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$BUILD" -j2 --target cohorthub bench_ceiling
fi
source "$ROOT/tests/bench/lib.sh"

# count NAME URL [wrk args...]: the server last started ($SERVER_PID, under callgrind) counts
# instructions only while wrk runs; prints "instructions/request malloc/request".
count() {
  local name=$1 url=$2 requests
  shift 2
  timeout 120 wrk -t1 -c16 -d2s "$@" "$url" >/dev/null  # warm up: caches, connections, statements
  callgrind_control -i on "$SERVER_PID" >/dev/null
  timeout 120 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "$@" "$url" >"$WORK/$name.wrk"
  callgrind_control -i off "$SERVER_PID" >/dev/null
  callgrind_control -d "$SERVER_PID" >/dev/null
  requests=$(awk '/requests in/ {print $1}' "$WORK/$name.wrk")
  [[ -n $requests && $requests -gt 0 ]] || die "no requests counted for $name: $(cat "$WORK/$name.wrk")"
  callgrind_annotate --tree=caller "$WORK/$name.cg.1" >"$WORK/$name.tree" 2>/dev/null
  awk -v n="$requests" '
    /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
    /^ *$/ { calls = 0; next }
    / < / { c = $0; sub(/.*\(/, "", c); sub(/x\).*/, "", c); gsub(",", "", c); if (c ~ /^[0-9]+$/) calls += c; next }
    /\*  .*malloc\.c:malloc / { mallocs = calls }
    END { printf "%d %.1f\n", total / n, mallocs / n }' "$WORK/$name.tree"
}

callgrind() {
  local name=$1
  shift
  start "$name" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/$name.cg" "$@"
}

callgrind ceiling "$BUILD/bench_ceiling" 0
read -r CEIL_IR CEIL_MALLOC < <(count ceiling "$SERVER_URL/api/me")
kill -TERM "$SERVER_PID"

DATA=$WORK/data
init_admin_data "$DATA" benchadmin "$PASSWORD"
# The token is made by a hub outside valgrind: scrypt under callgrind would take minutes.
start hub "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0
login_with_token "$SERVER_URL" benchadmin "$PASSWORD"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
callgrind hub "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0
read -r HUB_IR HUB_MALLOC < <(count hub "$SERVER_URL/api/me" -H "Authorization: Bearer $TOKEN")

cat <<EOF
## Cost per request under callgrind ($(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))

wrk \`-t1 -c$CONNECTIONS -d$DURATION\`; user-space instructions of every thread, divided by the requests answered.

| server | instructions/request | malloc calls/request |
|---|---:|---:|
| ceiling (bench_ceiling) | $CEIL_IR | $CEIL_MALLOC |
| hub \`GET /api/me\` (Bearer token, one DB read) | $HUB_IR | $HUB_MALLOC |

Hub functions by their own instructions:

\`\`\`
$(callgrind_annotate "$WORK/hub.cg.1" 2>/dev/null | sed -n '/file:function/,$p' | sed -n "3,$((2 + ${BENCH_TOP:-15}))p" |
  sed -E 's/ \[[^]]*\]$//' | cut -c1-150)
\`\`\`
EOF
