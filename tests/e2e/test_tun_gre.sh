#!/usr/bin/env bash
# TUN end to end with GRE with checksums, as test_tun_ipip.sh otherwise:
#   director:     -a -t VIP:80 -r RSn -i --tun-type gre --tun-csum
#   real servers: lvs-xdp realserver add VIP --tun
# Usage (as root): test_tun_gre.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/tun_flow.sh"
TUN_OPTS="--tun-type gre --tun-csum"
RS_OPTS=""
TUN_OVERHEAD=28
TUN_FILTER="ip proto 47"
TUN_INFO="gre:\\+c"
tun_flow_main "$@"
