#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs each for FUZZ_SECONDS (default 20).
set -euo pipefail
cd "$(dirname "$0")/../.."
CXX=clang++ cmake -S tests/fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
for name in json_body request_parts; do
  work=$(mktemp -d)
  cp tests/fuzz/corpus/$name/* "$work"/
  echo "fuzz_$name: ${FUZZ_SECONDS:-20} s"
  build-fuzz/fuzz_$name -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 -print_final_stats=1 "$work" 2>&1 |
    tee "$work.log" | grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || true
  # libFuzzer exits non-zero on a finding; pipefail would hide which one, so check the log.
  if grep -q "ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error" "$work.log"; then
    echo "fuzz_$name found a crash; see the lines above" >&2
    exit 1
  fi
  rm -rf "$work" "$work.log"
done
