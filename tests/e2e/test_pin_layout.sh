#!/usr/bin/env bash
# Pins of another version (issue 8, upgrades): an lvs-xdp whose structs differ
# from a pinned map's refuses it in one line that names the map and says what
# to do, and writes nothing. The pin of lvs_dests is swapped for a map of that
# name whose values are 4 bytes shorter (the real servers' entry before it
# held a VLAN id); then `attach --upgrade`, `-L -n`, `-a`, `status` and
# `sysctl` (which never touch lvs_dests themselves: every command checks every
# pin first) must each fail with one line naming lvs_dests and "another
# version", and the services map must hold what it held.
# Usage (as root): test_pin_layout.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool

setup_dr_topology
lvs attach "$DIR_IF"
lvs -A -t "$VIP:80" -s rr
lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
lvs -L -n >/dev/null || fail "-L -n fails before the pins are touched"

dests=$LIB_BPFFS/lvs_dests
read -r value entries < <(bpftool -j map show pinned "$dests" |
    "$PY" -c 'import json, sys; m = json.load(sys.stdin); print(m["bytes_value"], m["max_entries"])')
rm "$dests"
bpftool map create "$dests" type array key 4 value $((value - 4)) entries "$entries" name lvs_dests
log "lvs_dests pinned anew with $((value - 4))-byte values (this build's: $value)"
services_before=$(bpftool map dump pinned "$LIB_BPFFS/lvs_services")

for cmd in "attach --upgrade $DIR_IF" "-L -n" "-a -t $VIP:80 -r $RS2_IP:80 -g" status sysctl; do
    # shellcheck disable=SC2086 # the command's words
    if err=$(lvs $cmd 2>&1 >/dev/null); then
        fail "'lvs-xdp $cmd' succeeded on a pin of another layout"
    fi
    [[ $(wc -l <<<"$err") -eq 1 && $err == *lvs_dests* && $err == *"another version"* ]] ||
        fail "'lvs-xdp $cmd' said: $err"
    log "lvs-xdp $cmd: $err"
done
[[ $(bpftool map dump pinned "$LIB_BPFFS/lvs_services") == "$services_before" ]] ||
    fail "the services map changed"
pass "attach --upgrade, -L, -a, status and sysctl refuse the pin of another layout in one line, nothing written"
