#!/usr/bin/env bash
# DR end to end over UDP: a request/response service on port 5353 of both real
# servers (udp_name_server.py answers with its name, from the VIP), a UDP
# virtual service with rr, and a client sending datagrams from many source
# ports. Checks every request is answered, both servers answer about half, and
# no reply reaches the director.
# Usage (as root): test_dr_udp.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

PORT=5353
REQUESTS=${LVS_E2E_REQUESTS:-200}

setup_dr_topology
start_udp_server "$NS_RS1" rs1 "$PORT"
start_udp_server "$NS_RS2" rs2 "$PORT"
# The servers answer on their own addresses before anything else is set up.
for ns_ip in "$NS_RS1:$RS1_IP" "$NS_RS2:$RS2_IP"; do
    ip=${ns_ip#*:}
    answer=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_probe.py" "$ip" "$PORT" 1)
    [[ $answer == rs? ]] || fail "udp server at $ip does not answer directly: $answer"
done

realservers add "$VIP"

lvs attach "$DIR_IF"
rr_service -u "$VIP:$PORT" "$PORT" -g
lvs_list
check_listed_service UDP "$VIP:$PORT" rr

dr_captures "udp port $PORT"
udp_requests "$REQUESTS" "$PORT"
capture_stop "$cap_pid" "$cap_cli_pid"
lvs -Ln --stats || true

((lost == 0)) || fail "$lost of $REQUESTS requests got no (or a wrong) answer"
check_rr_split "$rs1" "$rs2"
pass "all $REQUESTS datagrams answered, split rs1=$rs1 rs2=$rs2"

to_dir=$(capture_count "$cap" "dst host $VIP and dst port $PORT")
replies=$(capture_count "$cap" "src host $VIP and src port $PORT")
log "director port: $to_dir request datagrams (in and forwarded), $replies replies"
((to_dir >= REQUESTS)) || fail "capture saw only $to_dir requests on the director's port"
((replies == 0)) || fail "$replies replies from $VIP:$PORT reached the director's port"
from_rs1=$(capture_count "$cap_cli" "src host $VIP and src port $PORT and ether src $(iface_mac_of "$NS_RS1" "$RS1_IF")")
from_rs2=$(capture_count "$cap_cli" "src host $VIP and src port $PORT and ether src $(iface_mac_of "$NS_RS2" "$RS2_IF")")
log "client port: replies from rs1's MAC=$from_rs1, rs2's MAC=$from_rs2"
((from_rs1 > 0 && from_rs2 > 0)) || fail "the client did not get replies straight from both real servers"
pass "replies bypass the director"

realservers del "$VIP"
