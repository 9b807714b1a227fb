#!/usr/bin/env bash
# End-to-end benchmark of lvs-xdp (issue 7, docs/benchmarks.md "End to end").
# A benchmark, not a test: ctest does not run it. As root:
#
#   tools/bench/e2e.sh [BUILD_DIR]        (default: build/; needs lvs-xdp,
#                                          lvs-trafgen, xdp_pass.bpf.o in it)
#
# Topology, in namespaces created here (direct veth pairs, no bridge: a bridge's
# skb path caps the rate near 0.8 Mpps, LAB-NOTES):
#
#   gen/client  cli0 10.90.1.1 ---- dg0 10.90.1.2 + VIP 10.90.1.100   director
#                                   dr1 10.90.2.2 ---- rs1e0 10.90.2.11  rs1
#                                   dr2 10.90.3.2 ---- rs2e0 10.90.3.12  rs2
#
# 1. Packets per second: lvs-trafgen floods 60-byte UDP frames with random
#    source ports (32,768 flows) at VIP:9 out of cli0, one sender per CPU;
#    rs1's interface drops them with XDP and its rx_packets counts them. The
#    director runs (a) only the floor forwarder (set MACs, redirect out of
#    dr1), (b) lvs-xdp DR, and again with one flow, (c) lvs-xdp TUN (ipip; rs1
#    then counts the encapsulated frames).
# 2. HTTP requests per second, short connections (wrk, "Connection: close"),
#    through VIP:80 to both real servers: HAProxy (mode tcp, roundrobin) in
#    the director's namespace, then lvs-xdp DR. The director also routes the
#    real servers' replies back to the client (there is no other path): DR
#    replies cross the director's kernel, not lvs-xdp.
#
# Environment: E2E_PPS_SECONDS (measured window per case, default 5),
# E2E_HTTP_SECONDS (wrk duration, default 8), E2E_WRK_CONNS (default 64),
# E2E_SENDER_CPUS (CPUs to run one lvs-trafgen each on, default: every online
# CPU, so the senders offer more than the director's one veth queue takes).
# Everything created is removed on exit, also on failure (tests/e2e/lib.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(readlink -f "${1:-$ROOT/build}")
# shellcheck source=SCRIPTDIR/../../tests/e2e/lib.sh
source "$ROOT/tests/e2e/lib.sh"

PPS_S=${E2E_PPS_SECONDS:-5}
HTTP_S=${E2E_HTTP_SECONDS:-8}
WRK_CONNS=${E2E_WRK_CONNS:-64}
SENDER_CPUS=${E2E_SENDER_CPUS:-$(seq -s " " 0 $(($(nproc) - 1)))}
TRAFGEN=$BUILD/lvs-trafgen

# lib.sh's names, for its cleanup (it detaches lvs-xdp from DIR_IF).
# shellcheck disable=SC2034 # read by lib.sh's lib_cleanup
DIR_IF=dg0
CLI_IP=10.90.1.1
DIR_IP=10.90.1.2
VIP=10.90.1.100
RS1_IP=10.90.2.11
RS2_IP=10.90.3.12
UDP_PORT=9

# ---- topology -----------------------------------------------------------------
# link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two namespaces,
# TX checksum offload off on both ends: frames that cross native XDP would
# otherwise arrive with partial checksums and be dropped (LAB-NOTES, 3).
link() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
    in_ns "$1" ethtool -K "$2" tx off >/dev/null
    in_ns "$4" ethtool -K "$5" tx off >/dev/null
}

sysctl_set() { in_ns "$1" sh -c "echo $3 > /proc/sys/${2//.//}"; }

setup_topology() {
    log "topology: gen/client $CLI_IP -- director $DIR_IP (VIP $VIP) -- rs1 $RS1_IP, rs2 $RS2_IP"
    local ns k
    for ns in "$NS_CLI" "$NS_DIR" "$NS_RS1" "$NS_RS2"; do netns_create "$ns"; done
    link "$NS_CLI" cli0 "$CLI_IP/24" "$NS_DIR" dg0 "$DIR_IP/24"
    link "$NS_DIR" dr1 10.90.2.2/24 "$NS_RS1" rs1e0 "$RS1_IP/24"
    link "$NS_DIR" dr2 10.90.3.2/24 "$NS_RS2" rs2e0 "$RS2_IP/24"
    ip -n "$NS_DIR" addr add "$VIP/32" dev dg0
    ip -n "$NS_CLI" route add 10.90.0.0/16 via "$DIR_IP"
    ip -n "$NS_RS1" route add default via 10.90.2.2
    ip -n "$NS_RS2" route add default via 10.90.3.2
    # The director routes the real servers' replies to the client. Their source
    # is the VIP, a local address of the director: without accept_local the
    # kernel drops them as martians.
    sysctl_set "$NS_DIR" net.ipv4.ip_forward 1
    for k in all dr1 dr2; do
        sysctl_set "$NS_DIR" "net.ipv4.conf.$k.accept_local" 1
        sysctl_set "$NS_DIR" "net.ipv4.conf.$k.rp_filter" 0
    done
    # Tens of thousands of short connections in a few seconds: every local port.
    for ns in "$NS_CLI" "$NS_DIR"; do
        sysctl_set "$ns" net.ipv4.ip_local_port_range "1024 65535"
        sysctl_set "$ns" net.ipv4.tcp_tw_reuse 1
    done
    in_ns "$NS_CLI" ping -c1 -W2 "$RS1_IP" >/dev/null || fail "topology: client cannot reach rs1"
    in_ns "$NS_CLI" ping -c1 -W2 "$RS2_IP" >/dev/null || fail "topology: client cannot reach rs2"
    # Permanent neighbour entries: once rs1 drops everything with XDP it
    # answers no ARP, and the forwarders must still know its MAC.
    ip -n "$NS_DIR" neigh replace "$RS1_IP" lladdr "$(iface_mac_of "$NS_RS1" rs1e0)" dev dr1 nud permanent
    ip -n "$NS_DIR" neigh replace "$RS2_IP" lladdr "$(iface_mac_of "$NS_RS2" rs2e0)" dev dr2 nud permanent
}

# ---- packets per second ---------------------------------------------------------
# rx_packets NS IFACE: the interface's counter. `ip netns exec` remounts /sys for
# NS (nsenter would read the host's sysfs).
rx_packets() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }

now() { date +%s.%N; }

# measure_pps LABEL [FLOWS]: floods VIP:9 for PPS_S + 3 s from FLOWS source
# ports (default 32768), one lvs-trafgen per CPU in
# SENDER_CPUS (pinned: the kernel runs the director's and the real server's
# XDP in the softirq of the CPU that sent the frame, so one sender keeps the
# whole chain on one CPU). Over the PPS_S seconds after a 2 s warm-up (new
# flows, caches) it reads what reached the director (dg0) and what reached rs1
# (rs1e0). Appends a row to PPS_ROWS.
PPS_ROWS=()
measure_pps() {
    local label=$1 flows=${2:-32768} cpu out pids=() outs=() t0 t1 d0 d1 r0 r1 secs offered got sent=0 rate
    for cpu in $SENDER_CPUS; do
        out=$LIB_TMP/trafgen-$cpu-$RANDOM.log
        bg_in_ns "$NS_CLI" "$out" taskset -c "$cpu" "$TRAFGEN" send --dev cli0 \
            --dst-mac "$(iface_mac_of "$NS_DIR" dg0)" --src "$CLI_IP" --dst "$VIP" --dport "$UDP_PORT" \
            --flows "$flows" --seconds $((PPS_S + 3))
        pids+=("$LIB_LAST_PID")
        outs+=("$out")
    done
    sleep 2
    t0=$(now); d0=$(rx_packets "$NS_DIR" dg0); r0=$(rx_packets "$NS_RS1" rs1e0)
    sleep "$PPS_S"
    t1=$(now); d1=$(rx_packets "$NS_DIR" dg0); r1=$(rx_packets "$NS_RS1" rs1e0)
    for cpu in "${!pids[@]}"; do
        wait "${pids[$cpu]}" || fail "lvs-trafgen failed: $(cat "${outs[$cpu]}")"
        log "$label: generator on CPU $cpu: $(cat "${outs[$cpu]}")"
        rate=$(sed -n 's/.*: \([0-9]*\) pps.*/\1/p' "${outs[$cpu]}")
        sent=$((sent + rate))
    done
    secs=$(echo "$t1 - $t0" | bc -l)
    offered=$(printf '%.2f' "$(echo "($d1 - $d0) / $secs / 1000000" | bc -l)")
    got=$(printf '%.2f' "$(echo "($r1 - $r0) / $secs / 1000000" | bc -l)")
    log "$label: director rx $offered Mpps, real server rx $got Mpps"
    PPS_ROWS+=("| $label | $(printf '%.2f' "$(echo "$sent / 1000000" | bc -l)") | $offered | $got |")
}

pps_floor() {
    in_ns "$NS_DIR" "$TRAFGEN" forward --dev dg0 --to dr1 --dst-mac "$(iface_mac_of "$NS_RS1" rs1e0)"
    measure_pps "floor: set MACs + redirect (no lookup)"
    ip -n "$NS_DIR" link set dev dg0 xdp off
}

pps_lvs() {
    lvs attach dg0 dr1 dr2 >/dev/null
    lvs -A -u "$VIP:$UDP_PORT" -s rr
    lvs -a -u "$VIP:$UDP_PORT" -r "$RS1_IP" -g
    measure_pps "lvs-xdp DR (rr, 1 server)"
    # The same with one flow: the connection entry stays in the cache, which
    # shows what the 32,768 flows' lookups cost.
    measure_pps "lvs-xdp DR (rr, 1 server), 1 flow" 1
    lvs -D -u "$VIP:$UDP_PORT"
    # The same flows come again: their entries still name the DR server just
    # removed, whose packets IPVS (and lvs-xdp by default) drops until the
    # entries expire (5 min for UDP). As with IPVS, expire_nodest_conn ends
    # such an entry at its next packet, which is then scheduled anew.
    lvs sysctl expire_nodest_conn=1 >/dev/null
    lvs -A -u "$VIP:$UDP_PORT" -s rr
    lvs -a -u "$VIP:$UDP_PORT" -r "$RS1_IP" -i
    measure_pps "lvs-xdp TUN ipip (rr, 1 server)"
    lvs sysctl expire_nodest_conn=0 >/dev/null  # back to the default for the HTTP runs
    lvs -D -u "$VIP:$UDP_PORT"
    lvs detach dg0 dr1 dr2 >/dev/null
}

bench_pps() {
    # rs1 drops and counts; its XDP program also gives the veth the NAPI that
    # redirects into dr1 need (LAB-NOTES, 2).
    in_ns "$NS_RS1" "$TRAFGEN" drop --dev rs1e0
    pps_floor
    pps_lvs
    ip -n "$NS_RS1" link set dev rs1e0 xdp off
}

# ---- HTTP requests per second ----------------------------------------------------
start_servers() {
    local n ns
    for n in 1 2; do
        ns=NS_RS$n
        # Native XDP_PASS on the real servers' veths: lvs-xdp's redirects into
        # dr1/dr2 need it (LAB-NOTES, 2); the same for HAProxy, to compare alike.
        peer_xdp_pass "${!ns}" "rs${n}e0"
        in_ns "${!ns}" "$LVS_BIN" realserver add "$VIP" >/dev/null
        bg_in_ns "${!ns}" "$LIB_TMP/http-rs$n.log" "$PY" "$HERE/e2e/http_server.py" "rs$n" 80
        wait_until 10 grep -q ready "$LIB_TMP/http-rs$n.log" || fail "http server rs$n did not start"
    done
}

# run_wrk LABEL: wrk against http://VIP/ from the client; appends a row.
HTTP_ROWS=()
run_wrk() {
    local label=$1 out=$LIB_TMP/wrk-$RANDOM.log rps errs
    wait_until 10 in_ns "$NS_CLI" curl -s --max-time 1 "http://$VIP/" || fail "$label: VIP does not answer"
    in_ns "$NS_CLI" wrk -t2 -c"$WRK_CONNS" -d"${HTTP_S}s" -H "Connection: close" "http://$VIP/" >"$out" 2>&1 ||
        fail "$label: wrk failed: $(cat "$out")"
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    errs=$(sed -n 's/^ *Socket errors: *//p; s/^ *Non-2xx.*: *//p' "$out" | tr '\n' ' ')
    log "$label: $rps requests/s ${errs:+(errors: $errs)}"
    HTTP_ROWS+=("| $label | $rps | ${errs:-none} |")
}

http_haproxy() {
    local cfg=$LIB_TMP/haproxy.cfg
    cat >"$cfg" <<CFG
global
    maxconn 8000
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend vip
    bind $VIP:80
    default_backend rs
backend rs
    balance roundrobin
    server rs1 $RS1_IP:80
    server rs2 $RS2_IP:80
CFG
    bg_in_ns "$NS_DIR" "$LIB_TMP/haproxy.log" haproxy -db -f "$cfg"
    local pid=$LIB_LAST_PID
    run_wrk "HAProxy $(haproxy -v | sed -n 's/^HAProxy version \([^ ]*\).*/\1/p'), mode tcp, roundrobin"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

http_lvs() {
    lvs attach dg0 dr1 dr2 >/dev/null
    lvs -A -t "$VIP:80" -s rr
    lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g
    lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g
    run_wrk "lvs-xdp DR, rr"
    lvs -Ln --stats >&2
}

bench_http() {
    start_servers
    http_haproxy
    http_lvs
}

# ---- main ------------------------------------------------------------------------
main() {
    [[ -x $TRAFGEN ]] || { echo "no $TRAFGEN: build first (cmake --build ... --target lvs-trafgen lvs-xdp)" >&2; exit 1; }
    lib_init "$BUILD/lvs-xdp" "$BUILD"
    require_cmds bc wrk haproxy
    setup_topology
    bench_pps
    bench_http
    printf '\n%s, kernel %s, %s vCPU\n\n' "$(date -u +%F)" "$(uname -r)" "$(nproc)"
    printf '| director | generator sent (Mpps) | director rx (Mpps) | real server rx (Mpps) |\n| --- | ---: | ---: | ---: |\n'
    printf '%s\n' "${PPS_ROWS[@]}"
    printf '\n| balancer (short HTTP connections, wrk -c%s, %s s) | requests/s | errors |\n| --- | ---: | --- |\n' "$WRK_CONNS" "$HTTP_S"
    printf '%s\n' "${HTTP_ROWS[@]}"
}

# Sourcing only defines the functions (for debugging a step by hand).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
