#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs them side by side, each for FUZZ_SECONDS
# (default 20): all at once, so the wall time is one harness's time whatever their number.
set -euo pipefail
cd "$(dirname "$0")/../.."
CXX=clang++ cmake -S tests/fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
names=$(cd build-fuzz && for f in fuzz_*; do [ -x "$f" ] && [ -f "$f" ] && echo "${f#fuzz_}"; done)
[ -n "$names" ] || { echo "no fuzz harness was built in build-fuzz/" >&2; exit 1; }
logs=$(mktemp -d)
for name in $names; do
  work="$logs/$name.corpus"
  mkdir -p "$work"
  cp tests/fuzz/corpus/$name/* "$work"/
  echo "fuzz_$name: ${FUZZ_SECONDS:-20} s"
  build-fuzz/fuzz_$name -max_total_time="${FUZZ_SECONDS:-20}" -max_len=4096 -print_final_stats=1 "$work" \
    >"$logs/$name.log" 2>&1 &
done
wait || true  # libFuzzer exits non-zero on a finding: the logs say which
found=0
for name in $names; do
  grep -E "stat::number_of_executed_units|ERROR|SUMMARY" "$logs/$name.log" | sed "s/^/fuzz_$name: /" || true
  if grep -q "ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error" "$logs/$name.log"; then
    echo "fuzz_$name found a crash; its log follows" >&2
    tail -50 "$logs/$name.log" >&2
    found=1
  fi
done
rm -rf "$logs"
exit $found
