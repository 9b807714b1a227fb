#!/usr/bin/env bash
# TUN end to end with GUE (UDP port 6080), as test_tun_ipip.sh otherwise:
#   director:     -a -t VIP:80 -r RSn -i --tun-type gue --tun-port 6080
#   real servers: lvs-xdp realserver add VIP --tun --gue-port 6080
# Usage (as root): test_tun_gue.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/tun_flow.sh"
TUN_OPTS="--tun-type gue --tun-port 6080"
RS_OPTS="--gue-port 6080"
TUN_OVERHEAD=32
TUN_FILTER="udp dst port 6080"
TUN_INFO="gue:6080:-c"
tun_flow_main "$@"
