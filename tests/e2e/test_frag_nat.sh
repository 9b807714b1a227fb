#!/usr/bin/env bash
# NAT and FullNAT end to end with fragments (lib_nat.sh's topology): UDP
# datagrams of 3000 bytes over MTU 1500 through -A -u VIP:53 -s rr with both
# real servers -m on port 5353 arrive whole at the servers, and their echoes,
# fragmented by the servers, come back whole through the director
# (frag_flow.sh): both directions' later fragments follow their first one.
# With "fullnat" as third argument: the FullNAT topology (servers without a
# route to the client) and -m --fullnat with the DIP as local address.
# Usage (as root): test_frag_nat.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
source "$(dirname "${BASH_SOURCE[0]}")/frag_flow.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

VPORT=53
RPORT=5353
MODE=${LVS_E2E_FRAG_NAT_MODE:-nat}
setup_nat_topology "$MODE"
start_udp_server "$NS_RS1" rs1 "$RPORT"
start_udp_server "$NS_RS2" rs2 "$RPORT"
nat_attach
if [[ $MODE == fullnat ]]; then
    lvs --laddr add "$DIP"
    rr_service -u "$VIP:$VPORT" "$RPORT" -m --fullnat
else
    rr_service -u "$VIP:$VPORT" "$RPORT" -m
fi
frag_flow_check "$VPORT" "$MODE"
