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
# minutes on 2 cores (638 s on CI at ca68efe; docs/benchmarks.md, "Build"). ASan still runs on
# every parser through the libFuzzer harnesses below, and COHORTHUB_TEST_SANITIZERS=
# address,undefined runs this whole suite under it (over 10 minutes).
# -O0: quickest to compile. A unity build: each target's files compile in batches of 16, so the
# heavy Asio and JSON templates are instantiated once per batch rather than once per file (593 s
# -> about 350 s from a cold cache on 2 cores, docs/benchmarks.md; 16 rather than 8 saves about a
# tenth of the CPU now that Ninja keeps both cores busy); the quick start builds the same batches. No debug info and the gold linker (gold links every test binary in half the time).
COHORTHUB_BUILD_TYPE=Debug COHORTHUB_BUILD_TARGET=cohorthub scripts/build.sh build-test -DCOHORTHUB_SANITIZE=ON \
  -DCOHORTHUB_SANITIZERS="$sanitizers" -DCOHORTHUB_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O0" \
  -DCMAKE_EXE_LINKER_FLAGS="-fuse-ld=gold" -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p test-artifacts
# The integration and browser tests need only the hub, and leave about 40% of two cores idle
# (they wait on Chromium, sockets and timers: 166 CPU s in 140 s). The unit-test binaries build
# meanwhile at the lowest priority, and the fuzzers (clang) while the unit tests run: the tests
# take longer (140 s -> 165 s), the whole is shorter (docs/benchmarks.md, "Build"). Each build
# runs in a process group of its own, so that a failing test stops it too.
background() {  # background LOG COMMAND...: starts COMMAND at nice 19; `waiting` is its pid
  setsid nice -n 19 "${@:2}" >"$1" 2>&1 &
  waiting=$!
}
trap '[[ -n "${waiting:-}" ]] && kill -- -"$waiting" 2>/dev/null || true' EXIT
background test-artifacts/unit-build.log cmake --build build-test -j"$(nproc)"
phase "integration and browser tests (the unit tests build meanwhile)"
COHORTHUB_BIN="$PWD/build-test/cohorthub" node --test --test-concurrency=2 --test-reporter=spec \
  tests/integration/ tests/browser/ | tee test-artifacts/node-tests.log

phase "finishing the unit-test build"
wait "$waiting" || { tail -n 50 test-artifacts/unit-build.log; exit 1; }
background test-artifacts/fuzz-build.log bash -c 'CXX=clang++ cmake -S tests/fuzz -B build-fuzz \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build-fuzz -j"$(nproc)"'
phase "unit tests (the fuzzers build meanwhile)"
ctest --test-dir build-test -j"$(nproc)" --output-on-failure --timeout 300 | tee test-artifacts/ctest.log
wait "$waiting" || { tail -n 50 test-artifacts/fuzz-build.log; exit 1; }
waiting=""

phase "fuzzing the parsers (libFuzzer, side by side, ${FUZZ_SECONDS:-15} s)"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}" tests/fuzz/run.sh

unit=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\)/\2 \1/p' test-artifacts/ctest.log)
node_pass=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' test-artifacts/node-tests.log)
node_fail=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' test-artifacts/node-tests.log)
read -r unit_total unit_failed <<<"$unit"
echo "==> all tests passed in $(( $(date +%s) - start )) s"
echo "summary: $(( unit_total - unit_failed + node_pass )) passed, $(( unit_failed + node_fail )) failed"
