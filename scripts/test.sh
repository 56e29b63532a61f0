#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with UBSan (AddressSanitizer too with
# COHORTHUB_TEST_SANITIZERS=address,undefined), then runs the integration and browser tests
# (node:test, real server, headless Chromium) and the Catch2 unit tests (CTest) against that
# build, and fuzzes the request parsers under ASan for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# phase NAME: announces the next phase with the time spent so far, so slow phases show in CI logs.
phase() { echo "==> $1 (at $(( $(date +%s) - start )) s)"; }

scripts/install-deps.sh --test
sanitizers="${COHORTHUB_TEST_SANITIZERS:-undefined}"
phase "building the hub (-fsanitize=$sanitizers)"
# UBSan only, by default: AddressSanitizer made every file a third slower to compile and the
# tests about twice as slow to run, and with the two bridges the suite no longer fit its 10
# minutes on 2 cores (638 s on CI at ca68efe, 626 s here at 4b27a6a; docs/benchmarks.md,
# "Build"). ASan still runs on every parser through the libFuzzer harnesses below, and
# COHORTHUB_TEST_SANITIZERS=address,undefined runs this whole suite under it (over 10 minutes).
# -O0: quickest to compile. A unity build: each target's files compile in batches, so the heavy
# Asio and JSON templates are instantiated once per batch rather than once per file (593 s ->
# about 350 s from a cold cache on 2 cores, docs/benchmarks.md); the quick start builds the same
# batches. No debug info and the gold linker (gold links every test binary in half the time).
COHORTHUB_BUILD_TYPE=Debug COHORTHUB_BUILD_TARGET=cohorthub scripts/build.sh build-test -DCOHORTHUB_SANITIZE=ON \
  -DCOHORTHUB_SANITIZERS="$sanitizers" -DCOHORTHUB_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O0" \
  -DCMAKE_EXE_LINKER_FLAGS="-fuse-ld=gold" -DCMAKE_UNITY_BUILD=ON

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p test-artifacts
# The integration and browser tests need only the hub, and leave about 40% of two cores idle
# (they wait on Chromium, sockets and timers: 166 CPU s in 140 s). The unit-test binaries, then
# the fuzzers (clang, one job), build meanwhile at the lowest priority: the tests take longer
# (140 s -> 217 s under ASan), the whole about a minute less (docs/benchmarks.md, "Build").
# In a process group of their own, so that a failing test stops them too.
background_builds() {
  nice -n 19 cmake --build build-test -j"$(nproc)" >test-artifacts/unit-build.log 2>&1 || return 1
  CXX=clang++ cmake -S tests/fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    nice -n 19 cmake --build build-fuzz -j1
}
export -f background_builds
setsid bash -c background_builds >test-artifacts/fuzz-build.log 2>&1 &
background=$!
trap 'kill -- -"$background" 2>/dev/null || true' EXIT
phase "integration and browser tests (the unit tests and fuzzers build meanwhile)"
COHORTHUB_BIN="$PWD/build-test/cohorthub" node --test --test-concurrency=2 --test-reporter=spec \
  tests/integration/ tests/browser/ | tee test-artifacts/node-tests.log

phase "finishing the unit-test and fuzzer builds"
wait "$background" || { tail -n 50 test-artifacts/unit-build.log test-artifacts/fuzz-build.log; exit 1; }
trap - EXIT
phase "unit tests"
ctest --test-dir build-test -j"$(nproc)" --output-on-failure --timeout 300 | tee test-artifacts/ctest.log

phase "fuzzing the parsers (libFuzzer, side by side, ${FUZZ_SECONDS:-15} s)"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}" tests/fuzz/run.sh

unit=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\)/\2 \1/p' test-artifacts/ctest.log)
node_pass=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' test-artifacts/node-tests.log)
node_fail=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' test-artifacts/node-tests.log)
read -r unit_total unit_failed <<<"$unit"
echo "==> all tests passed in $(( $(date +%s) - start )) s"
echo "summary: $(( unit_total - unit_failed + node_pass )) passed, $(( unit_failed + node_fail )) failed"
