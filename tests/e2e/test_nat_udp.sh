#!/usr/bin/env bash
# NAT end to end over UDP, the LVS how-to's NAT set-up (lib_nat.sh):
#   -A -u VIP:53 -s rr; -a ... -r RS1:5353 -m; -a ... -r RS2:5353 -m
#   -A -u VIP:54 -s rr; -a ... -r RS1:5454 -m    (nothing listens on 5454)
# The servers (udp_name_server.py) answer each datagram with their name; the
# client sends from a connected socket, so only answers from VIP:53 count.
# Checks: -Ln lists the servers as Masq; 200 requests from new source ports
# are all answered from the VIP, split by rr; a datagram without a UDP
# checksum is forwarded without one and answered; the real server's ICMP
# port-unreachable for VIP:54 reaches the client translated (from the VIP,
# quoting VIP:54: the client's connected socket gets ECONNREFUSED); the
# client's port unreachable for a late answer from VIP:55 (-> RS2:5555,
# udp_late_server.py) reaches the server as an error about the datagram it
# sent (its socket's error queue: from the client, quoting RS2:5555); the client
# only ever exchanges packets with the VIP; no receiver saw a bad checksum.
# Usage (as root): test_nat_udp.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool

VPORT=53
RPORT=5353
DEAD_VPORT=54
DEAD_RPORT=5454
LATE_VPORT=55
LATE_RPORT=5555
REQUESTS=${LVS_E2E_REQUESTS:-200}

setup_nat_topology nat
start_udp_server "$NS_RS1" rs1 "$RPORT"
start_udp_server "$NS_RS2" rs2 "$RPORT"
start_late_udp_server "$NS_RS2" rs2 "$LATE_RPORT"
# Nobody answers on VIP:53 before lvs-xdp is set up.
answer=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_probe.py" "$VIP" "$VPORT" 1 0.5 1 2>/dev/null || true)
[[ $answer != rs? ]] || fail "something answers on $VIP:$VPORT before lvs-xdp is set up"

nat_attach
rr_service -u "$VIP:$VPORT" "$RPORT" -m
lvs -A -u "$VIP:$DEAD_VPORT" -s rr
lvs -a -u "$VIP:$DEAD_VPORT" -r "$RS1_IP:$DEAD_RPORT" -m
lvs -A -u "$VIP:$LATE_VPORT" -s rr
lvs -a -u "$VIP:$LATE_VPORT" -r "$RS2_IP:$LATE_RPORT" -m
lvs_list
check_listed_service UDP "$VIP:$VPORT" rr
check_listed_server "$RS1_IP:$RPORT" Masq 1
check_listed_server "$RS2_IP:$RPORT" Masq 1
pass "-Ln shows the UDP servers as Masq"

capture_start "$NS_CLI" "$CLI_IF" "ip"
cap=$LIB_LAST_CAPTURE
cap_pid=$LIB_LAST_CAPTURE_PID
# What reaches the servers, verbose later to read the UDP checksums.
capture_start "$NS_BRIN" p-din "udp port $RPORT"
cap_in=$LIB_LAST_CAPTURE
cap_in_pid=$LIB_LAST_CAPTURE_PID

# ---- request/response through the VIP ----
udp_requests "$REQUESTS" "$VPORT"
((lost == 0)) || fail "$lost of $REQUESTS requests got no (or a wrong) answer from $VIP:$VPORT"
check_rr_split "$rs1" "$rs2"
pass "all $REQUESTS datagrams answered from $VIP:$VPORT, split rs1=$rs1 rs2=$rs2"

# ---- a datagram without a checksum ----
nocsum=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_nat_probe.py" nocsum "$VIP" "$VPORT" 1 3)
[[ $nocsum == rs? ]] || fail "a datagram without a UDP checksum was not answered: $nocsum"

# ---- ICMP port unreachable from a real server, translated ----
refused=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_nat_probe.py" refused "$VIP" "$DEAD_VPORT" 1 3)
capture_stop "$cap_pid" "$cap_in_pid"
nat_stats | tr '\n' ' ' >&2
echo >&2
[[ $refused == refused ]] || fail "no port unreachable for $VIP:$DEAD_VPORT reached the client's socket: $refused"
unreach=$(tcpdump -nn -r "$cap" "icmp and src host $VIP and dst host $CLI_IP" 2>/dev/null)
log "ICMP on the client's interface: $unreach"
grep -q "$VIP udp port $DEAD_VPORT unreachable" <<<"$unreach" ||
    fail "the client did not get 'port $DEAD_VPORT unreachable' about $VIP from $VIP"
(($(nat_stat icmp_nat) >= 1)) || fail "lvs_xdp_stats: icmp_nat is 0"
pass "the real server's port unreachable reached the client as if from $VIP:$DEAD_VPORT"

# ---- ICMP port unreachable from the client, translated ----
check_client_icmp rs2 "$LATE_VPORT" "$CLI_IP"
(($(nat_stat icmp_nat) >= 2)) || fail "lvs_xdp_stats: icmp_nat=$(nat_stat icmp_nat), expected both ICMP errors counted"
pass "the client's port unreachable about VIP:$LATE_VPORT reached rs2 as an error about its own answer"

# ---- checksums on the way to the servers ----
verbose=$(tcpdump -nn -vv -r "$cap_in" "src host $CLI_IP and udp dst port $RPORT" 2>/dev/null)
ok=$(grep -c "udp sum ok" <<<"$verbose" || true)
bad=$(grep -c "bad udp cksum" <<<"$verbose" || true)
none=$(grep -c "no cksum" <<<"$verbose" || true)
log "datagrams forwarded to the servers: $ok with a right checksum, $bad wrong, $none without"
((bad == 0)) || fail "$bad datagrams reached the servers with a wrong UDP checksum"
((ok >= REQUESTS)) || fail "only $ok forwarded datagrams with a verified checksum in the capture (tcpdump dropped $(capture_dropped "$cap_in"))"
((none >= 1)) || fail "the datagram sent without a checksum reached the server with one"
check_no_csum_errors "$NS_CLI" "$NS_RS1" "$NS_RS2"
pass "UDP checksums rewritten right; a zero checksum stays zero"

# ---- the client only ever sees the VIP ----
total=$(capture_count "$cap" "ip")
from_vip=$(capture_count "$cap" "src host $VIP and udp src port $VPORT and dst host $CLI_IP")
servers=$(capture_count "$cap" "net $IN_NET")
other=$(capture_count "$cap" "not (host $VIP and host $CLI_IP)")
log "client's interface: $total packets, $from_vip answers from $VIP:$VPORT, $other others, $servers with a server-subnet address"
((from_vip >= REQUESTS)) || fail "only $from_vip answers from $VIP:$VPORT in the client's capture (tcpdump dropped $(capture_dropped "$cap"))"
((servers == 0)) || fail "$servers packets on the client's interface carry a server-subnet address"
((other == 0)) || fail "$other packets on the client's interface are not between the client and the VIP"
pass "the client's packets are all with the VIP"
