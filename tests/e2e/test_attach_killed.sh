#!/usr/bin/env bash
# A first attach killed (SIGKILL) at any point (issue 8, faults): libbpf makes
# and pins the maps one by one, so a kill during the load leaves some pinned
# and not the others. The next attach must complete the set and work, not
# stop every command with "not set up: run attach first" (what it did).
#   - deterministic: after a full attach and detach, half of the pins are
#     removed; attach warns that they were missing, succeeds, and a DR
#     service then answers HTTP through the VIP;
#   - killed: attach is started afresh and killed after 20 ms to 400 ms
#     (covering the loads' map creation on this machine: about 50-150 ms),
#     then attach run again must succeed, -L -n must work, and HTTP must be
#     answered through the VIP; then everything is removed for the next round.
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
realservers del "$VIP"
