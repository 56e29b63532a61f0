#!/usr/bin/env bash
# Configures and builds cohorthub. Usage: scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# COHORTHUB_BUILD_TARGET builds one target (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
# Ninja for a new build directory: it starts compiling a target's files before the libraries it
# links are built, which make does not, so both cores stay busy (docs/benchmarks.md, "Build").
# A directory configured earlier keeps its generator (CMake refuses to switch one).
generator=()
[[ -f "$dir/CMakeCache.txt" ]] || ! command -v ninja >/dev/null || generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${COHORTHUB_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" ${COHORTHUB_BUILD_TARGET:+--target "$COHORTHUB_BUILD_TARGET"}
