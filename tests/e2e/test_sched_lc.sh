#!/usr/bin/env bash
# lc and wlc at XDP, DR, against live connection counts:
#   -A -t VIP:80 -s lc|wlc; -a ... -r RS1:80 -g; (later) -a ... -r RS2:80 -g
# HELD long-lived TCP connections (ESTABLISHED: the director has seen the
# client's ACK) are opened while rs1 is the only server, so all of them land
# on rs1. Then rs2 is added and SHORT new HTTP requests are made one after
# the other. IPVS's lc/wlc compare activeconns * 256 + inactconns (wlc also
# divides by the weight): rs1 weighs HELD * 256, rs2 at most a few hundred
# inactive connections, so every new connection goes to rs2. A scheduler that
# ignored the counts (rr, or lc without live counters) would send half of
# them to rs1. Also: -Ln shows ActiveConn = HELD for rs1 while they are open,
# and the held connections still work afterwards.
# Usage (as root): test_sched_lc.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

HELD=${LVS_E2E_HELD:-6}
SHORT=${LVS_E2E_SHORT:-30}
MORE=100
WEIGHT1=20

setup_dr_topology
start_http_servers
realservers add "$VIP"
lvs attach "$DIR_IF"

# active_of ADDR:PORT / inactive_of ADDR:PORT: the server's ActiveConn and
# InActConn in the last lvs_list.
active_of() { awk -v rs="$1" '$1 == "->" && $2 == rs { print $5 }' <<<"$listing"; }
inactive_of() { awk -v rs="$1" '$1 == "->" && $2 == rs { print $6 }' <<<"$listing"; }

for sched in lc wlc; do
    log "---- -s $sched ----"
    lvs -C
    lvs -A -t "$VIP:80" -s "$sched"
    lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g

    hold_start "$HELD"
    # The client's ACK of each handshake has reached the director: all HELD
    # are ESTABLISHED on rs1, so ActiveConn counts them.
    for _ in $(seq 20); do
        listing=$(lvs -Ln)
        [[ $(active_of "$RS1_IP:80") == "$HELD" ]] && break
        sleep 0.1
    done
    lvs_list
    check_listed_service TCP "$VIP:80" "$sched"
    active=$(active_of "$RS1_IP:80")
    [[ $active == "$HELD" ]] || fail "$sched: -Ln shows ActiveConn '$active' for rs1, which holds $HELD open connections"
    pass "$sched: -Ln shows rs1's $HELD held connections as ActiveConn"

    lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g
    http_requests "$SHORT" "http://$VIP/"
    check_http_answered "$SHORT"
    ((rs1 == 0 && rs2 == SHORT)) ||
        fail "$sched: with $HELD active connections on rs1 and none on rs2, new connections went rs1=$rs1 rs2=$rs2 (all $SHORT must go to rs2)"
    pass "$sched: all $SHORT new connections went to the idle server rs2"

    lvs_list
    active=$(active_of "$RS1_IP:80")
    rs2_active=$(active_of "$RS2_IP:80")
    rs2_inactive=$(inactive_of "$RS2_IP:80")
    [[ $active == "$HELD" ]] || fail "$sched: rs1's ActiveConn is '$active' after the short requests, expected $HELD"
    ((rs2_active == 0)) || fail "$sched: rs2's ActiveConn is $rs2_active after its connections closed"
    ((rs2_inactive > 0 && rs2_inactive <= SHORT)) ||
        fail "$sched: rs2's InActConn is $rs2_inactive after $SHORT closed connections (expected 1..$SHORT)"
    pass "$sched: counts after the requests: rs1 ActiveConn=$active, rs2 ActiveConn=$rs2_active InActConn=$rs2_inactive"

    # The weights: rs1 at weight WEIGHT1. lc ignores weights (only 0
    # excludes): rs1's HELD * 256 still exceeds rs2's inactive count, so all
    # go to rs2. wlc divides by the weight: rs1 weighs HELD * 256 / WEIGHT1
    # (76.8), below rs2's inactive count once that passes 77, so rs1 gets
    # most of the rest (its own inactive ones weigh 1/WEIGHT1 each).
    lvs -e -t "$VIP:80" -r "$RS1_IP:80" -g -w "$WEIGHT1"
    http_requests "$MORE" "http://$VIP/"
    check_http_answered "$MORE"
    if [[ $sched == lc ]]; then
        ((rs1 == 0)) || fail "lc: rs1 at weight $WEIGHT1 got $rs1 new connections; lc ignores weights and rs1 has $HELD active"
        pass "lc: weight $WEIGHT1 on rs1 does not matter, all $MORE went to rs2"
    else
        # IPVS's wlc loop, newest server (rs2) first, ties to it: rs1 wins
        # when rs2's overhead * WEIGHT1 > rs1's overhead * 1.
        want1=0 i1=0 i2=$SHORT
        for ((i = 0; i < MORE; i++)); do
            if ((i2 * WEIGHT1 > HELD * 256 + i1)); then i1=$((i1 + 1)) want1=$((want1 + 1)); else i2=$((i2 + 1)); fi
        done
        diff=$((rs1 > want1 ? rs1 - want1 : want1 - rs1))
        ((diff <= 3)) ||
            fail "wlc: with rs1 at weight $WEIGHT1 (overhead $((HELD * 256))/$WEIGHT1), IPVS's wlc gives rs1 $want1 of $MORE; got rs1=$rs1 rs2=$rs2"
        pass "wlc: weighted by weight, rs1=$rs1 rs2=$rs2 of $MORE (IPVS's wlc: rs1=$want1)"
    fi

    hold_finish
    [[ $(grep -cx rs1 <<<"$held") -eq $HELD ]] || fail "$sched: held connections did not all stay on rs1: $held"
    pass "$sched: the held connections still answer from rs1"
done

# wlc weighs the counts by weight: rs2 at weight 0 takes nothing, even idle.
lvs -C
lvs -A -t "$VIP:80" -s wlc
lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g -w 1
lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g -w 0
http_requests 10 "http://$VIP/"
check_http_answered 10
((rs1 == 10)) || fail "wlc sent $rs2 of 10 connections to rs2 at weight 0"
pass "wlc: a server at weight 0 takes no new connections"
