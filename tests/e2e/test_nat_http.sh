#!/usr/bin/env bash
# NAT end to end over HTTP, the LVS how-to's NAT set-up (lib_nat.sh):
#   director:     ip_forward=1; lvs-xdp attach dir0 din0;
#                 -A -t VIP:80 -s wrr; -a ... -r RS1:8080 -m -w 1; -a ... -r RS2:8080 -m -w 2
#   real servers: python3 http.server on :8080, default via DIP
#   client:       300 curl requests to http://VIP/, each a new connection.
# Checks: nothing answers on VIP:80 before lvs-xdp is configured; -Ln lists
# both servers as Masq with their weights; every request is answered; the
# split follows the weights 1:2; the client's interface only ever carries
# packets between the client and the VIP (no real-server address); the real
# servers see the client's own address (NAT rewrites only the destination);
# no receiver dropped a packet for its checksum; the director's own traffic
# (to a real server, ping of the VIP from one) still works; the XDP counters
# show both directions forwarded by the program.
# Usage (as root): test_nat_http.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool

REQUESTS=${LVS_E2E_REQUESTS:-300}
RPORT=8080

setup_nat_topology nat
start_http_server_on "$NS_RS1" rs1 "$RS1_IP" "$RPORT"
start_http_server_on "$NS_RS2" rs2 "$RS2_IP" "$RPORT"
# The director itself serves nothing on port 80, and the client has no route
# to the servers: without the translation there is no answer.
if http_get "$NS_CLI" "http://$VIP/" >/dev/null; then fail "something answers on $VIP:80 before lvs-xdp is set up"; fi
mark_http_logs

# ---- director ----
nat_attach
lvs -A -t "$VIP:80" -s wrr
lvs -a -t "$VIP:80" -r "$RS1_IP:$RPORT" -m -w 1
lvs -a -t "$VIP:80" -r "$RS2_IP:$RPORT" -m -w 2
lvs_list
check_listed_service TCP "$VIP:80" wrr
check_listed_server "$RS1_IP:$RPORT" Masq 1
check_listed_server "$RS2_IP:$RPORT" Masq 2
pass "-Ln shows both servers as Masq with weights 1 and 2"

# ---- traffic ----
# What the client's interface carries, in both directions.
capture_start "$NS_CLI" "$CLI_IF" "ip"
cap=$LIB_LAST_CAPTURE
http_requests "$REQUESTS" "http://$VIP/"
capture_stop
nat_stats | tr '\n' ' ' >&2
echo >&2

check_http_answered "$REQUESTS"
check_weight_split "$rs1" "$rs2" 1 2
pass "all $REQUESTS requests answered, split rs1=$rs1 rs2=$rs2 (weights 1:2)"

# ---- the client only ever sees the VIP ----
total=$(capture_count "$cap" "ip")
replies=$(capture_count "$cap" "src host $VIP and src port 80 and dst host $CLI_IP")
requests=$(capture_count "$cap" "src host $CLI_IP and dst host $VIP and dst port 80")
other=$(capture_count "$cap" "not (host $VIP and host $CLI_IP)")
servers=$(capture_count "$cap" "net $IN_NET")
log "client's interface: $total packets, $requests to VIP:80, $replies from VIP:80, $other others, $servers with a server-subnet address"
((requests >= 3 * REQUESTS && replies >= 3 * REQUESTS)) || fail "too few packets between the client and VIP:80 in the capture (tcpdump dropped $(capture_dropped "$cap"))"
((servers == 0)) || fail "$servers packets on the client's interface carry a server-subnet address"
((other == 0)) || fail "$other packets on the client's interface are not between the client and the VIP"
pass "the client's packets are all with the VIP ($requests out, $replies back)"

# ---- the real servers see the client ----
check_http_clients "$CLI_IP" "$CLI_IP"
pass "the real servers saw the client's own address on every request"

# ---- checksums: the receivers verify them, the director rewrote them ----
check_no_csum_errors "$NS_CLI" "$NS_RS1" "$NS_RS2"
pass "no checksum errors on the client or the real servers"

# ---- the director's own traffic still goes through its kernel ----
in_ns "$NS_DIR" curl -s --max-time 4 "http://$RS1_IP:$RPORT/" | has -x rs1 || fail "the director cannot fetch from rs1 itself"
in_ns "$NS_RS2" ping -c1 -W2 "$VIP" >/dev/null || fail "rs2 cannot ping the VIP (the director's outside address)"
pass "the director's own and routed traffic is untouched"

# ---- the data plane did it ----
new=$(nat_stat new_conns)
redirected=$(nat_stat redirect)
((new >= REQUESTS)) || fail "lvs_xdp_stats: new_conns=$new, expected at least $REQUESTS"
((redirected >= 6 * REQUESTS)) || fail "lvs_xdp_stats: redirect=$redirected, expected both directions of $REQUESTS connections"
pass "XDP forwarded both directions (new_conns=$new, redirect=$redirected)"
