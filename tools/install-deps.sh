#!/usr/bin/env bash
# Installs every Debian 12 package lvs-xdp needs to build and test. Fast when
# everything is already there: apt is only run for missing packages.
set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config
    clang llvm libbpf-dev libxdp-dev xdp-tools bpftool
    libcli11-dev libspdlog-dev libfmt-dev googletest libgtest-dev
    iproute2 iputils-ping ethtool tcpdump curl python3 python3-scapy procps
    bc  # tests/e2e: timing arithmetic (test_changes_under_load.sh, tools/bench/e2e.sh)
    wrk haproxy  # tools/bench/e2e.sh: HTTP requests/s, lvs-xdp next to HAProxy
)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
