#!/usr/bin/env bash
# DR end to end over HTTP, configured as the LVS how-to configures it:
#   director:     lvs-xdp attach dir0; -A -t VIP:80 -s rr; -a ... -r RSn:80 -g
#   real servers: lvs-xdp realserver add VIP (VIP/32 on lo, arp_ignore/announce)
#   client:       200 curl requests to http://VIP/, each a new connection.
# Checks: every request answered, round robin splits them evenly, replies go
# from the real servers straight to the client (never through the director),
# -Ln lists both servers, realserver del restores the sysctls.
# Usage (as root): test_dr_http.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

REQUESTS=${LVS_E2E_REQUESTS:-200}

setup_dr_topology
start_http_servers

# ---- real servers ----
for ns in "$NS_RS1" "$NS_RS2"; do
    in_ns "$ns" "$LVS_BIN" realserver add "$VIP"
    ip -n "$ns" -4 addr show dev lo | has "inet $VIP/32" || fail "$ns: $VIP/32 not on lo"
    for iface in lo all; do
        [[ $(sysctl_in "$ns" "net.ipv4.conf.$iface.arp_ignore") == 1 ]] || fail "$ns: $iface.arp_ignore is not 1"
        [[ $(sysctl_in "$ns" "net.ipv4.conf.$iface.arp_announce") == 2 ]] || fail "$ns: $iface.arp_announce is not 2"
    done
    # Adding again is fine and says so.
    out=$(in_ns "$ns" "$LVS_BIN" realserver add "$VIP") || fail "$ns: second realserver add failed"
    grep -qi "already" <<<"$out" || fail "$ns: second realserver add did not say it was already configured: $out"
done
in_ns "$NS_RS1" "$LVS_BIN" realserver list
pass "real servers configured (VIP on lo, arp_ignore=1, arp_announce=2)"

# ---- director ----
lvs attach "$DIR_IF"
rr_service -t "$VIP:80" 80 -g
lvs_list
check_listed_service TCP "$VIP:80" rr
check_listed_server "$RS1_IP:80" Route 1
check_listed_server "$RS2_IP:80" Route 1

# ---- traffic ----
# Capture on the director's bridge port: it sees the requests arriving for the
# director and the same requests coming back out of it (XDP_TX, rewritten to a
# real server's MAC); a reply from a real server there would be a DR failure.
# And on the client's port: the replies must come from the real servers' MACs.
dr_captures "tcp port 80"
http_requests "$REQUESTS" "http://$VIP/"
capture_stop "$cap_pid" "$cap_cli_pid"
lvs -Ln --stats || true

check_http_answered "$REQUESTS"
check_rr_split "$rs1" "$rs2"
pass "all $REQUESTS requests answered, split rs1=$rs1 rs2=$rs2"

# ---- the data plane's own counters, as `status` shows them ----
status=$(lvs status)
echo "$status"
scheduled=$(sed -n 's/^connections: \([0-9]*\) scheduled.*/\1/p' <<<"$status")
((scheduled >= REQUESTS)) || fail "status shows $scheduled connections scheduled, expected at least $REQUESTS"
pass "status counts $scheduled scheduled connections"

# -L --stats --exact: the service's Conns are exactly the connections made,
# split over its servers.
stats=$(lvs -Ln --stats --exact)
echo "$stats"
svc_conns=$(awk -v vip="$VIP:80" '$1 == "TCP" && $2 == vip { print $3 }' <<<"$stats")
rs_conns=$(awk '$1 == "->" && $2 ~ /:80$/ { sum += $3 } END { print sum + 0 }' <<<"$stats")
((svc_conns == scheduled && rs_conns == scheduled)) ||
    fail "--stats shows Conns $svc_conns for the service and $rs_conns over its servers, expected $scheduled"
pass "--stats counts every connection"

# ---- replies bypass the director ----
to_dir=$(capture_count "$cap" "dst host $VIP and dst port 80")
replies=$(capture_count "$cap" "src host $VIP and src port 80")
rs1_mac=$(iface_mac_of "$NS_RS1" "$RS1_IF")
rs2_mac=$(iface_mac_of "$NS_RS2" "$RS2_IF")
bounced1=$(capture_count "$cap" "ether dst $rs1_mac and dst host $VIP")
bounced2=$(capture_count "$cap" "ether dst $rs2_mac and dst host $VIP")
log "director port: $to_dir request packets (in and forwarded), forwarded to rs1=$bounced1 rs2=$bounced2, replies=$replies"
((to_dir >= REQUESTS)) || fail "capture saw only $to_dir request packets on the director's port"
((bounced1 > 0 && bounced2 > 0)) || fail "no forwarded frames with a real server's MAC on the director's port"
((replies == 0)) || fail "$replies reply packets from $VIP:80 reached the director's port (DR replies must bypass it)"
dir_mac=$(iface_mac_of "$NS_DIR" "$DIR_IF")
from_rs1=$(capture_count "$cap_cli" "src host $VIP and src port 80 and ether src $rs1_mac")
from_rs2=$(capture_count "$cap_cli" "src host $VIP and src port 80 and ether src $rs2_mac")
from_dir=$(capture_count "$cap_cli" "src host $VIP and src port 80 and ether src $dir_mac")
log "client port: replies from rs1's MAC=$from_rs1, rs2's MAC=$from_rs2, the director's MAC=$from_dir"
((from_rs1 > 0 && from_rs2 > 0)) || fail "the client did not get replies straight from both real servers"
((from_dir == 0)) || fail "$from_dir replies came from the director's MAC"
pass "replies bypass the director"

# ---- real servers undone ----
for ns in "$NS_RS1" "$NS_RS2"; do
    in_ns "$ns" "$LVS_BIN" realserver del "$VIP"
    ! ip -n "$ns" -4 addr show dev lo | has "inet $VIP/" || fail "$ns: $VIP still on lo after del"
    for iface in lo all; do
        [[ $(sysctl_in "$ns" "net.ipv4.conf.$iface.arp_ignore") == 0 ]] || fail "$ns: $iface.arp_ignore not restored"
        [[ $(sysctl_in "$ns" "net.ipv4.conf.$iface.arp_announce") == 0 ]] || fail "$ns: $iface.arp_announce not restored"
    done
    if in_ns "$ns" "$LVS_BIN" realserver del "$VIP" 2>/dev/null; then
        fail "$ns: deleting an unconfigured VIP succeeded"
    fi
done
pass "realserver del restored the sysctls"
