#!/usr/bin/env bash
# Upgrade in place to a NEWER build (issue 8), and back: lvs-xdp-next (built
# with the project, test-only, never installed) carries lvs_xdp.bpf.c built
# with -DLVS_XDP_BUILD_TAG, one harmless instruction more: another program
# tag, the same maps. With a configuration set and long-lived connections
# held open, `lvs-xdp-next attach --upgrade` then `lvs-xdp attach --upgrade`:
# each time the program on the interface must change (id and tag; the newer
# one holds the build tag), the pinned maps keep their ids and the running
# program uses those the old one used, -S/-Ln/--timeout/-Lnc show the same, the held
# connections pass data to the same server (no reset) and new ones balance.
# Usage (as root): test_upgrade_newer.sh LVS_XDP_BINARY [BUILD_DIR]
LVS_E2E_PREFIX=${LVS_E2E_PREFIX:-lvsUN$$}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool
NEXT_BIN=$BUILD_DIR/lvs-xdp-next
[[ -x $NEXT_BIN ]] || fail "$NEXT_BIN not found (built by cmake --build with lvs-xdp)"
TAG_INSN='r0 = 1313167444' # -DLVS_XDP_BUILD_TAG=0x4e455854, as bpftool prints it
LONG=${LVS_E2E_LONG:-6}

# The XDP program on the director's interface: "ID TAG NAME".
prog_on() {
    local id
    id=$(ip -n "$NS_DIR" -d link show dev "$DIR_IF" | grep -o 'prog/xdp id [0-9]*' | tail -1 | awk '{ print $3 }')
    [[ -n $id ]] || { echo "none"; return; }
    bpftool -j prog show id "$id" | "$PY" -c 'import json,sys; p=json.load(sys.stdin); print(p["id"], p["tag"], p["name"])'
}
prog_maps() { bpftool -j prog show id "$1" | "$PY" -c 'import json,sys; print(" ".join(map(str, json.load(sys.stdin).get("map_ids", []))))'; }
# Every map pinned in the pin directory, "NAME ID", one a line.
pinned_ids() {
    local f
    for f in "$LIB_BPFFS"/lvs_*; do
        [[ -f $f ]] || continue
        echo "$(basename "$f") $(bpftool -j map show pinned "$f" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
    done
}
# What the maps say: configuration, listing with counts, timeouts, and the
# connections (without the expire column, which counts down).
snapshot() {
    lvs -S -n
    lvs -Ln
    lvs -L --timeout
    lvs -Lnc | awk 'NR > 1 { $2 = ""; print }' | sort
}

setup_dr_topology
start_line_server "$NS_RS1" rs1 "$RS1_IP"
start_line_server "$NS_RS2" rs2 "$RS2_IP"
realservers add "$VIP" >/dev/null
lvs attach "$DIR_IF"
add_three_dr_services
lvs --set 901 121 301
capture_start "$NS_BR" p-cli 'tcp[tcpflags] & tcp-rst != 0'
rst_pid=$LIB_LAST_CAPTURE_PID rst_cap=$LIB_LAST_CAPTURE

talk_start "$LONG"
talk_round
pins0=$(pinned_ids)
[[ $(wc -l <<<"$pins0") -ge 5 ]] || fail "few maps pinned in $LIB_BPFFS: $pins0"
snap0=$(snapshot)
(($(grep -c "ESTABLISHED.*$VIP:80" <<<"$snap0") == LONG)) || fail "-Lnc does not list the $LONG held connections: $snap0"
read -r id0 tag0 name0 < <(prog_on)
bpftool prog dump xlated id "$id0" | has -F "$TAG_INSN" && fail "the current build's program holds the test build tag"
pass "current build attached (prog $id0, tag $tag0), $LONG connections held"

# upgrade BIN ROUND: attach --upgrade with BIN, then every check; leaves the
# new program's id and tag in id and tag.
upgrade() {
    local bin=$1 what=$2 before_id before_tag pins snap name m
    read -r before_id before_tag _ < <(prog_on)
    in_ns "$NS_DIR" "$bin" --pin-dir "$LIB_BPFFS" attach --upgrade "$DIR_IF"
    read -r id tag name < <(prog_on)
    [[ $name == lvs_xdp_main && $id != "$before_id" && $tag != "$before_tag" ]] ||
        fail "$what: program on $DIR_IF not replaced by another build (before: id $before_id tag $before_tag; after: $id $tag $name)"
    pins=$(pinned_ids)
    [[ $pins == "$pins0" ]] || fail "$what: pinned maps changed: $(diff <(echo "$pins0") <(echo "$pins"))"
    for m in $(prog_maps "$before_id"); do # the pinned ones the old program used, the new one uses
        if grep -q " $m\$" <<<"$pins0" && [[ " $(prog_maps "$id") " != *" $m "* ]]; then
            fail "$what: the new program does not use pinned map id $m: $(grep " $m\$" <<<"$pins0")"
        fi
    done
    snap=$(snapshot)
    [[ $snap == "$snap0" ]] || fail "$what: configuration or connection table changed: $(diff <(echo "$snap0") <(echo "$snap"))"
    talk_round
    pass "$what: prog $before_id/$before_tag -> $id/$tag; same pinned map ids, used by it; -S, -Ln, --timeout, -Lnc unchanged"
}

upgrade "$NEXT_BIN" "upgrade to lvs-xdp-next"
bpftool prog dump xlated id "$id" | has -F "$TAG_INSN" || fail "the program after the upgrade is not the newer build"
http_requests 30 "http://$VIP/"
check_http_answered 30
((rs1 > rs2 && rs2 > 0)) || fail "new connections on the newer build: rs1=$rs1 rs2=$rs2 (wrr 2:1)"
sleep 1
snap0=$(snapshot) # the new connections' entries are part of the table from here
upgrade "$LVS_BIN" "downgrade to lvs-xdp"
[[ $tag == "$tag0" ]] || fail "downgrade: tag $tag is not the current build's $tag0"
bpftool prog dump xlated id "$id" | has -F "$TAG_INSN" && fail "the program after the downgrade holds the test build tag"
http_requests 30 "http://$VIP/"
check_http_answered 30
((rs1 > rs2 && rs2 > 0)) || fail "new connections after the downgrade: rs1=$rs1 rs2=$rs2 (wrr 2:1)"

talk_finish
((talk_errors == 0)) || fail "$talk_errors exchanges on the held connections failed: $talk_conns"
((talk_ok == LONG * 5)) || fail "$talk_ok exchanges on the held connections, expected $((LONG * 5))"
capture_stop "$rst_pid"
rsts=$(capture_count "$rst_cap" 'tcp')
((rsts == 0)) || fail "$rsts TCP resets reached the client"
pass "held connections talked to the same server through both upgrades ($(uniq -c <<<"$talk_servers" | tr '\n' ' ')), no resets; new connections balanced"
