#!/usr/bin/env bash
# Upgrade in place (issue 8): the XDP program is detached and attached again
# (what installing a newer build does) while the configuration is set and
# long-lived connections are open:
#   lvs-xdp detach dir0; lvs-xdp attach dir0   (and attach --upgrade under traffic)
# The pinned maps outlive the program, so afterwards: -S shows the same
# configuration, -Lnc still lists the held connections, each held connection
# passes data to the same server as before, and new connections are balanced.
# Also the pin-directory lock: while another process holds it (flock on the
# pin directory, as PinDirLock does), lvs-xdp commands wait, then finish and
# their changes are all applied.
# Usage (as root): test_upgrade.sh LVS_XDP_BINARY [BUILD_DIR]
LVS_E2E_PREFIX=${LVS_E2E_PREFIX:-lvsUP$$}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds flock

LONG=${LVS_E2E_LONG:-6}

setup_dr_topology
start_line_server "$NS_RS1" rs1 "$RS1_IP"
start_line_server "$NS_RS2" rs2 "$RS2_IP"
realservers add "$VIP" >/dev/null
lvs attach "$DIR_IF"
prog_id() { ip -n "$NS_DIR" -d link show dev "$DIR_IF" | grep -o 'prog/xdp id [0-9]*' | tail -1; }

add_three_dr_services
before=$(lvs -S -n)
echo "$before"

talk_start "$LONG"
talk_round
conns_before=$(lvs -Lnc | grep -c "ESTABLISHED.*$VIP:80" || true)
((conns_before == LONG)) || fail "-Lnc lists $conns_before ESTABLISHED connections, $LONG are held"
pass "$LONG long-lived connections open and talking; -Lnc lists them"

# ---- the upgrade ----
old_prog=$(prog_id)
lvs detach "$DIR_IF"
if ip -n "$NS_DIR" -d link show dev "$DIR_IF" | has 'prog/xdp'; then fail "an XDP program is still on $DIR_IF after detach"; fi
lvs attach "$DIR_IF"
new_prog=$(prog_id)
[[ -n $new_prog && $new_prog != "$old_prog" ]] || fail "no new program on $DIR_IF after attach (before: '$old_prog', after: '$new_prog')"
pass "detached ($old_prog) and attached again ($new_prog)"

after=$(lvs -S -n)
[[ $after == "$before" ]] || fail "-S after the re-attach differs: $(diff <(echo "$before") <(echo "$after"))"
pass "-S shows the same configuration after the re-attach"
conns_after=$(lvs -Lnc | grep -c "ESTABLISHED.*$VIP:80" || true)
((conns_after == LONG)) || fail "-Lnc lists $conns_after ESTABLISHED connections after the re-attach, expected $LONG"
pass "the connection table kept the $LONG held connections"

talk_round
talk_finish
((talk_errors == 0)) || fail "$talk_errors exchanges on the held connections failed after the re-attach: $talk_conns"
# One exchange on opening, one round before and one after the upgrade, one on closing.
((talk_ok == LONG * 4)) || fail "$talk_ok exchanges on the held connections, expected $((LONG * 4))"
pass "each held connection passed data to the same server before and after the re-attach ($(uniq -c <<<"$talk_servers" | tr '\n' ' '))"

http_requests 40 "http://$VIP/"
check_http_answered 40
((rs1 > rs2 && rs2 > 0)) || fail "new connections after the re-attach: rs1=$rs1 rs2=$rs2 (wrr 2:1 expected)"
pass "new connections after the re-attach are balanced by the kept configuration (rs1=$rs1 rs2=$rs2)"

# ---- the pin-directory lock ----
# Hold the lock for 2 s from outside lvs-xdp; two changes started meanwhile
# must wait for it, then both be applied.
flock_log=$LIB_TMP/flock.log
flock "$LIB_BPFFS" sh -c 'echo locked; sleep 2' >"$flock_log" 2>&1 &
flock_pid=$!
LIB_PIDS+=("$flock_pid")
wait_until 5 grep -q locked "$flock_log" || fail "could not take the lock on $LIB_BPFFS"
t0=$(date +%s%N)
lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 5 &
e_pid=$!
lvs -a -t "$VIP:8080" -r "$RS2_IP:8080" -g -w 4 &
a_pid=$!
sleep 1
for pid in "$e_pid" "$a_pid"; do
    kill -0 "$pid" 2>/dev/null || fail "an lvs-xdp change finished while the pin directory was locked"
done
wait "$e_pid" || fail "lvs-xdp -e failed after waiting for the lock"
wait "$a_pid" || fail "lvs-xdp -a failed after waiting for the lock"
waited_ms=$((($(date +%s%N) - t0) / 1000000))
wait "$flock_pid" || true
((waited_ms >= 1800)) || fail "the changes finished after $waited_ms ms, before the 2 s lock was released"
saved=$(lvs -S -n)
grep -qx -- "-a -t $VIP:80 -r $RS2_IP:80 -g -w 5" <<<"$saved" || fail "the -e made while locked is not applied: $saved"
grep -qx -- "-a -t $VIP:8080 -r $RS2_IP:8080 -g -w 4" <<<"$saved" || fail "the -a made while locked is not applied: $saved"
pass "two changes started while the pin directory was locked waited ($waited_ms ms) and both are applied"

# ---- the upgrade while traffic flows ----
# Short requests in a loop and long-lived connections talking every 50 ms
# while `attach --upgrade` swaps the program in one netlink request
# (XDP_FLAGS_REPLACE): there is no moment without a program, so none fails.
# (A detach and attach leaves a gap in which the director's own stack, which
# holds the VIP, answers with resets; that is why --upgrade exists.)
talk_start "$LONG" 0.05
stop=$LIB_TMP/stop-load
# shellcheck disable=SC2016 # expanded by the inner bash
bg_in_ns "$NS_CLI" "$LIB_TMP/load.log" bash -c '
    while [[ ! -e $1 ]]; do
        if out=$(curl -s --connect-timeout 2 --max-time 4 "http://$2/"); then echo "ok $out"; else echo "fail $?"; fi
    done' load "$stop" "$VIP"
load_pid=$LIB_LAST_PID
sleep 1
before_prog=$(ip -n "$NS_DIR" -d link show dev "$DIR_IF" | grep -o 'prog/xdp id [0-9]*' || true)
lvs attach --upgrade "$DIR_IF"
upgraded_prog=$(ip -n "$NS_DIR" -d link show dev "$DIR_IF" | grep -o 'prog/xdp id [0-9]*' || true)
sleep 1
touch "$stop"
wait "$load_pid" || true
talk_finish
[[ -n $upgraded_prog && $upgraded_prog != "$before_prog" ]] ||
    fail "attach --upgrade left the program as it was ('$before_prog', then '$upgraded_prog')"
total=$(wc -l <"$LIB_TMP/load.log")
failed=$(grep -vc '^ok rs[12]$' "$LIB_TMP/load.log" || true)
log "upgrade ($before_prog -> $upgraded_prog): short requests: $total, failed $failed; long-lived exchanges failed: $talk_errors"
((total > 0 && failed == 0)) || fail "upgrade under traffic: $failed of $total short requests failed"
((talk_errors == 0)) || fail "upgrade under traffic: $talk_errors exchanges on the $LONG long-lived connections failed"
pass "attach --upgrade under traffic: $total short requests and $LONG long-lived connections, none failed"
http_requests 20 "http://$VIP/"
check_http_answered 20
pass "new connections work after the upgrade under traffic (rs1=$rs1 rs2=$rs2)"
