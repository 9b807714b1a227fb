#!/usr/bin/env bash
# An attach killed (SIGKILL) at any point (issue 8, faults): libbpf makes and
# pins the maps one by one, so a kill during the load leaves some pinned and
# not the others. The next attach must complete the set and work, not stop
# every command with "not set up: run attach first" (what it did).
#   - deterministic: after a full attach and detach, half of the pins are
#     removed; attach warns that they were missing, succeeds, and a DR
#     service then answers HTTP through the VIP;
#   - killed: attach is started afresh and killed after 20 ms to 400 ms
#     (covering the loads' map creation on this machine: about 50-150 ms),
#     then attach run again must succeed, -L -n must work, and HTTP must be
#     answered through the VIP; then everything is removed for the next round;
#   - killed after the program went on the interface, before the maps knew
#     it (the interface's lvs_ifaces entry removed by hand stands for that):
#     attach must say it finished an interrupted attach, status must list the
#     interface again, and -L -c must still list the flows (the hash key it
#     records is the running program's own).
# Usage (as root): test_attach_killed.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

setup_dr_topology
start_http_servers
realservers add "$VIP"

# attach_and_serve: attach (again), the DR service, one request answered.
attach_and_serve() {
    local out
    out=$(lvs attach "$DIR_IF" 2>&1) || fail "attach after $1 failed: $out"
    lvs -L -n >/dev/null || fail "-L -n after $1 failed"
    lvs -C
    rr_service -t "$VIP:80" "" -g
    wait_until 5 http_get "$NS_CLI" "http://$VIP/" >/dev/null || fail "no HTTP answer through the VIP after $1"
    log "after $1: ${out//$'\n'/; }"
}

# start_over: nothing attached, no pins.
start_over() {
    lvs detach "$DIR_IF" >/dev/null 2>&1 || true
    rm -f "$LIB_BPFFS"/lvs_*
}

lvs attach "$DIR_IF"
lvs detach "$DIR_IF"
pins=("$LIB_BPFFS"/lvs_*)
((${#pins[@]} >= 10)) || fail "only ${#pins[@]} pins after an attach"
for ((i = 0; i < ${#pins[@]}; i += 2)); do rm "${pins[i]}"; done
out=$(lvs attach "$DIR_IF" 2>&1) || fail "attach with half of the pins removed failed: $out"
[[ $out == *"were missing"* ]] || fail "attach did not say maps were missing: $out"
attach_and_serve "a pin directory with half of its maps"
pass "attach completes a pin directory with half of its maps removed"

for delay in 0.02 0.05 0.08 0.12 0.2 0.4; do
    start_over
    nsenter --net="/run/netns/$NS_DIR" -- "$LVS_BIN" --pin-dir "$LIB_BPFFS" attach "$DIR_IF" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    left=$(find "$LIB_BPFFS" -maxdepth 1 -name 'lvs_*' | wc -l)
    attach_and_serve "an attach killed after ${delay}s ($left pins left)"
done
pass "after an attach killed at any of 6 points, attach again works and the VIP answers"

for i in 1 2 3; do http_get "$NS_CLI" "http://$VIP/" >/dev/null || fail "no HTTP answer before the last round"; done
flows=$(lvs -L -c -n | grep -c "$VIP:80" || true)
((flows >= 3)) || fail "-L -c lists $flows flows to the VIP, not at least 3"
ifindex=$(ip -n "$NS_DIR" -o link show "$DIR_IF" | cut -d: -f1)
key=$(printf '%d %d %d %d' $((ifindex & 255)) $((ifindex >> 8 & 255)) 0 0)
# shellcheck disable=SC2086 # the key's bytes
bpftool map delete pinned "$LIB_BPFFS/lvs_ifaces" key $key
lvs status | grep -q "attached to no interface" || fail "status still lists $DIR_IF after its entry was removed"
out=$(lvs attach "$DIR_IF" 2>&1) || fail "attach over the unregistered program failed: $out"
[[ $out == *"finished an attach that was interrupted"* ]] || fail "attach did not finish the interrupted one: $out"
lvs status | grep -q "^interface $DIR_IF:" || fail "status does not list $DIR_IF after attach finished it"
after=$(lvs -L -c -n | grep -c "$VIP:80" || true)
((after == flows)) || fail "-L -c lists $after flows after attach finished, $flows before (hash key changed?)"
wait_until 5 http_get "$NS_CLI" "http://$VIP/" >/dev/null || fail "no HTTP answer after attach finished"
pass "attach finishes one interrupted after the program went on: interface registered, same hash key"
realservers del "$VIP"
