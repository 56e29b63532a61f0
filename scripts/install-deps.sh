#!/usr/bin/env bash
# Installs what cohorthub needs to build, run and test on Debian 12: only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  g++ cmake make ninja-build pkg-config ccache
  libboost-dev nlohmann-json3-dev libsqlite3-dev libssl-dev catch2
  libcmark-gfm-dev libcmark-gfm-extensions-dev libgit2-dev libdtl-dev
  libtomlplusplus-dev libcli11-dev libkainjow-mustache-dev libyaml-cpp-dev libcurl4-openssl-dev
  openssl sqlite3 curl
  weasyprint
)
# Node.js runs the integration and browser tests; keep one that is already installed.
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
# Test-only: headless Chromium for the browser tests, wrk for the benchmarks, clang for libFuzzer,
# poppler-utils to read the PDFs the hub renders, aiosmtpd as a real SMTP server for the mail tests.
if [[ "${1:-}" == "--test" ]]; then
  APT_PACKAGES+=(chromium wrk clang-14 libclang-rt-14-dev poppler-utils python3-aiosmtpd)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "==> installing npm test packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
