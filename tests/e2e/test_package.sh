#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` from the build dir, its contents and
# metadata, then the extracted files (never installed into this system) run
# as lvs-xdp.service would run them, in a network namespace with a veth:
# lvs-xdp-boot start attaches and restores the rules file (all or nothing),
# the daemon stops on SIGTERM, lvs-xdp-boot stop leaves the program attached
# unless DETACH_ON_STOP=yes. systemd is not needed: the unit is checked with
# systemd-analyze verify where that exists.
# Usage (as root): test_package.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds cpack dpkg-deb

# ---- the package -------------------------------------------------------------
log "building the package with cpack in $BUILD_DIR"
(cd "$BUILD_DIR" && cpack -G DEB -B "$LIB_TMP/pkg") >"$LIB_TMP/cpack.log" 2>&1 ||
    fail "cpack -G DEB failed: $(tail -5 "$LIB_TMP/cpack.log")"
debs=("$LIB_TMP"/pkg/*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made no single .deb: ${debs[*]}"
deb=${debs[0]}

contents=$(dpkg-deb -c "$deb")
for path in ./usr/sbin/lvs-xdp ./usr/libexec/lvs-xdp/lvs-xdp-boot ./usr/lib/systemd/system/lvs-xdp.service \
    ./usr/share/man/man8/lvs-xdp.8 ./etc/lvs-xdp/rules ./etc/default/lvs-xdp; do
    grep -Eq " $path\$" <<<"$contents" || fail "the package lacks $path"
done
grep -Eq '^l.* \./usr/sbin/ipvsadm -> lvs-xdp$' <<<"$contents" || fail "the package lacks the ipvsadm symlink"
pass "package contents: binary, ipvsadm symlink, boot script, unit, man page, rules and defaults"

info=$(dpkg-deb -I "$deb")
version=$("$LVS_BIN" -v | sed -n 's/^lvs-xdp v\([^ ]*\).*/\1/p')
grep -q '^ Package: lvs-xdp$' <<<"$info" || fail "package name is not lvs-xdp: $info"
grep -q "^ Version: $version\$" <<<"$info" || fail "package version is not the project's ($version): $info"
grep -q '^ Maintainer: .' <<<"$info" || fail "the package names no maintainer"
for dep in libbpf1 libxdp1 iproute2; do
    grep -Eq "^ Depends: .*\\b$dep\\b" <<<"$info" || fail "the package does not depend on $dep: $(grep Depends <<<"$info")"
done
[[ $(dpkg-deb -I "$deb" conffiles) == $'/etc/default/lvs-xdp\n/etc/lvs-xdp/rules' ]] ||
    fail "conffiles are not the rules and defaults files: $(dpkg-deb -I "$deb" conffiles)"
pass "package metadata: lvs-xdp $version, depends on libbpf1 libxdp1 iproute2, two conffiles"

# ---- the extracted files -------------------------------------------------------
root=$LIB_TMP/root
dpkg-deb -x "$deb" "$root"
# Whole outputs, not pipes: grep -q ending a pipe early would fail it (pipefail).
grep -q '^Usage:' <<<"$("$root/usr/sbin/lvs-xdp" --help)" || fail "the packaged lvs-xdp --help shows no usage"
grep -q '^Usage:' <<<"$("$root/usr/sbin/ipvsadm" -h)" || fail "the packaged ipvsadm -h shows no usage"
! grep -qv '^\(#.*\)\{0,1\}$' "$root/etc/lvs-xdp/rules" || fail "the default rules file holds rules"

unit=$root/usr/lib/systemd/system/lvs-xdp.service
grep -qx 'ExecStartPre=/usr/libexec/lvs-xdp/lvs-xdp-boot start' "$unit" || fail "the unit does not run lvs-xdp-boot start"
# shellcheck disable=SC2016 # $DAEMON_OPTS is the unit's, expanded by systemd
grep -qx 'ExecStart=/usr/sbin/lvs-xdp daemon $DAEMON_OPTS' "$unit" || fail "the unit does not run the daemon"
grep -qx 'ExecStopPost=/usr/libexec/lvs-xdp/lvs-xdp-boot stop' "$unit" || fail "the unit does not run lvs-xdp-boot stop"
if command -v systemd-analyze >/dev/null; then
    # The same unit naming the extracted programs, so verify finds them.
    sed "s|=/usr/|=$root/usr/|" "$unit" >"$LIB_TMP/lvs-xdp.service"
    systemd-analyze verify --man=no "$LIB_TMP/lvs-xdp.service" || fail "systemd-analyze verify rejects the unit"
    pass "systemd-analyze verify accepts the unit"
fi

# ---- boot: attach and restore, in a namespace with a veth ----------------------
netns_create "$NS_DIR"
ip -n "$NS_DIR" link add "$DIR_IF" type veth peer name "${DIR_IF}p"
ip -n "$NS_DIR" addr add 10.79.0.2/24 dev "$DIR_IF"
ip -n "$NS_DIR" link set "$DIR_IF" up
ip -n "$NS_DIR" link set "${DIR_IF}p" up

defaults=$LIB_TMP/default
rules=$LIB_TMP/rules
cp "$root/etc/lvs-xdp/rules" "$rules"
# set_default NAME VALUE: the packaged defaults file with one setting changed.
set_default() { sed -i "s/^$1=.*/$1=\"$2\"/" "$defaults"; }
cp "$root/etc/default/lvs-xdp" "$defaults"
# boot start|stop: the packaged script, in the director's namespace; its
# stderr is left in boot_err.
boot() {
    in_ns "$NS_DIR" env LVS_XDP_DEFAULTS="$defaults" LVS_XDP_RULES="$rules" \
        "$root/usr/libexec/lvs-xdp/lvs-xdp-boot" "$@" 2>"$LIB_TMP/boot.err"
    local rc=$?
    boot_err=$(cat "$LIB_TMP/boot.err")
    return $rc
}
attached() { grep -q xdp <<<"$(ip -n "$NS_DIR" link show dev "$DIR_IF")"; }
# packaged ARGS...: the packaged lvs-xdp in the director's namespace.
packaged() { in_ns "$NS_DIR" "$root/usr/sbin/lvs-xdp" "$@"; }
one_line_error() { [[ -n $boot_err && $boot_err != *$'\n'* && $boot_err == *"$1"* ]]; }

boot start && fail "boot start succeeded with no INTERFACES"
one_line_error INTERFACES || fail "no INTERFACES: not one clear line: $boot_err"
set_default INTERFACES nosuch0
boot start && fail "boot start succeeded with a missing interface"
one_line_error "interface nosuch0" || fail "missing interface: not one clear line: $boot_err"
attached && fail "attached although the configuration is wrong"
pass "boot start fails in one line: no INTERFACES, missing interface ($boot_err)"

set_default INTERFACES "$DIR_IF"
boot start || fail "boot start with the packaged rules file failed: $boot_err"
attached || fail "boot start did not attach to $DIR_IF"
[[ -z $(packaged -S -n) ]] || fail "the packaged rules file restored rules: $(packaged -S -n)"
pass "boot start attaches to $DIR_IF; the packaged (comments only) rules file restores nothing"

# A saved table, as `lvs-xdp -S -n` writes it, with a comment and a blank line.
saved='-A -t 10.79.0.100:80 -s rr
-a -t 10.79.0.100:80 -r 10.79.0.11:80 -g -w 1
-a -t 10.79.0.100:80 -r 10.79.0.12:80 -g -w 2
-A -t 10.79.0.100:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port
-a -t 10.79.0.100:443 -r 10.79.0.11:443 -g -w 1
-A -u 10.79.0.100:53 -s wrr
-a -u 10.79.0.100:53 -r 10.79.0.12:5353 -m -w 3'
printf '# saved by lvs-xdp -S -n\n\n%s\n' "$saved" >"$rules"
packaged -A -t 10.79.0.100:8080 -s lc # there before: the file replaces the table
prog_before=$(ip -n "$NS_DIR" -d link show dev "$DIR_IF" | grep -o 'prog/xdp id [0-9]*' || true)
boot start || fail "boot start (restart while attached) failed: $boot_err"
prog_after=$(ip -n "$NS_DIR" -d link show dev "$DIR_IF" | grep -o 'prog/xdp id [0-9]*' || true)
[[ -n $prog_after && $prog_after != "$prog_before" ]] ||
    fail "a restart kept the old program ('$prog_before', then '$prog_after'): attach --upgrade should replace it"
[[ $(packaged -S -n) == "$saved" ]] || fail "-S after the restore is not the rules file: $(packaged -S -n)"
pass "boot start again (a restart) swaps in this build's program ($prog_before -> $prog_after) and replaces the table with the rules file; -S shows it"

# Line 5 of the file fails: nothing changes and the error names line 5.
printf '%s\n' '-A -t 10.79.0.100:80 -s rr' '-A -u 10.79.0.100:53 -s rr' '' '# comment' \
    '-a -t 10.79.0.101:80 -r 10.79.0.11:80 -g' >"$rules"
boot start && fail "boot start succeeded with a failing rules file"
one_line_error "line 5: " || fail "the failing rules line is not named as line 5: $boot_err"
[[ $(packaged -S -n) == "$saved" ]] || fail "a failing rules file changed the table: $(packaged -S -n)"
pass "a rules file failing on line 5 changes nothing ($boot_err)"

# ---- stop: the daemon ends on SIGTERM, the program stays attached ------------
bg_in_ns "$NS_DIR" "$LIB_TMP/daemon.log" "$root/usr/sbin/lvs-xdp" daemon
daemon_pid=$LIB_LAST_PID
sleep 1
kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon did not keep running: $(cat "$LIB_TMP/daemon.log")"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the daemon exited with status $? on SIGTERM: $(cat "$LIB_TMP/daemon.log")"
boot stop || fail "boot stop failed: $boot_err"
attached || fail "boot stop detached although DETACH_ON_STOP is not yes"
[[ $(packaged -S -n) == "$saved" ]] || fail "stopping changed the table: $(packaged -S -n)"
pass "stop: the daemon ends on SIGTERM, $DIR_IF stays attached with its rules"

set_default DETACH_ON_STOP yes
boot stop || fail "boot stop with DETACH_ON_STOP=yes failed: $boot_err"
attached && fail "boot stop with DETACH_ON_STOP=yes left $DIR_IF attached"
pass "stop with DETACH_ON_STOP=yes detaches $DIR_IF"
