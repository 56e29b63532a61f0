# Shared by the benchmark scripts (source it after setting CONNECTIONS and DURATION):
# a work directory and process list cleaned up on exit, die, start and measure.
# shellcheck shell=bash
# Every benchmark client connects from loopback: the per-address cap would measure itself.
export COHORTHUB_SERVER_MAX_CONNECTIONS_PER_IP=0
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench: $*" >&2; exit 1; }

# start NAME CMD...: runs CMD in the background; sets SERVER_PID and SERVER_URL from its first
# stdout line "listening on http://HOST:PORT".
start() {
  local name=$1 line=""
  shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do
    line=$(head -n1 "$WORK/$name.out" 2>/dev/null || true)
    [[ $line == "listening on http://"* ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "$name exited: $(cat "$WORK/$name.err")"
    sleep 0.1
  done
  [[ $line == "listening on http://"* ]] || die "$name did not report its address"
  SERVER_URL=${line#listening on }
  SERVER_URL=${SERVER_URL%%/}
  [[ $SERVER_URL == http://127.0.0.1:* ]] || die "$name listens on $SERVER_URL, not loopback"
}

# measure NAME URL [wrk args...]: runs wrk; sets RPS, P99_MS and NON2XX from its output.
measure() {
  local name=$1 url=$2
  shift 2
  timeout 60 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$WORK/$name.wrk"
  RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/$name.wrk")
  P99_MS=$(awk '$1 == "99%" {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v) }
      else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
      printf "%.2f", v }' "$WORK/$name.wrk")
  NON2XX=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/$name.wrk")
  NON2XX=${NON2XX:-0}
  [[ -n $RPS && -n $P99_MS ]] || die "could not parse wrk output for $name: $(cat "$WORK/$name.wrk")"
}

# init_admin_data DIR HANDLE PASSWORD: a fresh data directory with one admin ($BUILD/cohorthub).
init_admin_data() {
  local dir=$1 handle=$2 password=$3
  "$BUILD/cohorthub" init --data-dir "$dir" >"$WORK/init.log" 2>&1 || die "init failed: $(cat "$WORK/init.log")"
  COHORTHUB_ADMIN_PASSWORD=$password "$BUILD/cohorthub" admin create-admin --data-dir "$dir" --handle "$handle" \
    >"$WORK/admin.log" 2>&1 || die "create-admin failed: $(cat "$WORK/admin.log")"
}

# login_with_token BASE HANDLE PASSWORD: logs in (cookie jar $WORK/cookies) and creates an API
# token; sets TOKEN.
login_with_token() {
  local base=$1 handle=$2 password=$3 status
  status=$(curl -sS --max-time 10 -c "$WORK/cookies" -H 'Content-Type: application/json' -H "Origin: $base" \
    -d "{\"handle\":\"$handle\",\"password\":\"$password\"}" -o "$WORK/login.json" -w '%{http_code}' "$base/api/login")
  [[ $status == 2* ]] || die "login failed: $status $(cat "$WORK/login.json")"
  curl -sS --max-time 10 -b "$WORK/cookies" -H 'Content-Type: application/json' -H "Origin: $base" \
    -d '{"name":"bench"}' -o "$WORK/token.json" "$base/api/tokens"
  TOKEN=$(jq -r '.token // empty' "$WORK/token.json")
  [[ -n $TOKEN ]] || die "no API token: $(cat "$WORK/token.json")"
}
