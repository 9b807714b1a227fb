#!/usr/bin/env bash
# `lvs-xdp realserver add|del VIP --tun` on a kernel without ipip devices, in
# detail (the traffic itself is in test_tun_{ipip,gue,gre}.sh). One namespace
# with three veths (e0 and e1 up, e2 down) whose peers sit in a second one.
# Checks:
#   - the choice is reported (bpf: no ipip device), and --decap kernel is
#     refused with a message, changing nothing;
#   - default devices: every interface that is up except lo (e0, e1, not e2);
#     --dev adds one more (e2); the VIPs and GUE ports are in rs_decap's maps,
#     which are pinned in this namespace's own directory under the pin dir;
#   - sysctls: arp_ignore/arp_announce on lo and all, rp_filter=0 on all and
#     the devices; their previous values (deliberately not the defaults) are
#     restored when the last VIP needing them goes, also with a DR VIP and a
#     TUN VIP sharing the ARP settings;
#   - del of one VIP keeps rs_decap for the others; del of the last detaches it
#     everywhere and removes the pinned maps and the state file;
#   - a VIP cannot be DR and TUN at once; del --tun of a DR VIP is refused;
#   - an interface with another XDP program: add fails and undoes everything;
#   - under `ip netns exec` (a private /sys, so the pins in /sys/fs/bpf vanish
#     after every command) a second add still reaches the running program's
#     maps.
# Usage (as root): test_tun_realserver.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool

NS=$LIB_PREFIX-rs
NS_PEER=$LIB_PREFIX-peer
VIP_A=10.78.1.100
VIP_B=10.78.1.101
VIP_C=10.78.1.102

netns_create "$NS"
netns_create "$NS_PEER"
for i in 0 1 2; do
    ip link add "e$i" netns "$NS" type veth peer name "p$i" netns "$NS_PEER"
    ip -n "$NS" addr add "10.78.2.$((11 + i))/24" dev "e$i"
    ip -n "$NS_PEER" link set "p$i" up
done
ip -n "$NS" link set e0 up
ip -n "$NS" link set e1 up

rs() { in_ns "$NS" "$LVS_BIN" "$@"; }
sys() { in_ns "$NS" cat "/proc/sys/net/ipv4/conf/$1"; }
setsys() { in_ns "$NS" sh -c "echo $2 > /proc/sys/net/ipv4/conf/$1"; }
decap_id() { ip -n "$NS" -d link show dev "$1" | sed -n 's|.*prog/xdp id \([0-9]*\) name lvs_rs_decap.*|\1|p'; }
state_file() { echo "/run/lvs-xdp/realserver-$(stat -L -c %i "/run/netns/$NS").state"; }
# Keys of one of the attached program's maps, one per line, found through the
# program (not the pins): VIPs as a.b.c.d, GUE ports as numbers.
prog_map_keys() {
    local prog=$1 map=$2 id
    for id in $(bpftool -j prog show id "$prog" | "$PY" -c 'import json,sys; print(*json.load(sys.stdin)["map_ids"])'); do
        if bpftool -j map show id "$id" | has "\"name\":\"$map"; then
            bpftool -j map dump id "$id" | "$PY" -c '
import json, sys
for e in json.load(sys.stdin):
    k = e.get("key")
    if isinstance(k, dict):   # BTF-formatted lvs_addr: the union
        raw = bytes(next(iter(k.values()))["bytes"])
    elif isinstance(k, int):  # BTF-formatted __be16, read as a host integer
        raw = k.to_bytes(2, "little")
    else:                     # raw bytes as hex strings
        raw = bytes(int(b, 16) for b in k)
    print(".".join(str(b) for b in raw[:4]) if len(raw) == 16 else int.from_bytes(raw, "big"))'
        fi
    done | sort
}

# Values that are not the defaults, to see them come back.
setsys all/rp_filter 2
setsys e0/rp_filter 1
setsys lo/arp_announce 1

# ---- kernel decapsulation is refused on this kernel; nothing changes ----
if out=$(rs realserver add "$VIP_A" --tun --decap kernel 2>&1); then fail "--decap kernel succeeded: $out"; fi
grep -q "no ipip tunnel device" <<<"$out" || fail "--decap kernel: unexpected message: $out"
[[ ! -e $(state_file) ]] || fail "--decap kernel left a state file"
! ip -n "$NS" link show tunl0 >/dev/null 2>&1 || fail "--decap kernel left a tunl0"
pass "--decap kernel refused: $out"

# ---- first VIP: default devices ----
out=$(rs realserver add "$VIP_A" --tun)
echo "$out"
grep -q "decapsulation bpf\|bpf decapsulation" <<<"$out" || fail "the choice is not reported: $out"
grep -q "no ipip tunnel device" <<<"$out" || fail "the reason for bpf is not reported: $out"
[[ -n $(decap_id e0) && -n $(decap_id e1) ]] || fail "rs_decap not attached to both up interfaces"
[[ -z $(decap_id e2) ]] || fail "rs_decap attached to e2, which is down"
[[ -z $(ip -n "$NS" -d link show dev lo | grep -o 'prog/xdp') ]] || fail "rs_decap attached to lo"
ip -n "$NS" -4 addr show dev lo | has "inet $VIP_A/32" || fail "$VIP_A not on lo"
for kv in lo/arp_ignore=1 lo/arp_announce=2 all/arp_ignore=1 all/arp_announce=2 all/rp_filter=0 e0/rp_filter=0 e1/rp_filter=0; do
    [[ $(sys "${kv%=*}") == "${kv#*=}" ]] || fail "${kv%=*} is $(sys "${kv%=*}"), expected ${kv#*=}"
done
pins=$(ls -d "$LIB_BPFFS"/realserver-*)
[[ -e $pins/lvs_rs_vips && -e $pins/lvs_rs_gue_ports ]] || fail "maps not pinned under $LIB_BPFFS: $(ls -R "$LIB_BPFFS")"
prog=$(decap_id e0)
[[ $(decap_id e1) == "$prog" ]] || fail "e0 and e1 run different programs"
[[ $(prog_map_keys "$prog" lvs_rs_vips) == "$VIP_A" ]] || fail "lvs_rs_vips holds: $(prog_map_keys "$prog" lvs_rs_vips)"
pass "first VIP: rs_decap on e0 and e1 (not e2, not lo), VIP in its map, maps pinned in $pins, sysctls set"

# ---- second VIP with GUE, --dev e2 ----
ip -n "$NS" link set e2 up
rs realserver add "$VIP_B" --tun --dev e2 --gue-port 6080 --gue-port 6081
[[ -n $(decap_id e2) ]] || fail "--dev e2: not attached"
[[ $(decap_id e0) == "$prog" ]] || fail "e0's program changed on the second add"
[[ $(prog_map_keys "$prog" lvs_rs_vips | tr '\n' ' ') == "$VIP_A $VIP_B " ]] || fail "lvs_rs_vips: $(prog_map_keys "$prog" lvs_rs_vips)"
ports=$(prog_map_keys "$prog" lvs_rs_gue_port | tr '\n' ' ')
[[ $ports == "6080 6081 " ]] || fail "lvs_rs_gue_ports holds: $ports"
[[ $(sys e2/rp_filter) == 0 ]] || fail "e2/rp_filter not 0"
list=$(rs realserver list)
echo "$list"
grep -q "$VIP_B/32  decap bpf (on lo), GUE port(s) 6080,6081" <<<"$list" || fail "list does not show $VIP_B with its GUE ports"
grep -q "e0 (native)" <<<"$list" || fail "list does not show rs_decap on e0"
pass "second VIP: GUE ports in the map, --dev e2 attached, list shows both"

# ---- DR and TUN side by side ----
if rs realserver add "$VIP_A" 2>/dev/null; then fail "a TUN VIP was accepted as DR too"; fi
rs realserver add "$VIP_C"
if rs realserver del "$VIP_C" --tun 2>/dev/null; then fail "del --tun of a DR VIP succeeded"; fi
if rs realserver del "$VIP_A" 2>/dev/null; then fail "del (DR) of a TUN VIP succeeded"; fi
pass "a VIP is either DR or TUN; del must name the same kind"

# ---- del, one at a time ----
rs realserver del "$VIP_A" --tun
[[ $(decap_id e0) == "$prog" ]] || fail "rs_decap detached while $VIP_B still needs it"
[[ $(prog_map_keys "$prog" lvs_rs_vips) == "$VIP_B" ]] || fail "lvs_rs_vips after del: $(prog_map_keys "$prog" lvs_rs_vips)"
! ip -n "$NS" -4 addr show dev lo | has "inet $VIP_A/" || fail "$VIP_A still on lo"
rs realserver del "$VIP_B" --tun
for d in e0 e1 e2; do [[ -z $(decap_id "$d") ]] || fail "rs_decap still on $d after the last TUN VIP"; done
! ls -d "$LIB_BPFFS"/realserver-* >/dev/null 2>&1 || fail "maps still pinned after the last TUN VIP"
# The DR VIP remains: ARP settings stay, the TUN-only ones are back.
[[ $(sys lo/arp_ignore) == 1 && $(sys all/arp_announce) == 2 ]] || fail "ARP settings lost while the DR VIP remains"
[[ $(sys all/rp_filter) == 2 && $(sys e0/rp_filter) == 1 && $(sys e1/rp_filter) == 0 ]] ||
    fail "rp_filter not restored: all=$(sys all/rp_filter) e0=$(sys e0/rp_filter) e1=$(sys e1/rp_filter)"
rs realserver del "$VIP_C"
[[ $(sys lo/arp_announce) == 1 && $(sys lo/arp_ignore) == 0 && $(sys all/arp_ignore) == 0 ]] || fail "ARP settings not restored"
[[ ! -e $(state_file) ]] || fail "state file left after the last VIP"
pass "del: rs_decap kept while needed, then detached and unpinned; every sysctl back to its old value"

# ---- another XDP program on an interface: add fails and undoes everything ----
read -r obj sec < <(xdp_pass_object)
ip -n "$NS" link set dev e1 xdpgeneric obj "$obj" sec "$sec"
if out=$(rs realserver add "$VIP_A" --tun 2>&1); then fail "add succeeded next to another XDP program"; fi
grep -q "another XDP program" <<<"$out" || fail "unexpected message: $out"
for d in e0 e2; do [[ -z $(decap_id "$d") ]] || fail "failed add left rs_decap on $d"; done
! ip -n "$NS" -4 addr show dev lo | has "inet $VIP_A/" || fail "failed add left $VIP_A on lo"
[[ ! -e $(state_file) ]] || fail "failed add left a state file"
! ls -d "$LIB_BPFFS"/realserver-* >/dev/null 2>&1 || fail "failed add left pinned maps"
[[ $(sys all/rp_filter) == 2 && $(sys lo/arp_ignore) == 0 ]] || fail "failed add left sysctls changed"
ip -n "$NS" link set dev e1 xdpgeneric off
pass "add next to another XDP program fails cleanly: $out"

# ---- ip netns exec: pins vanish between commands, the program's maps are found again ----
ip -n "$NS" link set e1 down
ip -n "$NS" link set e2 down
(
    unset LVS_XDP_PIN_DIR
    ip netns exec "$NS" "$LVS_BIN" realserver add "$VIP_A" --tun >/dev/null
    ip netns exec "$NS" "$LVS_BIN" realserver add "$VIP_B" --tun --gue-port 6080 >/dev/null
)
prog=$(decap_id e0)
[[ -n $prog ]] || fail "ip netns exec: rs_decap not attached"
[[ $(prog_map_keys "$prog" lvs_rs_vips | tr '\n' ' ') == "$VIP_A $VIP_B " ]] ||
    fail "ip netns exec: the running program's VIPs: $(prog_map_keys "$prog" lvs_rs_vips)"
[[ -n $(prog_map_keys "$prog" lvs_rs_gue_port) ]] || fail "ip netns exec: the running program has no GUE port"
(
    unset LVS_XDP_PIN_DIR
    ip netns exec "$NS" "$LVS_BIN" realserver del "$VIP_A" --tun >/dev/null
    ip netns exec "$NS" "$LVS_BIN" realserver del "$VIP_B" --tun >/dev/null
)
[[ -z $(decap_id e0) ]] || fail "ip netns exec: rs_decap still attached after del"
pass "under ip netns exec the second add reached the running program's maps"
