#!/usr/bin/env bash
# Template benchmarks, one run, all on 127.0.0.1 (issue 11's targets):
#   1. the ceiling: bench_ceiling (minimal one-thread Beast keep-alive server), wrk -t1 -c$CONNECTIONS;
#   2. HTML render of a 20-field template (POST /api/templates/{slug}/render), wrk with a Lua body:
#      target p99 < 10 ms;
#   3. PDF of a two-page document, one at a time with curl: target < 1.5 s each (the first PDF
#      starts the WeasyPrint worker and is reported apart);
#   4. GET /api/me while four PDFs are queued (four curl loops asking for PDFs all along):
#      target p99 < 10 ms.
# Results go to stdout and, as markdown, to test-artifacts/bench-templates.md.
# Environment: BUILD_DIR (default build), BENCH_DURATION (default 10s), BENCH_SKIP_BUILD=1,
# CEILING_BIN (default $BUILD_DIR/bench_ceiling, for a hub build made without COHORTHUB_BENCH).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=16
OUT_MD=$ROOT/test-artifacts/bench-templates.md
PASSWORD=bench-password-not-secret-$$

cd "$ROOT"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$BUILD" -j2 --target cohorthub bench_ceiling
fi
source "$ROOT/tests/bench/lib.sh"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
verdict() { if awk "BEGIN {exit !($1)}"; then echo pass; else echo FAIL; fi; }

# 1. The ceiling.
start ceiling "${CEILING_BIN:-$BUILD/bench_ceiling}" 0
measure ceiling "$SERVER_URL/healthz"
CEIL_RPS=$RPS CEIL_P99=$P99_MS
kill -TERM "$SERVER_PID"

# 2. The hub, a fresh data dir, one admin with a token, and a released 20-field template.
DATA=$WORK/data
init_admin_data "$DATA" benchadmin "$PASSWORD"
COHORTHUB_LOG_ACCESS=false COHORTHUB_TEMPLATES_PDF_QUEUE=4 start hub "$BUILD/cohorthub" serve --data-dir "$DATA" --listen 127.0.0.1:0
BASE=$SERVER_URL
login_with_token "$BASE" benchadmin "$PASSWORD"
api() { curl -sS --max-time 60 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

FIELDS="" BODY="# Twenty fields\n\n" VALUES=""
for i in $(seq 1 20); do
  FIELDS+="  - {name: f$i, type: text, label: Field $i, required: true}\n"
  BODY+="Field $i is **{{f$i}}**.\n\n"
  VALUES+="\"f$i\":\"value number $i, with *markdown* and <html>\"${i:+,}"
done
VALUES="{${VALUES%,}}"
CONTENT=$(printf -- "---\ntitle: Twenty\nfields:\n${FIELDS}---\n${BODY}")
jq -n --arg c "$CONTENT" '{slug:"twenty", content:$c, license:"CC0-1.0"}' >"$WORK/create.json"
api -d @"$WORK/create.json" -o "$WORK/created.json" "$BASE/api/templates"
api -d '{"version":"1.0.0"}' -o /dev/null "$BASE/api/templates/twenty/releases"
RENDER_BODY="{\"fields\":$VALUES}"
STATUS=$(api -d "$RENDER_BODY" -o "$WORK/render.html" -w '%{http_code}' "$BASE/api/templates/twenty/render")
[[ $STATUS == 200 ]] || die "render: $STATUS $(cat "$WORK/render.html")"
cat >"$WORK/render.lua" <<LUA
wrk.method = "POST"
wrk.body = '$RENDER_BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
measure render "$BASE/api/templates/twenty/render" -s "$WORK/render.lua"
RENDER_RPS=$RPS RENDER_P99=$P99_MS RENDER_NON2XX=$NON2XX

# 3. PDFs of a two-page document, one at a time.
LONG=$(for i in $(seq 1 35); do printf 'Paragraph %d of the terms, long enough to fill a line or two on the page.\\n\\n' "$i"; done)
PDF_CONTENT=$(printf -- "---\ntitle: Two pages\nfields:\n  - {name: client, type: text, label: Client, required: true}\n---\n# For {{client}}\n\n${LONG}")
jq -n --arg c "$PDF_CONTENT" '{slug:"two-pages", content:$c, license:"CC0-1.0"}' >"$WORK/create2.json"
api -d @"$WORK/create2.json" -o /dev/null "$BASE/api/templates"
PDF_BODY='{"fields":{"client":"ACME"},"format":"pdf"}'
PDF_TIMES=()
for i in $(seq 1 6); do
  T=$(api -d "$PDF_BODY" -o "$WORK/doc.pdf" -w '%{http_code} %{time_total}' "$BASE/api/templates/two-pages/render")
  [[ ${T%% *} == 200 ]] || die "pdf: $T"
  PDF_TIMES+=("${T#* }")
done
PAGES=$(pdfinfo "$WORK/doc.pdf" | awk '/^Pages:/ {print $2}')
FIRST_PDF=${PDF_TIMES[0]}
WARM=$(printf '%s\n' "${PDF_TIMES[@]:1}" | sort -n)
WARM_MAX=$(echo "$WARM" | tail -n1)
WARM_MEDIAN=$(echo "$WARM" | sed -n 3p)

# 4. GET /api/me while four PDFs are always queued.
pdf_loop() { while [[ -e $WORK/pdf-loop ]]; do api -d "$PDF_BODY" -o /dev/null "$BASE/api/templates/two-pages/render" || true; done; }
touch "$WORK/pdf-loop"
LOOPS=()
for _ in 1 2 3 4; do pdf_loop & LOOPS+=("$!"); PIDS+=("$!"); done
sleep 1
DEPTH=$(curl -sS -H "Authorization: Bearer $TOKEN" "$BASE/metrics" | awk '/^cohorthub_pdf_queue_depth/ {print $2}')
measure me "$BASE/api/me" -H "Authorization: Bearer $TOKEN"
ME_RPS=$RPS ME_P99=$P99_MS
rm -f "$WORK/pdf-loop"
for pid in "${LOOPS[@]}"; do wait "$pid" 2>/dev/null || true; done
measure me_quiet "$BASE/api/me" -H "Authorization: Bearer $TOKEN"
QUIET_RPS=$RPS QUIET_P99=$P99_MS

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
REPORT=$(cat <<EOF2
## Templates benchmark ($(date -u '+%Y-%m-%d %H:%M') UTC)

Machine: $(nproc) cores, $CPU, $(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM;
load average at the start $LOAD_AT_START. Hub build: \`$BUILD\`; ceiling: \`${CEILING_BIN:-$BUILD/bench_ceiling}\`. Command:
\`BUILD_DIR=$BUILD tests/bench/templates_run.sh\` (wrk \`-t1 -c$CONNECTIONS -d$DURATION --latency\`).

| what | req/s | p99 | target |
|---|---:|---:|---|
| ceiling (bench_ceiling, one thread) | $CEIL_RPS | $CEIL_P99 ms | |
| HTML render, 20 fields (POST, Bearer) | $RENDER_RPS | $RENDER_P99 ms | p99 < 10 ms: $(verdict "$RENDER_P99 < 10") (non-2xx: $RENDER_NON2XX) |
| \`GET /api/me\` while 4 PDFs queue (queue depth seen: ${DEPTH:-?}) | $ME_RPS | $ME_P99 ms | p99 < 10 ms: $(verdict "$ME_P99 < 10") |
| \`GET /api/me\`, no PDFs | $QUIET_RPS | $QUIET_P99 ms | |

PDF of a $PAGES-page document, one at a time: first (starts the worker) ${FIRST_PDF} s; then median
${WARM_MEDIAN} s, max ${WARM_MAX} s (target < 1.5 s each: $(verdict "$WARM_MAX < 1.5")).
EOF2
)
echo "$REPORT"
mkdir -p "$(dirname "$OUT_MD")"
echo "$REPORT" >"$OUT_MD"
echo "bench: wrote $OUT_MD"
