#!/usr/bin/env bash
# One-armed NAT end to end (lib_nat.sh, setup_nat_onearm_topology): client,
# director and real servers share one bridge, but the client (10.77.0.0/24)
# and the servers (10.77.1.0/24) are in different subnets; the director's one
# interface holds the VIP and the DIP, the servers' gateway is the DIP.
#   lvs-xdp attach dir0; -A -t VIP:80 -s rr; -a ... -r RSn:8080 -m
#   -A -t VIP:9000 -s rr; -a ... -r RSn:9000 -m   (4 MB upload, tcp_sha.py)
# Checks: every HTTP request is answered, split by rr; an upload arrives
# intact; both directions left by XDP_TX (lvs_xdp_stats: tx, no redirect);
# the client's IP packets are all with the VIP; no checksum errors.
# Usage (as root): test_nat_onearm.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool sha256sum

REQUESTS=${LVS_E2E_REQUESTS:-100}
RPORT=8080
SHA_PORT=9000

setup_nat_onearm_topology
start_http_server_on "$NS_RS1" rs1 "$RS1_IP" "$RPORT"
start_http_server_on "$NS_RS2" rs2 "$RS2_IP" "$RPORT"
start_sha_server "$NS_RS1" rs1 "$SHA_PORT"
start_sha_server "$NS_RS2" rs2 "$SHA_PORT"

lvs attach "$DIR_IF" --mode native
rr_service -t "$VIP:80" "$RPORT" -m
rr_service -t "$VIP:$SHA_PORT" "$SHA_PORT" -m
lvs -Ln

capture_start "$NS_CLI" "$CLI_IF" "ip"
cap=$LIB_LAST_CAPTURE
http_requests "$REQUESTS" "http://$VIP/"
check_http_answered "$REQUESTS"
check_rr_split "$rs1" "$rs2"
pass "all $REQUESTS requests answered, split rs1=$rs1 rs2=$rs2"

make_blob 4
sha_upload "$SHA_PORT" "$blob" || fail "upload failed: $answer"
log "upload: $name got $bytes bytes from $seen, sha256 $hash"
[[ $hash == "$want" && $seen == "$CLI_IP" ]] || fail "upload: $name received sha256 $hash from $seen; sent $want from $CLI_IP"
pass "4 MB upload arrived intact"

capture_stop
nat_stats | tr '\n' ' ' >&2
echo >&2
tx=$(nat_stat tx)
redirected=$(nat_stat redirect)
((tx >= 6 * REQUESTS && redirected == 0)) || fail "lvs_xdp_stats: tx=$tx redirect=$redirected; expected XDP_TX both ways, no redirect"
other=$(capture_count "$cap" "not (host $VIP and host $CLI_IP)")
((other == 0)) || fail "$other IP packets on the client's interface are not between the client and the VIP"
check_no_csum_errors "$NS_CLI" "$NS_RS1" "$NS_RS2"
pass "both directions out of the one interface (XDP_TX $tx); the client saw only the VIP; no checksum errors"
