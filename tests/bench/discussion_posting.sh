#!/usr/bin/env bash
# Discussion posting benchmark (issue 5): sustained POST /api/channels/{id}/messages through the
# HTTP API with group commit (wrk -t2 -c64, a unique body per request, Bearer token), then kill -9
# the hub and check that every acknowledged (2xx) message is in the database. Target >= 5,000/s.
# For scale, the same wrk settings against bench_ceiling (the minimal Beast server) in the same run.
# Writes test-artifacts/bench-discussion-posting.md. Environment: BUILD_DIR, BENCH_DURATION (10s).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=64
source "$ROOT/tests/bench/lib.sh"

cat >"$WORK/post.lua" <<'LUA'
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id); table.insert(threads, thread) end
function request()
  counter = counter + 1
  return wrk.format("POST", wrk.path, nil, '{"body":"bench ' .. tid .. '-' .. counter .. ' **sustained** posting"}')
end
LUA

start ceiling "$BUILD/bench_ceiling" 0
wrk -t2 -c64 -d"$DURATION" -s "$WORK/post.lua" -H 'Content-Type: application/json' "$SERVER_URL/x" >"$WORK/ceiling.wrk"
kill -TERM "$SERVER_PID"
CEIL_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/ceiling.wrk")

export COHORTHUB_AUTH_SCRYPT_LOG2_N=12 COHORTHUB_TEST_INSECURE_SCRYPT=1 COHORTHUB_LOG_ACCESS=false
export COHORTHUB_DISCUSSION_POST_BURST=1000000 COHORTHUB_DISCUSSION_POSTS_PER_MINUTE=60000000
DATA=$WORK/data
init_admin_data "$DATA" bench bench-password-not-secret
start hub "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0
HUB_PID=$SERVER_PID BASE=$SERVER_URL
login_with_token "$BASE" bench bench-password-not-secret
CHANNEL=$(curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$BASE/api/channels" | jq -r .channel.id)
[[ $CHANNEL =~ ^[0-9]+$ ]] || die "no channel"

wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/post.lua" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $TOKEN" "$BASE/api/channels/$CHANNEL/messages" >"$WORK/hub.wrk"
kill -KILL "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/hub.wrk")
TOTAL=$(awk '/requests in/ {print $1}' "$WORK/hub.wrk")
NON2XX=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/hub.wrk"); NON2XX=${NON2XX:-0}
P99=$(awk '$1 == "99%" {print $2}' "$WORK/hub.wrk")
ACKED=$((TOTAL - NON2XX))
STORED=$(sqlite3 "$DATA/cohorthub.db" "SELECT count(*) FROM messages")
EVENTS=$(sqlite3 "$DATA/cohorthub.db" "SELECT count(*) FROM events")
RATE_OK=$(awk -v r="$RPS" 'BEGIN {print (r >= 5000) ? "pass" : "FAIL"}')
DURABLE_OK=$([[ $STORED -ge $ACKED && $EVENTS -eq $STORED ]] && echo pass || echo FAIL)
REPORT=$(cat <<MD
## Discussion posting benchmark ($(date -u +%Y-%m-%d))

Machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); wrk \`-t2 -c64 -d$DURATION\` on the same machine.
Command: \`BUILD_DIR=$BUILD tests/bench/discussion_posting.sh\`

| server | req/s |
|---|---:|
| ceiling (bench_ceiling, a POST answered without work) | $CEIL_RPS |
| hub \`POST /api/channels/{id}/messages\` (Markdown render, insert, event, group commit) | $RPS (p99 $P99) |

- sustained posting **$RPS messages/s** (target >= 5,000): $RATE_OK; non-2xx $NON2XX
- after \`kill -9\`: $ACKED acknowledged, $STORED stored, $EVENTS events: every acknowledged one durable: $DURABLE_OK
MD
)
echo "$REPORT"
mkdir -p "$ROOT/test-artifacts"
echo "$REPORT" >"$ROOT/test-artifacts/bench-discussion-posting.md"
