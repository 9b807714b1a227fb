#!/usr/bin/env bash
# Checks the test harness itself (lib.sh), without lvs-xdp forwarding anything:
# the DR topology comes up, every host reaches the others over the bridge, the
# HTTP and UDP servers answer on the real servers' own addresses, the XDP_PASS
# program sits on the director's bridge port, and cleanup removes everything
# (namespaces, the bpffs mount, the temp dir, background processes).
# Usage (as root): test_topology.sh LVS_XDP_BINARY [BUILD_DIR]
set -euo pipefail

if [[ ${1:-} == --inner ]]; then
    shift
    source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
    lib_init "$1" "${2:-}"
    setup_dr_topology
    start_http_servers
    start_udp_server "$NS_RS1" rs1 5353
    echo "PIDS ${LIB_PIDS[*]}"
    echo "TMP $LIB_TMP"
    for pair in "rs1 $RS1_IP" "rs2 $RS2_IP"; do
        read -r name ip <<<"$pair"
        for ns in "$NS_CLI" "$NS_DIR"; do
            body=$(http_get "$ns" "http://$ip/")
            [[ $body == "$name" ]] || fail "$ns: http://$ip/ answered '$body', expected $name"
        done
    done
    answers=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_probe.py" "$RS1_IP" 5353 5)
    [[ $(grep -cx rs1 <<<"$answers") -eq 5 ]] || fail "udp server answered: $answers"
    ip -n "$NS_BR" link show p-dir | has "prog/xdp" || fail "no XDP program on the director's peer"
    ip -n "$NS_DIR" -4 addr show "$DIR_IF" | has "inet $VIP/32" || fail "director does not hold the VIP"
    for pair in "$NS_CLI $CLI_IF" "$NS_RS1 $RS1_IF" "$NS_RS2 $RS2_IF"; do
        read -r ns ifc <<<"$pair"
        [[ $(in_ns "$ns" ethtool -k "$ifc" | awk '/^tx-checksumming:/ {print $2}') == off ]] ||
            fail "$ns: tx checksum offload still on"
    done
    mountpoint -q "$LIB_BPFFS" || fail "no bpffs at $LIB_BPFFS"
    pass "topology up: hosts, servers, XDP_PASS on the peer, offload off, bpffs"
    exit 0
fi

prefix=lvsT$$
out=$(LVS_E2E_PREFIX=$prefix bash "${BASH_SOURCE[0]}" --inner "$@") || {
    echo "$out"
    echo "FAIL: topology checks failed" >&2
    exit 1
}
echo "$out"
pids=$(awk '$1 == "PIDS" {$1 = ""; print}' <<<"$out")
tmp=$(awk '$1 == "TMP" {print $2}' <<<"$out")

left=""
left+=$(ip netns list | grep -F "$prefix" || true)
left+=$(grep -F "$prefix" /proc/mounts || true)
[[ -n $tmp && -e $tmp ]] && left+="temp dir $tmp"$'\n'
for pid in $pids; do
    kill -0 "$pid" 2>/dev/null && left+="process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")"$'\n'
done
if [[ -n $left ]]; then
    echo "FAIL: left behind after cleanup:" >&2
    echo "$left" >&2
    exit 1
fi
echo "PASS: cleanup left nothing behind" >&2
