#!/usr/bin/env bash
# The README's demo: the LVS how-to's DR setup, run inside network namespaces on
# this machine, then removed again. Builds nothing; needs root.
#
#   sudo tools/demo-dr.sh [path/to/lvs-xdp]        (default: build/lvs-xdp)
#
# A bridge with a client (10.77.0.10), a director (10.77.0.2) and two real
# servers (10.77.0.11, 10.77.0.12) running a web server; VIP 10.77.0.100.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/tests/e2e/lib.sh"
bin=${1:-$repo/build/lvs-xdp}
lib_init "$bin" "$(dirname "$(readlink -f "$bin")")"
REQUESTS=${DEMO_REQUESTS:-20}

show() {
    printf '\n%s$ %s\n' "$1" "${*:2}"
}

setup_dr_topology
start_http_servers

echo
echo "== real servers: VIP on lo, no ARP answers for it =="
for ns in "$NS_RS1" "$NS_RS2"; do
    show "${ns#"$LIB_PREFIX"-}" lvs-xdp realserver add "$VIP"
    in_ns "$ns" "$LVS_BIN" realserver add "$VIP"
done

echo
echo "== director =="
show director lvs-xdp attach "$DIR_IF"
lvs attach "$DIR_IF"
for cmd in "-C" "-A -t $VIP:80 -s rr" "-a -t $VIP:80 -r $RS1_IP:80 -g" "-a -t $VIP:80 -r $RS2_IP:80 -g"; do
    show director lvs-xdp "$cmd"
    # shellcheck disable=SC2086 # the options are meant to split
    lvs $cmd
done

echo
echo "== client: $REQUESTS requests to http://$VIP/ =="
declare -A hits=()
for ((i = 1; i <= REQUESTS; i++)); do
    body=$(http_get "$NS_CLI" "http://$VIP/") || body="(no answer)"
    printf 'request %2d: answered by %s\n' "$i" "$body"
    hits[$body]=$((${hits[$body]:-0} + 1))
done

echo
echo "== split =="
for k in $(printf '%s\n' "${!hits[@]}" | sort); do printf '%-12s %d\n' "$k" "${hits[$k]}"; done

show director lvs-xdp -Ln
lvs -Ln
show director lvs-xdp -Lnc
lvs -Lnc
show director lvs-xdp status
lvs status

echo
echo "== cleaning up =="
for ns in "$NS_RS1" "$NS_RS2"; do in_ns "$ns" "$LVS_BIN" realserver del "$VIP" >/dev/null; done
