#!/usr/bin/env bash
# sh (source hashing) and mh (Maglev hashing) at XDP, DR, two servers; for
# each of them (shown for sh, mh the same with mh-port and mh-fallback):
#   -A -t VIP:80 -s sh            each client address sticks to one server across
#                                 many connections, the one IPVS's hash gives
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
# Where IPVS puts them, worked out by hand from the kernel's code with rs2
# first in IPVS's list (added last, list_add at the head), both weight 1:
# sh: bucket hash_32(addr, 8) = (addr * 0x61C88647) >> 24, even buckets rs2,
#     odd rs1 (46 144 242 84 181 23);
# mh: ip_vs_mh_populate's Maglev table (hsiphash with ip_vs_mh's keys) over
#     rs2, rs1, looked up at hsiphash(addr) % 4093.
# Both happen to give the same placement for these addresses.
declare -A IPVS_PLACES=([10.77.0.21]=rs2 [10.77.0.22]=rs2 [10.77.0.23]=rs2 [10.77.0.24]=rs2
    [10.77.0.25]=rs1 [10.77.0.26]=rs1)

setup_dr_topology
start_http_servers
realservers add "$VIP"
lvs attach "$DIR_IF"
for a in "${ADDRS[@]}"; do ip -n "$NS_CLI" addr add "$a/$SUBNET_PLEN" dev "$CLI_IF"; done
# sh's connections outlive its service (-D) in FIN_WAIT for 120 s, and curl
# binds a random source port: a SYN of the mh round that reuses the port of
# one of them belongs to a connection whose server is gone, which IPVS (and
# lvs-xdp) drops by default (test_expire_nodest.sh). Expired instead, so that
# the reused port is scheduled as the new connection it is.
lvs sysctl expire_nodest_conn=1

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
            fail "$sched: the connections of $a were split rs1=$rs1 rs2=$rs2"
        fi
    done
}

declare -A before=()
for sched in sh mh; do
    lvs -A -t "$VIP:80" -s "$sched"
    lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
    lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g

    # ---- every address sticks to one server, both servers get addresses ----
    place_all
    before=()
    on_rs1=0
    for a in "${ADDRS[@]}"; do
        before[$a]=${placed[$a]}
        [[ ${placed[$a]} == rs1 ]] && on_rs1=$((on_rs1 + 1))
    done
    log "placement: $(for a in "${ADDRS[@]}"; do printf '%s=%s ' "$a" "${placed[$a]}"; done)"
    for a in "${ADDRS[@]}"; do
        [[ ${placed[$a]} == "${IPVS_PLACES[$a]}" ]] || fail "$sched: $a went to ${placed[$a]}; IPVS's hash puts it on ${IPVS_PLACES[$a]}"
    done
    ((on_rs1 > 0 && on_rs1 < ${#ADDRS[@]})) || fail "$sched put all ${#ADDRS[@]} client addresses on one server"
    pass "$sched: each of ${#ADDRS[@]} addresses sticks to one server over $PER_ADDR connections; $on_rs1 on rs1"

    # The same again: the same placement (no state: the hash decides).
    place_all
    for a in "${ADDRS[@]}"; do
        [[ ${placed[$a]} == "${before[$a]}" ]] || fail "$sched: $a moved from ${before[$a]} to ${placed[$a]}"
    done
    pass "$sched: the placement is the same the second time"

    # ---- -b sh-port (mh-port): the port joins the hash ----
    lvs -E -t "$VIP:80" -s "$sched" -b "$sched-port"
    lvs_list
    grep -Eq "^TCP +$VIP:80 +$sched \($sched-port\)" <<<"$listing" || fail "-Ln does not show '$sched ($sched-port)'"
    requests_from "${ADDRS[0]}" 24
    ((rs1 > 0 && rs2 > 0)) || fail "$sched-port: 24 connections from one address all went to one server (rs1=$rs1 rs2=$rs2)"
    pass "$sched-port: one address's connections spread rs1=$rs1 rs2=$rs2"

    # ---- without -b sh-fallback (mh-fallback), a weight-0 server's clients get no server ----
    lvs -E -t "$VIP:80" -s "$sched"
    lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 0
    lvs_list
    grep -Eq "^TCP +$VIP:80 +$sched\$" <<<"$listing" || fail "-Ln does not show plain '$sched' after -E without -b"
    for a in "${ADDRS[@]}"; do
        body=$(in_ns "$NS_CLI" curl -s --interface "$a" --connect-timeout 1 --max-time 2 "http://$VIP/") || body=
        if [[ ${before[$a]} == rs1 ]]; then
            [[ $body == rs1 ]] || fail "$sched: $a (on rs1) got '$body' with rs2 at weight 0"
        else
            [[ -z $body ]] || fail "$sched without $sched-fallback: $a (bucket on rs2, weight 0) was answered by '$body'; IPVS has no server for it"
        fi
    done
    pass "$sched without $sched-fallback: rs2 at weight 0 leaves its clients without a server, rs1's keep rs1"

    # ---- -b sh-fallback (mh-fallback): a weight-0 server's clients move, the others stay ----
    lvs -E -t "$VIP:80" -s "$sched" -b "$sched-fallback"
    place_all
    for a in "${ADDRS[@]}"; do
        [[ ${placed[$a]} == rs1 ]] || fail "$sched-fallback: $a still went to rs2 at weight 0"
    done
    pass "$sched-fallback: with rs2 at weight 0 every address goes to rs1"
    lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 1
    place_all
    for a in "${ADDRS[@]}"; do
        [[ ${placed[$a]} == "${before[$a]}" ]] || fail "$sched-fallback: $a is on ${placed[$a]} after rs2 came back, was on ${before[$a]}"
    done
    pass "$sched-fallback: rs2 back at weight 1, the original placement returns"
    lvs -D -t "$VIP:80"
done
