#!/usr/bin/env bash
# sh (source hashing) at XDP, DR, two servers:
#   -A -t VIP:80 -s sh            each client address sticks to one server across
#                                 many connections; the addresses spread over
#                                 both servers
#   -E ... -s sh -b sh-port       the client's port joins the hash: one address's
#                                 connections spread over both servers
#   rs2 at weight 0, plain sh     its clients get no server (as in IPVS)
#   -E ... -s sh -b sh-fallback   its clients move to the other server, the
#                                 others stay where they were
# The client has ADDRS addresses in the DR subnet (10.77.0.0/24).
# Usage (as root): test_sched_hash.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

PER_ADDR=${LVS_E2E_PER_ADDR:-8}
ADDRS=(10.77.0.21 10.77.0.22 10.77.0.23 10.77.0.24 10.77.0.25 10.77.0.26)

setup_dr_topology
start_http_servers
realservers add "$VIP"
lvs attach "$DIR_IF"
for a in "${ADDRS[@]}"; do ip -n "$NS_CLI" addr add "$a/$SUBNET_PLEN" dev "$CLI_IF"; done

# requests_from SRC N: N requests (each a new connection) from the client's
# address SRC, all answered; leaves the counts in rs1 and rs2.
requests_from() {
    http_requests_from "$1" "$2" "http://$VIP/"
    check_http_answered "$2"
}

# place_all: requests from every address; each must stick to one server.
# Leaves address -> server (rs1|rs2) in placed.
declare -A placed=()
place_all() {
    local a
    placed=()
    for a in "${ADDRS[@]}"; do
        requests_from "$a" "$PER_ADDR"
        if ((rs2 == 0)); then placed[$a]=rs1; elif ((rs1 == 0)); then placed[$a]=rs2; else
            fail "sh: the connections of $a were split rs1=$rs1 rs2=$rs2"
        fi
    done
}

lvs -A -t "$VIP:80" -s sh
lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g

# ---- sh: every address sticks to one server, both servers get addresses ----
place_all
declare -A before=()
on_rs1=0
for a in "${ADDRS[@]}"; do
    before[$a]=${placed[$a]}
    [[ ${placed[$a]} == rs1 ]] && on_rs1=$((on_rs1 + 1))
done
log "placement: $(for a in "${ADDRS[@]}"; do printf '%s=%s ' "$a" "${placed[$a]}"; done)"
((on_rs1 > 0 && on_rs1 < ${#ADDRS[@]})) || fail "sh put all ${#ADDRS[@]} client addresses on one server"
pass "sh: each of ${#ADDRS[@]} addresses sticks to one server over $PER_ADDR connections; $on_rs1 on rs1"

# The same again: the same placement (no state: the hash decides).
place_all
for a in "${ADDRS[@]}"; do
    [[ ${placed[$a]} == "${before[$a]}" ]] || fail "sh: $a moved from ${before[$a]} to ${placed[$a]}"
done
pass "sh: the placement is the same the second time"

# ---- -b sh-port: the port joins the hash ----
lvs -E -t "$VIP:80" -s sh -b sh-port
lvs_list
grep -Eq "^TCP +$VIP:80 +sh \(sh-port\)" <<<"$listing" || fail "-Ln does not show 'sh (sh-port)'"
requests_from "${ADDRS[0]}" 24
((rs1 > 0 && rs2 > 0)) || fail "sh-port: 24 connections from one address all went to one server (rs1=$rs1 rs2=$rs2)"
pass "sh-port: one address's connections spread rs1=$rs1 rs2=$rs2"

# ---- without -b sh-fallback, a weight-0 server's clients get no server ----
lvs -E -t "$VIP:80" -s sh
lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 0
lvs_list
grep -Eq "^TCP +$VIP:80 +sh\$" <<<"$listing" || fail "-Ln does not show plain 'sh' after -E without -b"
for a in "${ADDRS[@]}"; do
    body=$(in_ns "$NS_CLI" curl -s --interface "$a" --connect-timeout 1 --max-time 2 "http://$VIP/") || body=
    if [[ ${before[$a]} == rs1 ]]; then
        [[ $body == rs1 ]] || fail "sh: $a (on rs1) got '$body' with rs2 at weight 0"
    else
        [[ -z $body ]] || fail "sh without sh-fallback: $a (bucket on rs2, weight 0) was answered by '$body'; IPVS has no server for it"
    fi
done
pass "sh without sh-fallback: rs2 at weight 0 leaves its clients without a server, rs1's keep rs1"

# ---- -b sh-fallback: a weight-0 server's clients move, the others stay ----
lvs -E -t "$VIP:80" -s sh -b sh-fallback
place_all
for a in "${ADDRS[@]}"; do
    [[ ${placed[$a]} == rs1 ]] || fail "sh-fallback: $a still went to rs2 at weight 0"
done
pass "sh-fallback: with rs2 at weight 0 every address goes to rs1"
lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 1
place_all
for a in "${ADDRS[@]}"; do
    [[ ${placed[$a]} == "${before[$a]}" ]] || fail "sh-fallback: $a is on ${placed[$a]} after rs2 came back, was on ${before[$a]}"
done
pass "sh-fallback: rs2 back at weight 1, the original placement returns"
