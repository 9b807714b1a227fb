#!/usr/bin/env bash
# TUN end to end with IPIP (ipvsadm's default tunnel), the how-to's "across data
# centres" case: client and director in one subnet, two real servers in another
# behind a router.
#   director:     lvs-xdp attach dir0; -A -t VIP:80 -s rr; -a -t VIP:80 -r RSn -i
#   real servers: lvs-xdp realserver add VIP --tun   (rs_decap: no ipip device here)
# See tun_flow.sh for what is checked (ICMP fragmentation needed, UDP, HTTP
# round robin through the router, replies bypassing the director, 4 MB
# transfers both ways, realserver del).
# Usage (as root): test_tun_ipip.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/tun_flow.sh"
TUN_OPTS=""
RS_OPTS=""
TUN_OVERHEAD=20
TUN_FILTER="ip proto 4"
TUN_INFO=ipip
tun_flow_main "$@"
