#!/usr/bin/env bash
# Who may change it (issue 8): the pinned maps are root's alone, and lvs-xdp
# run by anyone else says so in one line and changes nothing.
#   - the pin directory is mode 0700 (lvs-xdp sets it: a bpffs root is
#     created 1777) and every pinned map in it 0600, owned by root;
#   - an unprivileged user can't open them (bpftool map show pinned fails);
#   - lvs-xdp (and the same binary as ipvsadm) run as nobody: one line on
#     stderr naming root, a non-zero status, the configuration unchanged.
# Usage (as root): test_permissions.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

setup_dr_topology
lvs attach "$DIR_IF"
lvs -A -t "$VIP:80" -s rr
lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
before=$(lvs -S -n)

# ---- the pins ----
[[ $(stat -c '%a %U' "$LIB_BPFFS") == "700 root" ]] ||
    fail "pin directory $LIB_BPFFS is $(stat -c '%a %U' "$LIB_BPFFS"), expected 700 root"
maps=0
for pin in "$LIB_BPFFS"/lvs_*; do
    [[ $(stat -c '%a %U' "$pin") == "600 root" ]] || fail "$pin is $(stat -c '%a %U' "$pin"), expected 600 root"
    maps=$((maps + 1))
done
((maps >= 10)) || fail "only $maps pinned maps found in $LIB_BPFFS"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if in_ns "$NS_DIR" "${nobody[@]}" bpftool map show pinned "$LIB_BPFFS/lvs_services" >/dev/null 2>&1; then
    fail "an unprivileged user opened $LIB_BPFFS/lvs_services"
fi
pass "pin directory 700 root, $maps pinned maps, each 600 root; an unprivileged user can't open them"

# ---- lvs-xdp as nobody ----
ipvsadm_link=$LIB_TMP/ipvsadm
ln -s "$LVS_BIN" "$ipvsadm_link"
for cmd in "$LVS_BIN --pin-dir $LIB_BPFFS -a -t $VIP:80 -r $RS2_IP:80 -g" "$LVS_BIN --pin-dir $LIB_BPFFS -L -n" \
    "$ipvsadm_link -C"; do
    # shellcheck disable=SC2086 # the command's words
    if err=$(LVS_XDP_PIN_DIR=$LIB_BPFFS in_ns "$NS_DIR" "${nobody[@]}" $cmd 2>&1 >/dev/null); then
        fail "'$cmd' as nobody succeeded"
    fi
    [[ $(wc -l <<<"$err") -eq 1 && $err == *"must run as root"* ]] ||
        fail "'$cmd' as nobody said: $err"
done
[[ $(lvs -S -n) == "$before" ]] || fail "the configuration changed: $(lvs -S -n)"
pass "lvs-xdp and ipvsadm as nobody: one line naming root, non-zero, nothing changed"
