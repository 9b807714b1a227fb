#!/usr/bin/env bash
# A real server removed (-d) while it holds connections (issue 8), as IPVS's
# net.ipv4.vs.expire_nodest_conn decides:
#   0 (default): the connection's packets are dropped silently (counted in
#     "removed servers" of lvs-xdp status), new connections go to the others;
#   1 (lvs-xdp sysctl expire_nodest_conn=1): its next packet expires it and is
#     scheduled anew, so it reaches the other server, which resets it: the
#     client learns at once; the sweep of -L ends the removed server's idle
#     connections too.
# The setting is refused unless 0 or 1, and survives a detach and attach.
# Usage (as root): test_expire_nodest.sh LVS_XDP_BINARY [BUILD_DIR]
LVS_E2E_PREFIX=${LVS_E2E_PREFIX:-lvsEN$$}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

setup_dr_topology
start_line_server "$NS_RS1" rs1 "$RS1_IP"
start_line_server "$NS_RS2" rs2 "$RS2_IP"
realservers add "$VIP" >/dev/null
lvs attach "$DIR_IF"
rr_service -t "$VIP:80" 80 -g

# hold COUNT: COUNT connections on rs2, held by line_hold.py; "send" makes the
# first one pass a line (hold_send prints the outcome).
hold() {
    mkfifo "$LIB_TMP/hold-in-$1"
    exec {hold_fd}<>"$LIB_TMP/hold-in-$1"  # open both ways: opening to read alone would wait for a writer
    # Not bg_in_ns: a background command's stdin would be /dev/null.
    nsenter --net="/run/netns/$NS_CLI" -- "$PY" "$LIB_DIR/line_hold.py" "$VIP" rs2 "$2" \
        <"$LIB_TMP/hold-in-$1" >"$LIB_TMP/hold-out-$1" 2>&1 &
    LIB_PIDS+=("$!")
    hold_out=$LIB_TMP/hold-out-$1
    wait_until 15 grep -q "^held $2" "$hold_out" || fail "could not hold $2 connections on rs2: $(cat "$hold_out")"
}
hold_send() {
    local before
    before=$(grep -c "^result " "$hold_out" || true)
    echo send >&"$hold_fd"
    # shellcheck disable=SC2016 # expanded by the inner bash, each try
    wait_until 10 bash -c '(($(grep -c "^result " "$1") > $2))' x "$hold_out" "$before" ||
        fail "the held connection did not report: $(cat "$hold_out")"
    grep "^result " "$hold_out" | tail -1 | cut -d' ' -f2-
}
# new_requests N: N HTTP requests, each a new connection; prints who answered.
new_requests() {
    local i
    for ((i = 0; i < $1; i++)); do http_get "$NS_CLI" "http://$VIP/" || echo failed; done | sort | uniq -c | tr '\n' ' '
}
nodest_drops() { lvs status | sed -n 's/^removed servers: \([0-9]*\) .*/\1/p'; }

[[ $(lvs sysctl expire_nodest_conn) == "net.ipv4.vs.expire_nodest_conn = 0" ]] ||
    fail "expire_nodest_conn is not 0 by default: $(lvs sysctl expire_nodest_conn)"

# ---- expire_nodest_conn = 0 ----
hold a 1
[[ $(hold_send) == "answer rs2 "* ]] || fail "the held connection is not on rs2"
lvs -d -t "$VIP:80" -r "$RS2_IP:80"
out=$(hold_send)
log "default, after -d rs2: $out"
[[ $out == timeout* ]] || fail "with expire_nodest_conn 0 the removed server's connection should hang, got: $out"
drops=$(nodest_drops)
((drops >= 1)) || fail "status counts no dropped packet of the removed server ($drops)"
answers=$(new_requests 6)
log "new connections: $answers"
[[ $answers == "      6 rs1 " ]] || fail "new connections should all go to rs1: $answers"
pass "expire_nodest_conn 0: the removed server's connection hangs (its $drops packets dropped), new ones go to rs1"
exec {hold_fd}>&-

# ---- expire_nodest_conn = 1 ----
out=$(lvs sysctl expire_nodest_conn=1)
[[ $out == "net.ipv4.vs.expire_nodest_conn = 1" ]] || fail "sysctl printed: $out"
[[ $(lvs sysctl) == *"net.ipv4.vs.expire_nodest_conn = 1"* ]] || fail "the listing does not show the setting"
lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g
hold b 2
[[ $(hold_send) == "answer rs2 "* ]] || fail "the held connection is not on rs2"
lvs -Lnc | has " $RS2_IP:80\$" || fail "-Lnc lists no connection to rs2"
lvs -d -t "$VIP:80" -r "$RS2_IP:80"
out=$(hold_send)
log "expire_nodest_conn=1, after -d rs2: $out"
[[ $out == reset* ]] || fail "with expire_nodest_conn 1 the connection should be reset at once, got: $out"
awk '{ exit !($NF < 1) }' <<<"$out" || fail "the reset took $out"
conns=$(lvs -Lnc)
echo "$conns"
! grep -q " $RS2_IP:80\$" <<<"$conns" || fail "-Lnc still lists connections to the removed rs2"
answers=$(new_requests 6)
[[ $answers == "      6 rs1 " ]] || fail "new connections should all go to rs1: $answers"
pass "expire_nodest_conn 1: the removed server's connection is reset at once, its idle one swept, new ones go to rs1"
exec {hold_fd}>&-

# Bad values change nothing.
if lvs sysctl expire_nodest_conn=2 2>"$LIB_TMP/err"; then fail "expire_nodest_conn=2 was taken"; fi
grep -q "invalid value" "$LIB_TMP/err" || fail "no clear error: $(cat "$LIB_TMP/err")"
[[ $(lvs sysctl expire_nodest_conn) == *"= 1" ]] || fail "a refused value changed the setting"
pass "a bad value is refused and changes nothing"

# The setting lives in the pinned maps: a detach and attach keeps it.
lvs detach "$DIR_IF"
lvs attach "$DIR_IF"
[[ $(lvs sysctl net.ipv4.vs.expire_nodest_conn) == *"= 1" ]] || fail "the setting did not survive a re-attach"
pass "the setting survives a re-attach"
