#!/usr/bin/env bash
# DR end to end with fragments: UDP datagrams of 3000 bytes over MTU 1500
# through -A -u VIP:5353 -s rr with both real servers -g arrive whole at the
# servers and are echoed whole (frag_flow.sh).
# Usage (as root): test_frag_dr.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/frag_flow.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

PORT=5353
setup_dr_topology
start_udp_server "$NS_RS1" rs1 "$PORT"
start_udp_server "$NS_RS2" rs2 "$PORT"
realservers add "$VIP"
lvs attach "$DIR_IF"
rr_service -u "$VIP:$PORT" "$PORT" -g
frag_flow_check "$PORT" DR
realservers del "$VIP"
