#!/usr/bin/env bash
# TUN (IPIP) end to end with fragments: UDP datagrams of 3000 bytes through
# -A -u VIP:5353 -s rr with both real servers -i arrive whole at the servers
# (rs_decap strips the outer header, the kernel reassembles) and are echoed
# whole (frag_flow.sh). The client's route to the VIP has MTU 1400, so each
# fragment still fits the tunnel (1500) with its outer header: a fragment that
# does not is handed to the director's kernel, as a full-size packet without
# DF is (docs/robustness.md).
# Usage (as root): test_frag_tun.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/frag_flow.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

PORT=5353
setup_tun_topology
ip -n "$NS_CLI" route add "$VIP/32" dev "$CLI_IF" mtu lock 1400
start_udp_server "$NS_RS1" rs1 "$PORT"
start_udp_server "$NS_RS2" rs2 "$PORT"
for ns in "$NS_RS1" "$NS_RS2"; do
    in_ns "$ns" "$LVS_BIN" realserver add "$VIP" --tun >/dev/null || fail "$ns: realserver add --tun failed"
done
lvs attach "$DIR_IF"
rr_service -u "$VIP:$PORT" "" -i
frag_flow_check "$PORT" "TUN (ipip)"
realservers del "$VIP" --tun
