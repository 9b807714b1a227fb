#!/usr/bin/env bash
# FullNAT end to end: the NAT topology (lib_nat.sh) but the real servers have
# no route beyond their own subnet (no default via the DIP), so plain NAT
# cannot work; the director's inside address is FullNAT's local address:
#   lvs-xdp --laddr add DIP
#   -A -t VIP:80 -s rr;   -a ... -r RSn:8080 -m --fullnat    (HTTP)
#   -A -u VIP:53 -s rr;   -a ... -r RSn:5353 -m --fullnat    (UDP request/response)
#   -A -t VIP:9000 -s rr; -a ... -r RSn:9000 -m --fullnat    (8 MB upload, tcp_sha.py)
#   -A -u VIP:54 -s rr;   -a ... -r RS1:5454 -m --fullnat    (nobody listens: ICMP)
#   -A -u VIP:55 -s rr;   -a ... -r RS2:5555 -m --fullnat    (late answers: ICMP from the client)
# Checks: as a control, a plain -m service on the same servers gets no answer;
# --laddr list shows the DIP and -Ln the servers as FullNat; every HTTP request
# and UDP datagram is answered from the VIP, split by rr; the real servers'
# access logs show only the local address (the DIP) as the client; an upload
# arrives intact and its server saw the DIP; the port unreachable for VIP:54
# reaches the client translated back, and the client's port unreachable for a
# late answer reaches the server from the local address, quoting the server's
# own datagram; the client only ever sees the VIP; no
# checksum errors; no flow ran out of local ports.
# Usage (as root): test_nat_fullnat.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool

REQUESTS=${LVS_E2E_REQUESTS:-200}
HTTP_RPORT=8080
UDP_RPORT=5353
SHA_PORT=9000

"$LVS_BIN" -h 2>&1 | has -- --fullnat || fail "this lvs-xdp has no --fullnat option yet (FullNAT CLI)"

setup_nat_topology fullnat
start_http_server_on "$NS_RS1" rs1 "$RS1_IP" "$HTTP_RPORT"
start_http_server_on "$NS_RS2" rs2 "$RS2_IP" "$HTTP_RPORT"
start_udp_server "$NS_RS1" rs1 "$UDP_RPORT"
start_udp_server "$NS_RS2" rs2 "$UDP_RPORT"
start_sha_server "$NS_RS1" rs1 "$SHA_PORT"
start_sha_server "$NS_RS2" rs2 "$SHA_PORT"
start_late_udp_server "$NS_RS2" rs2 5555

nat_attach

# ---- control: plain NAT cannot work here (the servers cannot route the replies) ----
lvs -A -t "$VIP:81" -s rr
lvs -a -t "$VIP:81" -r "$RS1_IP:$HTTP_RPORT" -m
if http_get "$NS_CLI" "http://$VIP:81/" >/dev/null; then fail "plain NAT answered although the servers have no route to the client"; fi
lvs -D -t "$VIP:81"
pass "control: plain NAT gets no answer from servers without a route to the client"

# ---- FullNAT configuration ----
lvs --laddr add "$DIP"
lvs --laddr list | has -w "$DIP" || fail "--laddr list does not show $DIP: $(lvs --laddr list)"
rr_service -t "$VIP:80" "$HTTP_RPORT" -m --fullnat
rr_service -u "$VIP:53" "$UDP_RPORT" -m --fullnat
rr_service -t "$VIP:$SHA_PORT" "$SHA_PORT" -m --fullnat
lvs -A -u "$VIP:54" -s rr
lvs -a -u "$VIP:54" -r "$RS1_IP:5454" -m --fullnat
lvs -A -u "$VIP:55" -s rr
lvs -a -u "$VIP:55" -r "$RS2_IP:5555" -m --fullnat
lvs_list
for rs in "$RS1_IP" "$RS2_IP"; do
    check_listed_server "$rs:$HTTP_RPORT" FullNat 1
    check_listed_server "$rs:$UDP_RPORT" FullNat 1
done
pass "local address $DIP in the pool; -Ln shows the servers as FullNat"

capture_start "$NS_CLI" "$CLI_IF" "ip"
cap=$LIB_LAST_CAPTURE
mark_http_logs

# ---- HTTP ----
http_requests "$REQUESTS" "http://$VIP/"
check_http_answered "$REQUESTS"
check_rr_split "$rs1" "$rs2"
pass "all $REQUESTS HTTP requests answered, split rs1=$rs1 rs2=$rs2"

check_http_clients "$DIP" "the local address $DIP"
pass "the real servers saw only the local address $DIP as the client"

# ---- UDP ----
udp_requests "$REQUESTS" 53
((lost == 0)) || fail "$lost of $REQUESTS datagrams got no (or a wrong) answer from $VIP:53"
check_rr_split "$rs1" "$rs2"
pass "all $REQUESTS datagrams answered from $VIP:53, split rs1=$rs1 rs2=$rs2"

# ---- upload ----
make_blob 8
sha_upload "$SHA_PORT" "$blob" || fail "upload failed: $answer"
log "upload: $name got $bytes bytes from $seen, sha256 $hash; $(tail -n1 <<<"$answer")"
[[ $hash == "$want" && $bytes == "$size" ]] || fail "upload: $name received $bytes bytes, sha256 $hash; sent sha256 $want"
[[ $seen == "$DIP" ]] || fail "upload: the server saw $seen as its peer, not the local address $DIP"
pass "8 MB upload through FullNAT arrived intact; the server saw $DIP"

# ---- ICMP from a real server, translated back to the client ----
refused=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_nat_probe.py" refused "$VIP" 54 1 3)
capture_stop
nat_stats | tr '\n' ' ' >&2
echo >&2
[[ $refused == refused ]] || fail "no port unreachable for $VIP:54 reached the client's socket: $refused"
tcpdump -nn -r "$cap" "icmp and src host $VIP and dst host $CLI_IP" 2>/dev/null | has "$VIP udp port 54 unreachable" ||
    fail "the client did not get 'port 54 unreachable' about $VIP from $VIP"
pass "the real server's port unreachable (sent to $DIP) reached the client as if from $VIP:54"

# ---- ICMP from the client, translated to the server ----
check_client_icmp rs2 55 "$DIP"
(($(nat_stat icmp_nat) >= 2)) || fail "lvs_xdp_stats: icmp_nat=$(nat_stat icmp_nat), expected both ICMP errors counted"
pass "the client's port unreachable about VIP:55 reached rs2 from the local address, about its own answer"

# ---- what the client saw; checksums; counters ----
servers=$(capture_count "$cap" "net $IN_NET")
other=$(capture_count "$cap" "not (host $VIP and host $CLI_IP)")
total=$(capture_count "$cap" "ip")
log "client's interface: $total packets, $other not between the client and the VIP, $servers with a server-subnet address"
((servers == 0)) || fail "$servers packets on the client's interface carry a server-subnet address"
((other == 0)) || fail "$other packets on the client's interface are not between the client and the VIP"
pass "the client's packets are all with the VIP"
check_no_csum_errors "$NS_CLI" "$NS_RS1" "$NS_RS2"
(($(nat_stat fullnat_no_port) == 0)) || fail "lvs_xdp_stats: fullnat_no_port=$(nat_stat fullnat_no_port)"
pass "no checksum errors; no flow ran out of local ports"
