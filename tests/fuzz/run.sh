#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs them for 2 x FUZZ_SECONDS (default 20) in all:
# the request parsers 40% each, the mrkdwn conversion (bridge/slack) the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."
CXX=clang++ cmake -S tests/fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
total=$((2 * ${FUZZ_SECONDS:-20}))
for name in json_body request_parts mrkdwn; do
  seconds=$((total * 2 / 5))
  [ "$name" = mrkdwn ] && seconds=$((total - 2 * (total * 2 / 5)))
  [ "$seconds" -lt 1 ] && seconds=1
  work=$(mktemp -d)
  cp tests/fuzz/corpus/$name/* "$work"/
  echo "fuzz_$name: $seconds s"
  build-fuzz/fuzz_$name -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$work" 2>&1 |
    tee "$work.log" | grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || true
  # libFuzzer exits non-zero on a finding; pipefail would hide which one, so check the log.
  if grep -q "ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error" "$work.log"; then
    echo "fuzz_$name found a crash; see the lines above" >&2
    exit 1
  fi
  rm -rf "$work" "$work.log"
done
