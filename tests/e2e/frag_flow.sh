# shellcheck shell=bash
# UDP datagrams larger than the MTU through a VIP, for any forwarding mode:
# the client's kernel sends each in fragments, the director forwards the first
# fragment by its flow and the later ones (no ports) after it, the real
# server's kernel reassembles the datagram and udp_name_server.py echoes it
# whole, in fragments again (through the director in NAT). Source it after
# lib.sh (or lib_nat.sh); the test sets up its topology, the UDP servers and
# the service, then calls frag_flow_check.

FRAG_SIZE=${LVS_E2E_FRAG_SIZE:-3000}
FRAG_REQUESTS=${LVS_E2E_REQUESTS:-40}

# frag_counts: "FIRST LATER PASSED" from the fragments line of lvs-xdp status.
frag_counts() {
    lvs status | sed -n 's/^fragments: \([0-9]*\) first .*, \([0-9]*\) later fragments followed them, \([0-9]*\) later .*/\1 \2 \3/p'
}

# frag_flow_check PORT WHAT: FRAG_REQUESTS datagrams of FRAG_SIZE bytes to
# VIP:PORT, each from a new source port: every one answered with its whole
# payload echoed, split by rr between the two servers, and the director's
# counters show first and later fragments forwarded (a director that passed
# the fragments to its kernel would get no answer at all).
frag_flow_check() {
    local port=$1 what=$2 first=0 later=0 passed=0
    udp_requests "$FRAG_REQUESTS" "$port" "$FRAG_SIZE"
    read -r first later passed < <(frag_counts) || true
    log "$what: director forwarded $first first fragments, $later later ones; $passed later ones passed"
    ((lost == 0)) || fail "$what: $lost of $FRAG_REQUESTS datagrams of $FRAG_SIZE bytes got no (or a wrong) answer"
    check_rr_split "$rs1" "$rs2"
    ((first >= FRAG_REQUESTS && later >= FRAG_REQUESTS)) ||
        fail "$what: only $first first and $later later fragments forwarded for $FRAG_REQUESTS datagrams"
    pass "$what: $FRAG_REQUESTS datagrams of $FRAG_SIZE bytes arrived whole and came back whole (rs1=$rs1 rs2=$rs2)"
}
