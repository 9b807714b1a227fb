#!/usr/bin/env bash
# Persistence (-p, -M) at XDP, DR, two servers, rr:
#   -A -t VIP:80 -s rr            20 requests alternate between rs1 and rs2
#   -E -t VIP:80 -s rr -p 60      20 requests from one client all reach one server
#   -Lnc                          the connections, all to that server, and the
#                                 template: state NONE, client port 0, expire
#                                 within the timeout (not 00:00, not over 01:00)
#   -Ln --persistent-conn         PersistConn 1 on that server, 0 on the other
#   -M 255.255.255.0              a second address of the client in the same /24
#                                 shares the first one's template (and server);
#                                 with the default /32 mask it gets its own.
# Usage (as root): test_persist.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

REQUESTS=20
TIMEOUT=60
CLI_IP2=10.77.0.20 # a second address of the client, same /24

setup_dr_topology
start_http_servers
realservers add "$VIP"
lvs attach "$DIR_IF"
ip -n "$NS_CLI" addr add "$CLI_IP2/$SUBNET_PLEN" dev "$CLI_IF"

# requests_from SRC N: N requests (each a new connection) from the client's
# address SRC, all answered; leaves the counts in rs1 and rs2.
requests_from() {
    http_requests_from "$1" "$2" "http://$VIP/"
    check_http_answered "$2"
}

# sticky_server: the server all the last requests_from went to ("" if split).
sticky_server() {
    if ((rs2 == 0)); then echo "$RS1_IP"; elif ((rs1 == 0)); then echo "$RS2_IP"; fi
}

# mmss_seconds MM:SS: seconds.
mmss_seconds() { echo $((10#${1%%:*} * 60 + 10#${1##*:})); }

lvs -A -t "$VIP:80" -s rr
lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g

# ---- without -p: rr alternates ----
requests_from "$CLI_IP" "$REQUESTS"
check_rr_split "$rs1" "$rs2"
conns=$(lvs -Lnc)
! grep -q " NONE " <<<"$conns" || fail "-Lnc lists a template for a service without -p: $conns"
# rows_to SERVER: -Lnc's connection rows from CLI_IP to SERVER:80 in conns.
rows_to() { grep -cE "^TCP [0-9]{2}:[0-9]{2} +[A-Z_]+ +$CLI_IP:[1-9][0-9]* +$VIP:80 +$1:80\$" <<<"$conns" || true; }
before1=$(rows_to "$RS1_IP")
before2=$(rows_to "$RS2_IP")
((before1 == rs1 && before2 == rs2)) || fail "-Lnc lists $before1 connections to rs1 and $before2 to rs2, expected $rs1 and $rs2"
pass "without -p: rr splits one client's connections rs1=$rs1 rs2=$rs2, no template"

# ---- with -p 60: one server ----
lvs -E -t "$VIP:80" -s rr -p "$TIMEOUT"
lvs_list
grep -Eq "^TCP +$VIP:80 +rr +persistent $TIMEOUT( |\$)" <<<"$listing" || fail "-Ln does not show 'rr persistent $TIMEOUT'"
requests_from "$CLI_IP" "$REQUESTS"
sticky=$(sticky_server)
[[ -n $sticky ]] || fail "-p $TIMEOUT: one client's connections were split rs1=$rs1 rs2=$rs2"
pass "-p $TIMEOUT: all $REQUESTS connections from $CLI_IP went to $sticky"

# ---- -Lnc: the connections and the template ----
conns=$(lvs -Lnc)
echo "$conns"
head -2 <<<"$conns" | has "^pro expire state" || fail "-Lnc does not print ipvsadm's header"
other=$([[ $sticky == "$RS1_IP" ]] && echo "$RS2_IP" || echo "$RS1_IP")
if [[ $sticky == "$RS1_IP" ]]; then want_sticky=$((before1 + REQUESTS)) want_other=$before2; else
    want_sticky=$((before2 + REQUESTS)) want_other=$before1; fi
nrows=$(rows_to "$sticky")
((nrows == want_sticky)) || fail "-Lnc lists $nrows connections to $sticky, expected $want_sticky (the $REQUESTS new ones)"
(($(rows_to "$other") == want_other)) || fail "-Lnc lists new connections to $other"
pass "-Lnc lists the $REQUESTS new connections, all to $sticky"

tpl=$(grep -E "^TCP [0-9]{2}:[0-9]{2} +NONE +$CLI_IP:0 +$VIP:80 +$sticky:80\$" <<<"$conns" || true)
[[ $(grep -c . <<<"$tpl") -eq 1 ]] || fail "-Lnc does not list exactly one template (NONE, $CLI_IP:0 -> $VIP:80 -> $sticky:80): '$tpl'"
expire=$(awk '{ print $2 }' <<<"$tpl")
secs=$(mmss_seconds "$expire")
# Made within the last few seconds: between TIMEOUT - 15 s and TIMEOUT.
((secs > 0 && secs <= TIMEOUT && secs >= TIMEOUT - 15)) ||
    fail "template expire $expire ($secs s) not within $((TIMEOUT - 15))..$TIMEOUT s"
[[ $(grep -c " NONE " <<<"$conns") -eq 1 ]] || fail "-Lnc lists more than one template"
pass "-Lnc lists the template: $tpl"

pconn=$(lvs -Ln --persistent-conn)
echo "$pconn"
[[ $(awk -v rs="$sticky:80" '$1 == "->" && $2 == rs { print $4 }' <<<"$pconn") == 1 ]] ||
    fail "--persistent-conn does not show PersistConn 1 for $sticky"
[[ $(awk -v rs="$other:80" '$1 == "->" && $2 == rs { print $4 }' <<<"$pconn") == 0 ]] ||
    fail "--persistent-conn does not show PersistConn 0 for $other"
pass "--persistent-conn: PersistConn 1 on $sticky, 0 on $other"

# ---- another client address: its own template (-M 255.255.255.255) ----
# (Which server rr gives it is not asserted: the rr position is per CPU.)
requests_from "$CLI_IP2" "$REQUESTS"
sticky2=$(sticky_server)
[[ -n $sticky2 ]] || fail "-p: the connections of $CLI_IP2 were split rs1=$rs1 rs2=$rs2"
conns=$(lvs -Lnc)
grep -Eq "^TCP [0-9]{2}:[0-9]{2} +NONE +$CLI_IP2:0 +$VIP:80 +$sticky2:80\$" <<<"$conns" ||
    fail "-Lnc does not list $CLI_IP2's own template on $sticky2: $conns"
[[ $(grep -c " NONE " <<<"$conns") -eq 2 ]] || fail "-M /32: expected two templates (one per address): $conns"
pass "-M 255.255.255.255: $CLI_IP2 has its own template, on $sticky2"

# ---- -M 255.255.255.0: one template for the /24 ----
lvs -D -t "$VIP:80"
lvs -A -t "$VIP:80" -s rr -p "$TIMEOUT" -M 255.255.255.0
lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g
requests_from "$CLI_IP" 10
first=$(sticky_server)
[[ -n $first ]] || fail "-M /24: $CLI_IP's connections were split rs1=$rs1 rs2=$rs2"
requests_from "$CLI_IP2" 10
[[ $(sticky_server) == "$first" ]] ||
    fail "-M 255.255.255.0: $CLI_IP2 (same /24 as $CLI_IP) went rs1=$rs1 rs2=$rs2, expected all on $first"
conns=$(lvs -Lnc)
echo "$conns"
tpl=$(grep -E " NONE " <<<"$conns" || true)
[[ $(grep -c . <<<"$tpl") -eq 1 ]] || fail "-M /24: expected one template, -Lnc lists: '$tpl'"
grep -Eq "^TCP [0-9]{2}:[0-9]{2} +NONE +10\.77\.0\.0:0 +$VIP:80 +$first:80\$" <<<"$tpl" ||
    fail "-M /24: the template is not 10.77.0.0:0 -> $VIP:80 -> $first:80: $tpl"
pass "-M 255.255.255.0: both client addresses share one template, on $first"
