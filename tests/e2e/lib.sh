# shellcheck shell=bash
# Shared helpers for lvs-xdp's network-namespace tests and demos. Source it, then:
#
#   lib_init "$LVS_XDP_BINARY" "$BUILD_DIR"   # checks, temp dir, bpffs, trap EXIT
#   setup_dr_topology                          # bridge + client, director, rs1, rs2
#   lvs -A -t "$VIP:80" -s rr                  # lvs-xdp inside the director's namespace
#   in_ns "$NS_CLI" curl ...                   # anything inside a namespace
#
# Everything created is recorded and removed by lib_cleanup (run on EXIT, also
# when a test fails or is interrupted): background processes, namespaces (with
# their veths and bridge), XDP programs, the bpffs mount, temporary files.
# Only addresses in 10.77.0.0/24 (DR) and 10.78.1.0/24 + 10.78.2.0/24 (TUN),
# inside namespaces created here, are used.

set -euo pipefail

# ---- names and addresses ---------------------------------------------------
# One prefix per run, so concurrent or leftover runs never collide.
LIB_PREFIX=${LVS_E2E_PREFIX:-lvsX$$}
NS_BR=$LIB_PREFIX-br
NS_CLI=$LIB_PREFIX-cli
NS_DIR=$LIB_PREFIX-dir
NS_RS1=$LIB_PREFIX-rs1
NS_RS2=$LIB_PREFIX-rs2

# Interface names inside the namespaces. Deliberately not eth0: a command that
# ended up in the host's namespace by mistake fails instead of touching the host.
BR_IF=br0
CLI_IF=cli0
DIR_IF=dir0
RS1_IF=rs1e0
RS2_IF=rs2e0

SUBNET_PLEN=24
CLI_IP=10.77.0.10
DIR_IP=10.77.0.2
RS1_IP=10.77.0.11
RS2_IP=10.77.0.12
VIP=10.77.0.100

PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---- bookkeeping for cleanup -------------------------------------------------
LIB_NETNS=()    # namespaces to delete (deleting one removes its interfaces)
LIB_PIDS=()     # background processes to stop
LIB_XDP=()      # "NS IFACE" pairs with an XDP program we attached
declare -A LIB_CAPTURE_FILE=()  # tcpdump pid -> capture file
LIB_TMP=""      # temporary directory (logs, web roots, captures)
LIB_BPFFS=""    # bpffs mounted for this run (pin dir of lvs-xdp and libxdp)
LVS_BIN=""
BUILD_DIR=""
LIB_CLEANED=0

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
pass() { printf 'PASS: %s\n' "$*" >&2; }

# cmd | has [GREP_OPTIONS] PATTERN: grep -q for pipelines. grep -q exits at its
# first match; a writer still writing then dies of SIGPIPE and pipefail fails
# the pipeline although the text matched (CI saw it with `lvs-xdp -h`, which
# writes in two chunks). has reads all of its input before it looks.
has() {
    local text
    text=$(cat)
    grep -q "$@" <<<"$text"
}

require_root() { [[ $(id -u) -eq 0 ]] || fail "must run as root"; }

require_cmds() {
    local c missing=()
    for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
    ((${#missing[@]} == 0)) || fail "missing commands: ${missing[*]} (run tools/install-deps.sh)"
}

# lib_init LVS_BINARY [BUILD_DIR]: checks the environment, creates the temp dir
# and the bpffs, registers lib_cleanup. BUILD_DIR defaults to the binary's dir.
lib_init() {
    LVS_BIN=$(readlink -f "${1:?usage: lib_init LVS_BINARY [BUILD_DIR]}")
    BUILD_DIR=$(readlink -f "${2:-$(dirname "$LVS_BIN")}")
    require_root
    require_cmds ip nsenter ethtool curl tcpdump mount umount "$PY"
    [[ -x $LVS_BIN ]] || fail "lvs-xdp binary not found: $LVS_BIN (build first)"
    trap lib_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    LIB_TMP=$(mktemp -d "/tmp/$LIB_PREFIX.XXXXXX")
    LIB_BPFFS=$LIB_TMP/bpffs
    mkdir "$LIB_BPFFS"
    mount -t bpf bpf "$LIB_BPFFS" || fail "cannot mount a bpffs on $LIB_BPFFS"
    # lvs-xdp pins its maps here (--pin-dir, and LVS_XDP_PIN_DIR for good
    # measure); libxdp pins its dispatcher here too instead of /sys/fs/bpf, so
    # unmounting at the end leaves nothing behind.
    export LVS_XDP_PIN_DIR=$LIB_BPFFS
    export LIBXDP_BPFFS=$LIB_BPFFS
    log "run prefix $LIB_PREFIX, temp dir $LIB_TMP"
}

# ---- running things in namespaces ------------------------------------------
# in_ns NS CMD...: runs CMD in NS's network namespace. Uses nsenter (keeps the
# mounts, so bpffs stays visible, unlike `ip netns exec`).
in_ns() {
    local ns=$1
    shift
    nsenter --net="/run/netns/$ns" -- "$@"
}

# lvs ARGS...: lvs-xdp in the director's namespace with this run's pin dir.
lvs() { in_ns "$NS_DIR" "$LVS_BIN" --pin-dir "$LIB_BPFFS" "$@"; }

# bg_in_ns NS LOGFILE CMD...: starts CMD in the background inside NS; records
# its pid for cleanup; the pid is left in LIB_LAST_PID.
bg_in_ns() {
    local ns=$1 logf=$2
    shift 2
    nsenter --net="/run/netns/$ns" -- "$@" >"$logf" 2>&1 &
    LIB_LAST_PID=$!
    LIB_PIDS+=("$LIB_LAST_PID")
}

# wait_until TIMEOUT_S CMD...: retries CMD every 0.1 s until it succeeds.
wait_until() {
    local timeout=$1
    shift
    local end=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

# ---- building blocks ---------------------------------------------------------
netns_create() {
    local ns=$1
    ip netns add "$ns"
    LIB_NETNS+=("$ns")
    ip -n "$ns" link set lo up
}

# bridge_create NS BRIDGE: a namespace holding a bridge (no STP, no delay).
bridge_create() {
    local ns=$1 br=$2
    netns_create "$ns"
    ip -n "$ns" link add "$br" type bridge forward_delay 0 stp_state 0
    ip -n "$ns" link set "$br" up
}

# host_create NS IFACE ADDR/PLEN BR_NS BRIDGE PORT: a namespace with one veth
# whose peer PORT is a port of BRIDGE. TX checksum offload is switched off on
# IFACE: frames that cross a native-XDP hop would otherwise arrive with partial
# checksums and be dropped (LAB-NOTES, condition 3).
host_create() {
    netns_create "$1"
    leg_add "$@"
}

# leg_add NS IFACE ADDR/PLEN BR_NS BRIDGE PORT: as host_create, for a namespace
# that exists already (a second leg of a router or a director).
leg_add() {
    local ns=$1 ifc=$2 addr=$3 brns=$4 br=$5 port=$6
    ip link add "$ifc" netns "$ns" type veth peer name "$port" netns "$brns"
    ip -n "$brns" link set "$port" master "$br"
    ip -n "$brns" link set "$port" up
    ip -n "$ns" addr add "$addr" dev "$ifc"
    ip -n "$ns" link set "$ifc" up
    in_ns "$ns" ethtool -K "$ifc" tx off >/dev/null
}

# The XDP_PASS object attached to peers: the project's own, else xdp-tools'.
xdp_pass_object() {
    if [[ -f $BUILD_DIR/xdp_pass.bpf.o ]]; then
        echo "$BUILD_DIR/xdp_pass.bpf.o xdp"
    elif [[ -f /usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o ]]; then
        echo "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o xdp"
    else
        fail "no XDP_PASS object: build the project (xdp_pass.bpf.o) or install xdp-tools"
    fi
}

# peer_xdp_pass NS IFACE: native XDP_PASS on IFACE, the PEER of a veth that
# sends with XDP_TX: veth delivers XDP_TX frames only when the peer has a
# native XDP program (LAB-NOTES, condition 1). Also gives IFACE the NAPI that
# XDP_REDIRECT into its peer needs (condition 2).
peer_xdp_pass() {
    local ns=$1 ifc=$2 obj sec
    read -r obj sec < <(xdp_pass_object)
    ip -n "$ns" link set dev "$ifc" xdpdrv obj "$obj" sec "$sec"
    LIB_XDP+=("$ns $ifc")
}

# peer_gro_on NS IFACE: GRO on a veth, enough for XDP_REDIRECT into its peer
# (not for XDP_TX).
peer_gro_on() { in_ns "$1" ethtool -K "$2" gro on >/dev/null; }

# ---- the DR topology ---------------------------------------------------------
# One bridge in its own namespace; client, director, rs1 and rs2 each in a
# namespace with one veth port on it. The director holds the VIP on its
# interface as the how-to does (`ifconfig ens33:0 VIP netmask 255.255.255.255`),
# so it answers ARP for it; the director's bridge port gets an XDP_PASS program
# so lvs-xdp's XDP_TX frames are delivered.
setup_dr_topology() {
    log "creating DR topology (bridge $NS_BR; client $CLI_IP, director $DIR_IP, rs1 $RS1_IP, rs2 $RS2_IP, VIP $VIP)"
    bridge_create "$NS_BR" "$BR_IF"
    host_create "$NS_CLI" "$CLI_IF" "$CLI_IP/$SUBNET_PLEN" "$NS_BR" "$BR_IF" p-cli
    host_create "$NS_DIR" "$DIR_IF" "$DIR_IP/$SUBNET_PLEN" "$NS_BR" "$BR_IF" p-dir
    host_create "$NS_RS1" "$RS1_IF" "$RS1_IP/$SUBNET_PLEN" "$NS_BR" "$BR_IF" p-rs1
    host_create "$NS_RS2" "$RS2_IF" "$RS2_IP/$SUBNET_PLEN" "$NS_BR" "$BR_IF" p-rs2
    ip -n "$NS_DIR" addr add "$VIP/32" dev "$DIR_IF"
    peer_xdp_pass "$NS_BR" p-dir
    # Every host reaches every other one over the bridge.
    local ip
    for ip in "$DIR_IP" "$RS1_IP" "$RS2_IP"; do
        in_ns "$NS_CLI" ping -c1 -W2 "$ip" >/dev/null || fail "topology: client cannot ping $ip"
    done
}

# ---- the TUN topology --------------------------------------------------------
# The how-to's "across data centres" case: the client and the director on one
# bridge (subnet A), the real servers on another (subnet B), a router between
# them. The director reaches the real servers through the router; the real
# servers answer the client through it too (default route), never through the
# director. Same namespace and variable names as the DR topology (NS_CLI,
# NS_DIR, NS_RS1, NS_RS2, CLI_IP, DIR_IP, RS1_IP, RS2_IP, VIP), plus NS_BR2 and
# NS_RTR; all links keep MTU 1500, so full-size packets do not fit the tunnel:
# the director answers them with ICMP "fragmentation needed" (path MTU).
NS_BR2=$LIB_PREFIX-br2
NS_RTR=$LIB_PREFIX-rtr
RTR_A_IF=rtra0
RTR_B_IF=rtrb0

setup_tun_topology() {
    CLI_IP=10.78.1.10
    DIR_IP=10.78.1.2
    RTR_A_IP=10.78.1.1
    RTR_B_IP=10.78.2.1
    RS1_IP=10.78.2.11
    RS2_IP=10.78.2.12
    VIP=10.78.1.100
    log "creating TUN topology (subnet A: client $CLI_IP, director $DIR_IP, VIP $VIP; router $RTR_A_IP / $RTR_B_IP; subnet B: rs1 $RS1_IP, rs2 $RS2_IP)"
    bridge_create "$NS_BR" "$BR_IF"
    bridge_create "$NS_BR2" "$BR_IF"
    host_create "$NS_CLI" "$CLI_IF" "$CLI_IP/24" "$NS_BR" "$BR_IF" p-cli
    host_create "$NS_DIR" "$DIR_IF" "$DIR_IP/24" "$NS_BR" "$BR_IF" p-dir
    host_create "$NS_RS1" "$RS1_IF" "$RS1_IP/24" "$NS_BR2" "$BR_IF" p-rs1
    host_create "$NS_RS2" "$RS2_IF" "$RS2_IP/24" "$NS_BR2" "$BR_IF" p-rs2
    # The router: one leg on each bridge, forwarding, no reverse-path filter
    # (the real servers' replies come from the VIP, an address of subnet A).
    host_create "$NS_RTR" "$RTR_A_IF" "$RTR_A_IP/24" "$NS_BR" "$BR_IF" p-rtr
    leg_add "$NS_RTR" "$RTR_B_IF" "$RTR_B_IP/24" "$NS_BR2" "$BR_IF" p-rtr
    local k
    in_ns "$NS_RTR" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
    for k in all "$RTR_A_IF" "$RTR_B_IF"; do
        in_ns "$NS_RTR" sh -c "echo 0 > /proc/sys/net/ipv4/conf/$k/rp_filter"
    done
    ip -n "$NS_CLI" route add 10.78.2.0/24 via "$RTR_A_IP"
    ip -n "$NS_DIR" route add 10.78.2.0/24 via "$RTR_A_IP"
    ip -n "$NS_RS1" route add default via "$RTR_B_IP"
    ip -n "$NS_RS2" route add default via "$RTR_B_IP"
    ip -n "$NS_DIR" addr add "$VIP/32" dev "$DIR_IF"
    peer_xdp_pass "$NS_BR" p-dir
    local ip
    for ip in "$DIR_IP" "$RTR_A_IP" "$RS1_IP" "$RS2_IP"; do
        in_ns "$NS_CLI" ping -c1 -W2 "$ip" >/dev/null || fail "topology: client cannot ping $ip"
    done
    for ip in "$RS1_IP" "$RS2_IP"; do
        in_ns "$NS_DIR" ping -c1 -W2 "$ip" >/dev/null || fail "topology: director cannot ping $ip"
    done
}

# ---- services on the real servers -------------------------------------------
# start_http_server NS NAME: python3 http.server on 0.0.0.0:80 in NS serving an
# index.html that holds NAME; waits until it answers on ADDR.
start_http_server() {
    local ns=$1 name=$2 addr=$3
    local root=$LIB_TMP/www-$name
    mkdir -p "$root"
    echo "$name" >"$root/index.html"
    bg_in_ns "$ns" "$LIB_TMP/http-$name.log" "$PY" -m http.server 80 --bind 0.0.0.0 --directory "$root"
    wait_until 10 in_ns "$ns" curl -s --max-time 1 "http://$addr/" ||
        fail "http server $name did not come up (see $LIB_TMP/http-$name.log)"
}

start_http_servers() {
    start_http_server "$NS_RS1" rs1 "$RS1_IP"
    start_http_server "$NS_RS2" rs2 "$RS2_IP"
}

# start_udp_server NS NAME PORT: answers every datagram with "NAME <payload>",
# from the address the datagram was sent to (the VIP, in DR).
start_udp_server() {
    local ns=$1 name=$2 port=$3
    bg_in_ns "$ns" "$LIB_TMP/udp-$name.log" "$PY" "$LIB_DIR/udp_name_server.py" "$name" "$port"
    wait_until 10 grep -q ready "$LIB_TMP/udp-$name.log" ||
        fail "udp server $name did not come up (see $LIB_TMP/udp-$name.log)"
}

# ---- the director's services ---------------------------------------------------
# rr_service -t|-u VIP:PORT RPORT FWD_OPTS...: a round-robin virtual service
# with both real servers (RS1_IP, RS2_IP) on port RPORT (no port if empty),
# added with FWD_OPTS (-g, -m, -m --fullnat, -i ...).
rr_service() {
    local proto=$1 vs=$2 rport=$3 rs
    shift 3
    lvs -A "$proto" "$vs" -s rr
    for rs in "$RS1_IP" "$RS2_IP"; do
        lvs -a "$proto" "$vs" -r "$rs${rport:+:$rport}" "$@"
    done
}

# realservers ARGS...: `lvs-xdp realserver ARGS...` on both real servers.
realservers() {
    local ns
    for ns in "$NS_RS1" "$NS_RS2"; do in_ns "$ns" "$LVS_BIN" realserver "$@"; done
}

# ---- assertions helpers ------------------------------------------------------
# lvs_list: `lvs-xdp -Ln`, printed and kept in listing for the checks below.
lvs_list() {
    listing=$(lvs -Ln)
    echo "$listing"
}

# check_listed_service PROTO VIP:PORT SCHED: fails unless listing shows the
# virtual service (PROTO: TCP or UDP).
check_listed_service() { grep -Eq "$1 +$2 +$3" <<<"$listing" || fail "-Ln does not show the $1 service $2 ($3)"; }

# check_listed_server ADDR:PORT FORWARD WEIGHT: fails unless listing shows the
# real server with that forwarding method (Route, Masq, FullNat, ...) and weight.
check_listed_server() {
    grep -Eq -- "-> +$1 +$2 +$3 " <<<"$listing" || fail "-Ln does not show $1 as $2, weight $3"
}

# http_get NS URL: the body of one request (a new connection), bounded in time.
# From the address LIB_HTTP_SRC when that is set (see http_requests_from).
http_get() { in_ns "$1" curl -s ${LIB_HTTP_SRC:+--interface "$LIB_HTTP_SRC"} --connect-timeout 2 --max-time 4 "$2"; }

# http_requests_from SRC N URL: http_requests from the client's address SRC
# (one of the client's addresses, e.g. a second one added to its interface).
http_requests_from() { LIB_HTTP_SRC=$1 http_requests "$2" "$3"; }

# hold_start COUNT: COUNT connections from the client to VIP:80 held open
# (http_hold.py; ESTABLISHED when this returns), until hold_finish.
hold_start() {
    local fifo=$LIB_TMP/hold-$RANDOM
    mkfifo "$fifo"
    hold_out=$fifo.out
    nsenter --net="/run/netns/$NS_CLI" -- "$PY" "$LIB_DIR/http_hold.py" "$VIP" "$1" <"$fifo" >"$hold_out" 2>&1 &
    hold_pid=$!
    LIB_PIDS+=("$hold_pid")
    exec {hold_fd}>"$fifo"
    wait_until 10 grep -q connected "$hold_out" || fail "could not open $1 connections: $(cat "$hold_out")"
}

# hold_finish: one request on each connection of hold_start, then closes them;
# leaves the answers (a server's name or "error: ..."), one a line, in held.
hold_finish() {
    echo go >&"$hold_fd"
    exec {hold_fd}>&-
    wait "$hold_pid" || true
    held=$(grep -v '^connected' "$hold_out")
    log "held connections answered by: $(sort <<<"$held" | uniq -c | tr '\n' ' ')"
}

# http_requests N URL: N requests from the client to URL (http_get, each a new
# connection), counted by the body of the answer. Leaves the counts in hits
# (body -> answers), the requests without an answer in failures and the
# answers of rs1 and rs2 in rs1 and rs2 (a caller's locals of those names, if
# it has them); logs them.
declare -A hits=()
http_requests() {
    local n=$1 url=$2 i body
    hits=()
    failures=0
    for ((i = 0; i < n; i++)); do
        if body=$(http_get "$NS_CLI" "$url"); then
            hits[$body]=$((${hits[$body]:-0} + 1))
        else
            failures=$((failures + 1))
        fi
    done
    rs1=${hits[rs1]:-0}
    rs2=${hits[rs2]:-0}
    log "$n requests: rs1=$rs1 rs2=$rs2 failed=$failures (all answers: $(for body in "${!hits[@]}"; do printf '%s=%s ' "$body" "${hits[$body]}"; done))"
}

# check_http_answered N: fails unless all N requests of http_requests were
# answered, each by rs1 or rs2.
check_http_answered() {
    # The data plane's reasons for not forwarding, to tell a drop from a lost answer.
    ((failures == 0)) || fail "$failures of $1 HTTP requests failed ($(lvs status 2>/dev/null | grep -E '^(not forwarded|removed servers):' | tr '\n' ' '))"
    ((rs1 + rs2 == $1)) || fail "answers from unexpected servers: ${!hits[*]}"
}

# udp_requests N PORT [SIZE]: N datagrams (of SIZE bytes) from the client to VIP:PORT, each from a new
# source port (udp_probe.py: up to 3 tries of 1 s each). Leaves the answers in
# answers, how many came from rs1 and rs2 in rs1 and rs2 and how many got
# no (or a wrong) answer in lost; logs them.
udp_requests() {
    local n=$1 port=$2 size=${3:-0}
    answers=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_probe.py" "$VIP" "$port" "$n" 1 3 "$size")
    rs1=$(grep -cx rs1 <<<"$answers" || true)
    rs2=$(grep -cx rs2 <<<"$answers" || true)
    lost=$((n - rs1 - rs2))
    log "$n datagrams: rs1=$rs1 rs2=$rs2 other=$lost ($(sort <<<"$answers" | uniq -c | tr '\n' ' '))"
}

# make_blob MB: MB megabytes of random data in $LIB_TMP/blob.bin; leaves its
# path in blob, its SHA-256 in want and its size in bytes in size.
# shellcheck disable=SC2034 # read by the tests
make_blob() {
    blob=$LIB_TMP/blob.bin
    head -c $(($1 * 1024 * 1024)) /dev/urandom >"$blob"
    want=$(sha256sum "$blob" | awk '{ print $1 }')
    size=$(stat -c %s "$blob")
}

# check_rr_split A B: fails unless two servers' counts of new flows look like
# round robin. The rr position is per CPU in lvs-xdp (each CPU walks its own
# copy of the sequence), so each CPU's share is split within 1 and the totals
# differ by at most one per CPU; also each must have at least 40%. Hashing on
# the source port (connect() prefers even ports) or a stuck position fails.
check_rr_split() {
    local a=$1 b=$2 cpus diff
    cpus=$(nproc)
    diff=$((a > b ? a - b : b - a))
    ((a * 10 >= (a + b) * 4 && b * 10 >= (a + b) * 4)) ||
        fail "uneven round robin: $a vs $b (each must have >= 40%)"
    ((diff <= cpus)) || fail "round robin off by $diff ($a vs $b); at most $cpus (one per CPU) expected"
}

# iface_mac_of NS IFACE: the interface's MAC (not from /sys/class/net: nsenter
# keeps the host's sysfs mount).
iface_mac_of() { ip -n "$1" -o link show dev "$2" | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p'; }

# sysctl_in NS KEY: a sysctl's value inside NS.
sysctl_in() { in_ns "$1" cat "/proc/sys/${2//.//}"; }

# capture_start NS IFACE FILTER: tcpdump into a file, headers only (-s 256:
# enough to keep whole the small UDP datagrams whose checksums the NAT tests
# read), with an 8 MB buffer: in immediate mode libpcap sizes each ring slot
# for the snap length, so the default 2 MB leave a few slots and a burst of a
# few hundred small packets loses some ("dropped by kernel"). The file name is
# left in LIB_LAST_CAPTURE, tcpdump's pid in LIB_LAST_CAPTURE_PID. Returns once
# tcpdump is listening.
capture_start() {
    local ns=$1 ifc=$2 filter=$3
    local f
    f=$LIB_TMP/cap-$ns-$ifc-$RANDOM.pcap
    bg_in_ns "$ns" "$f.log" tcpdump -i "$ifc" -nn --immediate-mode -s 256 -B 8192 -U -w "$f" "$filter"
    # shellcheck disable=SC2034 # read by the tests
    LIB_LAST_CAPTURE=$f
    LIB_LAST_CAPTURE_PID=$LIB_LAST_PID
    LIB_CAPTURE_FILE[$LIB_LAST_PID]=$f
    wait_until 10 grep -q "listening on" "$f.log" || fail "tcpdump on $ifc did not start: $(cat "$f.log")"
}

# capture_stop [PID...]: stops captures (default: the one started last). A
# busy tcpdump lags behind and drops what it has not read when interrupted,
# so first wait (at most 10 s) until no capture file has grown for a second.
capture_stop() {
    local pid sizes prev="" stable=0 end=$((SECONDS + 10))
    (($# > 0)) || set -- "$LIB_LAST_CAPTURE_PID"
    while ((SECONDS < end && stable < 4)); do
        sleep 0.25
        sizes=$(for pid in "$@"; do stat -c %s "$(capture_file_of "$pid")" 2>/dev/null; done)
        if [[ $sizes == "$prev" ]]; then stable=$((stable + 1)); else stable=0; fi
        prev=$sizes
    done
    for pid in "$@"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# dr_captures FILTER: the DR tests' two captures on the bridge, both with
# FILTER: on the director's port (file in cap, tcpdump's pid in cap_pid),
# which sees the requests arrive and leave again for a real server, and on the
# client's port (cap_cli, cap_cli_pid), which sees the replies.
# shellcheck disable=SC2034 # read by the tests
dr_captures() {
    capture_start "$NS_BR" p-dir "$1"
    cap=$LIB_LAST_CAPTURE
    cap_pid=$LIB_LAST_CAPTURE_PID
    capture_start "$NS_BR" p-cli "$1"
    cap_cli=$LIB_LAST_CAPTURE
    cap_cli_pid=$LIB_LAST_CAPTURE_PID
}

# The file a capture started by capture_start writes.
capture_file_of() { echo "${LIB_CAPTURE_FILE[$1]}"; }

# capture_count FILE FILTER: packets in FILE matching FILTER.
capture_count() { tcpdump -nn -r "$1" "$2" 2>/dev/null | wc -l; }

# ---- cleanup -----------------------------------------------------------------
lib_cleanup() {
    local rc=$?
    ((LIB_CLEANED)) && return 0
    LIB_CLEANED=1
    set +e
    trap - INT TERM
    local pid entry ns ifc ino
    for pid in "${LIB_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${LIB_PIDS[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    # lvs-xdp's own programs first (through libxdp), then anything left.
    if [[ -n $LVS_BIN && -e /run/netns/$NS_DIR ]] && ip -n "$NS_DIR" link show "$DIR_IF" 2>/dev/null | has xdp; then
        lvs detach "$DIR_IF" >/dev/null 2>&1
        ip -n "$NS_DIR" link set dev "$DIR_IF" xdp off 2>/dev/null
    fi
    for entry in "${LIB_XDP[@]}"; do
        read -r ns ifc <<<"$entry"
        ip -n "$ns" link set dev "$ifc" xdp off 2>/dev/null
    done
    for ns in "${LIB_NETNS[@]}"; do
        # realserver state files are named by the namespace's inode.
        ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) && rm -f "/run/lvs-xdp/realserver-$ino.state"
        ip netns del "$ns" 2>/dev/null
    done
    if [[ -n $LIB_BPFFS ]] && mountpoint -q "$LIB_BPFFS"; then
        umount "$LIB_BPFFS" || umount -l "$LIB_BPFFS"
    fi
    if [[ -n $LIB_TMP && -d $LIB_TMP ]]; then
        if ((rc != 0)) && [[ -n ${LVS_E2E_KEEP_LOGS:-} ]]; then
            log "logs kept in $LIB_TMP"
        else
            rm -rf "$LIB_TMP"
        fi
    fi
    return "$rc"
}

# lib_leftovers: what of this run still exists (for self-checks); empty if none.
lib_leftovers() {
    ip netns list | grep -F "$LIB_PREFIX" || true
    ip -o link show | grep -F "$LIB_PREFIX" || true
    grep -F "$LIB_PREFIX" /proc/mounts || true
}

# ---- long-lived connections that keep talking (changes under load, upgrade) --
# start_line_server NS NAME: a server on 0.0.0.0:80 in NS that answers both an
# HTTP GET (body NAME, then closes, like start_http_server) and, on a
# connection whose first line is not a GET, every line L with "NAME L" for as
# long as the client keeps the connection: a long-lived connection that can be
# made to pass data at any time. Waits until it answers on ADDR.
start_line_server() {
    local ns=$1 name=$2 addr=$3 srv=$LIB_TMP/line_server.py
    [[ -f $srv ]] || cat >"$srv" <<'PYEOF'
import socketserver, sys
name, port = sys.argv[1].encode(), int(sys.argv[2])
class Handler(socketserver.StreamRequestHandler):
    timeout = 300
    def handle(self):
        line = self.rfile.readline()
        if line.startswith(b"GET "):
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            body = name + b"\n"
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n%s" % (len(body), body))
            return
        while line:
            self.wfile.write(name + b" " + line)
            line = self.rfile.readline()
class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 1024
Server(("0.0.0.0", port), Handler).serve_forever()
PYEOF
    bg_in_ns "$ns" "$LIB_TMP/line-$name.log" "$PY" "$srv" "$name" 80
    wait_until 10 in_ns "$ns" curl -s --max-time 1 "http://$addr/" ||
        fail "line server $name did not come up (see $LIB_TMP/line-$name.log)"
}

# talk_start COUNT [INTERVAL]: COUNT connections from the client to VIP:80
# (start_line_server's servers) held open, ESTABLISHED when this returns. With
# INTERVAL (seconds, > 0) each connection sends a line and waits for its echo
# every INTERVAL, all the time; "talk_round" makes every connection exchange one
# line now. Every exchange must come back within 3 s from the server that
# answered the first one. talk_finish ends them.
talk_start() {
    local fifo=$LIB_TMP/talk-$RANDOM talker=$LIB_TMP/talker.py
    [[ -f $talker ]] || cat >"$talker" <<'PYEOF'
import select, socket, sys, time
addr, count, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
conns = []
for i in range(count):
    s = socket.create_connection((addr, 80), timeout=3)
    conns.append({"sock": s, "file": s.makefile("rb"), "name": None, "ok": 0, "err": 0, "dead": False})
n = 0
max_rtt = 0.0
def exchange():
    global n, max_rtt
    n += 1
    for i, c in enumerate(conns):
        if c["dead"]:
            c["err"] += 1
            continue
        msg = b"ping %d %d\n" % (i, n)
        t0 = time.monotonic()
        try:
            c["sock"].sendall(msg)
            reply = c["file"].readline()
        except OSError as e:
            reply = b"error " + str(e).encode()
        rtt = time.monotonic() - t0
        max_rtt = max(max_rtt, rtt)
        name, _, rest = reply.partition(b" ")
        if rest == msg and (c["name"] in (None, name)):
            c["name"] = c["name"] or name
            c["ok"] += 1
        else:
            c["err"] += 1
            print("conn %d exchange %d: sent %r, got %r (first server %r)" % (i, n, msg, reply, c["name"]), flush=True)
            if not reply or reply.startswith(b"error"):
                c["dead"] = True
exchange()
print("connected %d" % count, flush=True)
while True:
    r, _, _ = select.select([sys.stdin], [], [], interval if interval > 0 else None)
    if r:
        cmd = sys.stdin.readline().strip()
        if cmd in ("", "stop"):
            break
    exchange()
    if r:
        print("round %d" % n, flush=True)
exchange()
for i, c in enumerate(conns):
    print("conn %d server=%s ok=%d errors=%d" % (i, (c["name"] or b"-").decode(), c["ok"], c["err"]), flush=True)
print("total exchanges=%d errors=%d max_rtt_ms=%d" % (sum(c["ok"] for c in conns), sum(c["err"] for c in conns), max_rtt * 1000), flush=True)
PYEOF
    mkfifo "$fifo"
    talk_out=$fifo.out
    nsenter --net="/run/netns/$NS_CLI" -- "$PY" "$talker" "$VIP" "$1" "${2:-0}" <"$fifo" >"$talk_out" 2>&1 &
    talk_pid=$!
    LIB_PIDS+=("$talk_pid")
    exec {talk_fd}>"$fifo"
    wait_until 10 grep -q connected "$talk_out" || fail "could not open $1 talking connections: $(cat "$talk_out")"
}

# talk_round: every connection of talk_start exchanges one line now; returns
# once they have (the result shows in talk_finish's counts).
talk_rounds() { grep -c '^round' "$talk_out" || true; }
talk_round() {
    local before
    before=$(talk_rounds)
    echo round >&"$talk_fd"
    # shellcheck disable=SC2016 # expanded by the inner bash, each try
    wait_until 15 bash -c '(($(grep -c "^round" "$1") > $2))' talk "$talk_out" "$before" ||
        fail "talking connections did not finish a round: $(cat "$talk_out")"
}

# talk_finish: a last exchange on every connection, then closes them. Leaves
# the per-connection lines ("conn I server=NAME ok=N errors=E") in talk_conns,
# the servers they talked to in talk_servers (sorted, one a line), the total
# errors in talk_errors, exchanges in talk_ok and the slowest exchange's round
# trip in talk_max_rtt_ms; logs them.
# shellcheck disable=SC2034 # read by the tests
talk_finish() {
    echo stop >&"$talk_fd"
    exec {talk_fd}>&-
    wait "$talk_pid" || true
    talk_conns=$(grep '^conn [0-9]* server=' "$talk_out" || true)
    talk_servers=$(sed -n 's/^conn [0-9]* server=\([^ ]*\) .*/\1/p' "$talk_out" | sort)
    talk_ok=$(sed -n 's/^total exchanges=\([0-9]*\) .*/\1/p' "$talk_out")
    talk_errors=$(sed -n 's/^total .* errors=\([0-9]*\) .*/\1/p' "$talk_out")
    talk_max_rtt_ms=$(sed -n 's/^total .* max_rtt_ms=\([0-9]*\).*/\1/p' "$talk_out")
    log "talking connections: $(grep -v -e '^round' -e '^connected' "$talk_out" | tr '\n' ';')"
    [[ -n $talk_ok && -n $talk_errors && -n $talk_max_rtt_ms ]] || fail "talking connections ended without a summary: $(cat "$talk_out")"
}

# The upgrade tests' configuration on the DR topology: TCP wrr 2:1 on :80,
# TCP sh with persistence on :8080 (rs1), UDP mh on :53 (rs2).
add_three_dr_services() {
    lvs -A -t "$VIP:80" -s wrr
    lvs -a -t "$VIP:80" -r "$RS1_IP:80" -g -w 2
    lvs -a -t "$VIP:80" -r "$RS2_IP:80" -g -w 1
    lvs -A -t "$VIP:8080" -s sh -b sh-port -p 600
    lvs -a -t "$VIP:8080" -r "$RS1_IP:8080" -g
    lvs -A -u "$VIP:53" -s mh
    lvs -a -u "$VIP:53" -r "$RS2_IP:53" -g -w 3
}
