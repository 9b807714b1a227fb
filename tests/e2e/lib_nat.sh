# shellcheck shell=bash
# The LVS how-to's NAT topology for lvs-xdp's end-to-end tests. Source it
# instead of lib.sh (it sources lib.sh), then:
#
#   lib_init "$LVS_XDP_BINARY" "$BUILD_DIR"
#   setup_nat_topology nat        # or: setup_nat_topology fullnat
#   nat_attach                    # lvs-xdp attach OUT IN on the director
#   lvs -A -t "$VIP:80" -s wrr ...
#
#   client subnet 10.77.0.0/24 (bridge $NS_BR)      server subnet 10.77.1.0/24 (bridge $NS_BRIN)
#
#   client 10.77.0.10 --- dir0 [VIP 10.77.0.100] director [DIP 10.77.1.1] din0 --- rs1 10.77.1.11
#                                    ip_forward=1                               \-- rs2 10.77.1.12
#
# As in the how-to: the VIP is the director's outside address, the DIP its
# inside one, and the real servers' default gateway is the DIP. The client has
# a route to its own subnet only, so nothing but the director's translation
# lets it talk to a real server. With `fullnat` the real servers get no
# default route either: they reach their own subnet and nothing else.
#
# LAB-NOTES' veth conditions: XDP_PASS programs on the director's two bridge
# ports (the peers of dir0 and din0: XDP_TX delivery, and NAPI for
# XDP_REDIRECT between the two legs), TX checksum offload off on every sender.
# Everything is removed by lib_cleanup, also on failure. Only addresses in
# 10.77.0.0/24 and 10.77.1.0/24, inside namespaces created here, are used.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NS_BRIN=$LIB_PREFIX-brin
BRIN_IF=br1
DIN_IF=din0

CLI_IP=10.77.0.10
VIP=10.77.0.100
OUT_PLEN=24
# shellcheck disable=SC2034 # read by the tests
IN_NET=10.77.1.0/24
IN_PLEN=24
DIP=10.77.1.1
RS1_IP=10.77.1.11
RS2_IP=10.77.1.12
# lib.sh's DR address of the director; the NAT director's outside address is the VIP.
DIR_IP=$VIP

# setup_nat_topology [fullnat]: creates the two subnets, the director between
# them and two real servers (see the top of this file), and checks that every
# host reaches its neighbours and that the client cannot reach the server
# subnet by itself.
setup_nat_topology() {
    local mode=${1:-nat} ns
    log "creating NAT topology ($mode): client $CLI_IP, VIP $VIP | DIP $DIP, rs1 $RS1_IP, rs2 $RS2_IP"
    bridge_create "$NS_BR" "$BR_IF"
    bridge_create "$NS_BRIN" "$BRIN_IF"
    host_create "$NS_CLI" "$CLI_IF" "$CLI_IP/$OUT_PLEN" "$NS_BR" "$BR_IF" p-cli
    host_create "$NS_DIR" "$DIR_IF" "$VIP/$OUT_PLEN" "$NS_BR" "$BR_IF" p-dir
    # The director's second leg, on the server subnet.
    leg_add "$NS_DIR" "$DIN_IF" "$DIP/$IN_PLEN" "$NS_BRIN" "$BRIN_IF" p-din
    in_ns "$NS_DIR" sysctl -qw net.ipv4.ip_forward=1
    host_create "$NS_RS1" "$RS1_IF" "$RS1_IP/$IN_PLEN" "$NS_BRIN" "$BRIN_IF" p-rs1
    host_create "$NS_RS2" "$RS2_IF" "$RS2_IP/$IN_PLEN" "$NS_BRIN" "$BRIN_IF" p-rs2
    if [[ $mode != fullnat ]]; then
        for ns in "$NS_RS1" "$NS_RS2"; do ip -n "$ns" route add default via "$DIP"; done
    fi
    peer_xdp_pass "$NS_BR" p-dir
    peer_xdp_pass "$NS_BRIN" p-din

    in_ns "$NS_CLI" ping -c1 -W2 "$VIP" >/dev/null || fail "topology: client cannot ping the VIP"
    for ns in "$NS_RS1" "$NS_RS2"; do
        in_ns "$ns" ping -c1 -W2 "$DIP" >/dev/null || fail "topology: $ns cannot ping the DIP"
    done
    in_ns "$NS_DIR" ping -c1 -W2 "$RS1_IP" >/dev/null || fail "topology: director cannot ping rs1"
    in_ns "$NS_DIR" ping -c1 -W2 "$RS2_IP" >/dev/null || fail "topology: director cannot ping rs2"
    [[ $(sysctl_in "$NS_DIR" net.ipv4.ip_forward) == 1 ]] || fail "topology: ip_forward is not on"
    ! ip -n "$NS_CLI" route get "$RS1_IP" >/dev/null 2>&1 || fail "topology: the client has a route to the server subnet"
    if [[ $mode == fullnat ]]; then
        for ns in "$NS_RS1" "$NS_RS2"; do
            ! ip -n "$ns" route get "$CLI_IP" >/dev/null 2>&1 || fail "topology: $ns has a route to the client subnet"
        done
    fi
}

# setup_nat_onearm_topology: the one-armed variant: one bridge, the director
# with one interface holding both the VIP (client subnet) and the DIP (server
# subnet); the real servers are on the same wire but in their own subnet, with
# the DIP as their gateway, so their replies still come to the director, which
# sends both directions back out of the same interface (XDP_TX).
setup_nat_onearm_topology() {
    log "creating one-armed NAT topology: client $CLI_IP, director dir0 with VIP $VIP and DIP $DIP, rs1 $RS1_IP, rs2 $RS2_IP"
    bridge_create "$NS_BR" "$BR_IF"
    host_create "$NS_CLI" "$CLI_IF" "$CLI_IP/$OUT_PLEN" "$NS_BR" "$BR_IF" p-cli
    host_create "$NS_DIR" "$DIR_IF" "$VIP/$OUT_PLEN" "$NS_BR" "$BR_IF" p-dir
    ip -n "$NS_DIR" addr add "$DIP/$IN_PLEN" dev "$DIR_IF"
    in_ns "$NS_DIR" sysctl -qw net.ipv4.ip_forward=1
    host_create "$NS_RS1" "$RS1_IF" "$RS1_IP/$IN_PLEN" "$NS_BR" "$BR_IF" p-rs1
    host_create "$NS_RS2" "$RS2_IF" "$RS2_IP/$IN_PLEN" "$NS_BR" "$BR_IF" p-rs2
    ip -n "$NS_RS1" route add default via "$DIP"
    ip -n "$NS_RS2" route add default via "$DIP"
    peer_xdp_pass "$NS_BR" p-dir
    in_ns "$NS_CLI" ping -c1 -W2 "$VIP" >/dev/null || fail "topology: client cannot ping the VIP"
    in_ns "$NS_DIR" ping -c1 -W2 "$RS1_IP" >/dev/null || fail "topology: director cannot ping rs1"
    in_ns "$NS_DIR" ping -c1 -W2 "$RS2_IP" >/dev/null || fail "topology: director cannot ping rs2"
    ! ip -n "$NS_CLI" route get "$RS1_IP" >/dev/null 2>&1 || fail "topology: the client has a route to the server subnet"
}

# nat_attach: lvs-xdp on both of the director's legs (outside first, as the
# how-to's `lvs-xdp attach eth0 eth1`), in native mode so checksums are real.
# The inside leg is recorded for lib_cleanup (lib.sh detaches dir0 itself).
nat_attach() {
    LIB_XDP+=("$NS_DIR $DIN_IF")
    lvs attach "$DIR_IF" "$DIN_IF" --mode native
}

# capture_dropped FILE: packets the kernel dropped for a stopped capture
# (tcpdump's own count), so a short count can be told from a lossy capture.
capture_dropped() { sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$1.log"; }

# nat_stats: the data plane's frame counters summed over CPUs, one "name value"
# a line (bpftool's JSON dump of the per-CPU lvs_xdp_stats map).
nat_stats() {
    bpftool -j map dump pinned "$LIB_BPFFS/lvs_xdp_stats" 2>/dev/null | "$PY" -c '
import json, sys
tot = {}
for entry in json.load(sys.stdin):
    for cpu in entry.get("formatted", {}).get("values", []):
        for k, v in cpu["value"].items():
            tot[k] = tot.get(k, 0) + v
for k, v in tot.items():
    print(k, v)'
}

# nat_stat NAME: one counter of nat_stats (0 if unknown).
nat_stat() { nat_stats | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }'; }

# start_http_server_on NS NAME ADDR PORT: python3 http.server on 0.0.0.0:PORT
# in NS serving $LIB_TMP/www-NAME (index.html holds NAME; tests may add files);
# its access log (one line per request, starting with the client's address)
# is $LIB_TMP/http-NAME.log. Waits until it answers on ADDR:PORT.
start_http_server_on() {
    local ns=$1 name=$2 addr=$3 port=$4
    local root=$LIB_TMP/www-$name
    mkdir -p "$root"
    echo "$name" >"$root/index.html"
    bg_in_ns "$ns" "$LIB_TMP/http-$name.log" "$PY" -u -m http.server "$port" --bind 0.0.0.0 --directory "$root"
    wait_until 10 in_ns "$ns" curl -s --max-time 1 -o /dev/null "http://$addr:$port/" ||
        fail "http server $name did not come up (see $LIB_TMP/http-$name.log)"
}

# http_log_mark NAME: the number of lines in NAME's access log now, for
# http_clients_of to skip (the start-up probes come from the server itself).
http_log_mark() { grep -ac '' "$LIB_TMP/http-$1.log" || true; }

# mark_http_logs: http_log_mark of rs1 and rs2, kept in log_mark for
# check_http_clients.
declare -A log_mark=()
mark_http_logs() { log_mark=([rs1]=$(http_log_mark rs1) [rs2]=$(http_log_mark rs2)); }

# http_clients_of NAME [SKIP]: the client addresses of the requests in NAME's
# access log after its first SKIP lines, "ADDR COUNT" per line.
http_clients_of() {
    tail -n +$((${2:-0} + 1)) "$LIB_TMP/http-$1.log" | grep -aEo '^[0-9.]+ - - \[' | awk '{ print $1 }' | sort | uniq -c |
        awk '{ print $2, $1 }'
}

# check_http_clients ADDR WHAT: fails unless the access logs of rs1 and rs2,
# after mark_http_logs, show only ADDR (named WHAT in the message) as the
# client, and as many requests as http_requests counted answers from each.
check_http_clients() {
    local addr=$1 what=$2 name clients
    for name in rs1 rs2; do
        clients=$(http_clients_of "$name" "${log_mark[$name]}")
        log "$name's access log: $(tr '\n' ' ' <<<"$clients")"
        [[ $(awk '{ print $1 }' <<<"$clients") == "$addr" ]] || fail "$name saw clients other than $what: $clients"
        [[ $(awk '{ print $2 }' <<<"$clients") == "${hits[$name]}" ]] ||
            fail "$name logged $(awk '{ print $2 }' <<<"$clients") requests, the client got ${hits[$name]} answers from it"
    done
}

# sha_upload PORT FILE: sends FILE from the client to VIP:PORT with tcp_sha.py
# (30 s at most). Leaves tcp_sha.py's output in answer and the server's first
# line in name, hash, bytes and seen (the peer the server saw); returns
# non-zero if the upload failed.
# shellcheck disable=SC2034 # read by the tests
sha_upload() {
    answer=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/tcp_sha.py" send "$VIP" "$1" "$2" 30) || return 1
    read -r name hash bytes seen <<<"$(head -n1 <<<"$answer")"
}

# start_sha_server NS NAME PORT: tcp_sha.py on PORT in NS: answers each
# connection with the SHA-256 of what it received and the peer it saw.
start_sha_server() {
    local ns=$1 name=$2 port=$3
    bg_in_ns "$ns" "$LIB_TMP/sha-$name.log" "$PY" "$LIB_DIR/tcp_sha.py" serve "$name" "$port"
    wait_until 10 grep -q ready "$LIB_TMP/sha-$name.log" ||
        fail "sha server $name did not come up (see $LIB_TMP/sha-$name.log)"
}

# check_weight_split A B WA WB: fails unless the counts A and B of new flows
# are split as WA:WB. rr/wrr positions are per CPU in lvs-xdp, so each CPU's
# part of any window of flows is within the larger weight of the exact share
# at its start and at its end: the totals may be off by 2 * max(WA, WB) per CPU.
check_weight_split() {
    local a=$1 b=$2 wa=$3 wb=$4 cpus total want_a dev tol
    cpus=$(nproc)
    total=$((a + b))
    want_a=$(((total * wa + (wa + wb) / 2) / (wa + wb)))
    dev=$((a > want_a ? a - want_a : want_a - a))
    tol=$((2 * cpus * (wa > wb ? wa : wb)))
    ((dev <= tol)) ||
        fail "split $a:$b is not $wa:$wb (expected about $want_a:$((total - want_a)), off by $dev, at most $tol allowed)"
}

# csum_errors NS: TCP and UDP datagrams with a bad checksum that NS's kernel
# dropped (InCsumErrors of /proc/net/snmp), as "tcp=N udp=N".
csum_errors() {
    in_ns "$1" cat /proc/net/snmp | awk '
        $1 == "Tcp:" && !t { for (i = 1; i <= NF; i++) tn[i] = $i; t = 1; next }
        $1 == "Tcp:" { for (i = 1; i <= NF; i++) if (tn[i] == "InCsumErrors") tcp = $i }
        $1 == "Udp:" && !u { for (i = 1; i <= NF; i++) un[i] = $i; u = 1; next }
        $1 == "Udp:" { for (i = 1; i <= NF; i++) if (un[i] == "InCsumErrors") udp = $i }
        END { printf "tcp=%d udp=%d\n", tcp, udp }'
}

# check_no_csum_errors NS...: fails if any of the namespaces dropped a TCP or
# UDP packet for its checksum (the senders compute full checksums, so one
# that is wrong on arrival was broken on the way).
check_no_csum_errors() {
    local ns e
    for ns in "$@"; do
        e=$(csum_errors "$ns")
        [[ $e == "tcp=0 udp=0" ]] || fail "$ns dropped packets with bad checksums: $e"
    done
}

# start_late_udp_server NS NAME PORT: udp_late_server.py on PORT in NS,
# answering half a second late; its log is $LIB_TMP/late-NAME.log.
start_late_udp_server() {
    local ns=$1 name=$2 port=$3
    bg_in_ns "$ns" "$LIB_TMP/late-$name.log" "$PY" "$LIB_DIR/udp_late_server.py" "$port" 0.5
    wait_until 10 grep -q ready "$LIB_TMP/late-$name.log" ||
        fail "late udp server $name did not come up (see $LIB_TMP/late-$name.log)"
}

# check_client_icmp NAME VPORT OFFENDER: the client sends one datagram to
# VIP:VPORT from a socket it closes at once; the late answer of server NAME
# (started by start_late_udp_server) makes the client's kernel send ICMP port
# unreachable to the VIP, which the director must translate into an error
# about the server's own datagram. Fails unless the server's socket got it
# (ECONNREFUSED, type 3 code 3) from OFFENDER (the client in NAT, the local
# address in FullNAT) about a datagram to OFFENDER.
check_client_icmp() {
    local name=$1 vport=$2 offender=$3 logf=$LIB_TMP/late-$1.log line
    in_ns "$NS_CLI" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"bye", (sys.argv[1], int(sys.argv[2])))
s.close()' "$VIP" "$vport"
    wait_until 5 grep -q '^error' "$logf" || fail "no ICMP error about its late answer reached $name (log: $(tr '\n' ' ' <"$logf"))"
    line=$(grep -m1 '^error' "$logf")
    log "$name: $line"
    [[ $line == "error errno=111 type=3 code=3 offender=$offender about=$offender:"* ]] ||
        fail "$name got an unexpected error: $line (expected port unreachable from $offender about $offender)"
}
