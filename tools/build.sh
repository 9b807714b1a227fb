#!/usr/bin/env bash
# Installs the Debian packages lvs-xdp needs and builds it into build/.
#   tools/build.sh           incremental build
#   tools/build.sh --clean   from scratch (what CI does)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tools/install-deps.sh
[[ ${1:-} == --clean ]] && rm -rf build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
