#!/usr/bin/env bash
# The weekly digest benchmark (issue 15): 10,000 members, 50,000 messages in a week; target < 30 s
# while GET /api/me p99 < 10 ms. In process (no sockets): the digest is built on the calling
# thread, as on the mail thread, while another thread calls GET /api/me through the hub's service.
# Environment: BUILD_DIR (default build), BENCH_SKIP_BUILD=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$BUILD" -j2 --target bench_mail_digest
fi
"$BUILD/bench_mail_digest"
