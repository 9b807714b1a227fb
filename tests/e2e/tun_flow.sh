# shellcheck shell=bash
# The TUN end-to-end flow shared by test_tun_ipip.sh, test_tun_gue.sh and
# test_tun_gre.sh, which set, before sourcing this file:
#   TUN_OPTS      the director's tunnel options after -i ("" for ipip,
#                 "--tun-type gue --tun-port 6080", ...)
#   RS_OPTS       extra options of `realserver add VIP --tun` ("--gue-port 6080")
#   TUN_OVERHEAD  bytes the tunnel adds (20 ipip, 32 gue, 24/28 gre)
#   TUN_FILTER    pcap filter matching the tunnel packets ("ip proto 4", ...)
#   TUN_INFO      the TunnelInfo column of -L --tun-info (a regex)
# and call tun_flow_main "$@".
#
# The how-to's "across data centres" TUN set-up (lib.sh setup_tun_topology):
# client and director in subnet A, two real servers in subnet B behind a
# router. Director: lvs-xdp attach, -A, -a ... -i (with TUN_OPTS); real
# servers: lvs-xdp realserver add VIP --tun (rs_decap on this kernel, which has
# no ipip device). Every link has MTU 1500, so the client's full-size packets
# do not fit the tunnel. Checks, in this order:
#   1. small UDP datagrams go through the tunnel to both servers and are answered;
#   2. HTTP: every request answered, round robin over both servers, the
#      requests leave the director encapsulated (TUN_FILTER) toward the router
#      and arrive encapsulated at the real servers, no reply reaches the
#      director, the client gets the replies from the router's MAC;
#   3. 4 MB downloads from both servers and 4 MB uploads to both servers
#      arrive intact (sha256). The uploads' first full-size segments are
#      answered by the director with ICMP "fragmentation needed" (its
#      pmtu_icmp counter grows), the client's TCP lowers its MSS and the rest
#      goes through the tunnel at the path MTU;
#   4. on a second VIP (so the client's path-MTU cache for the first does not
#      interfere), a DF UDP datagram too big for the tunnel gets ICMP
#      "fragmentation needed" with MTU 1500 - TUN_OVERHEAD: seen on the
#      client's bridge port, accepted by the client's kernel (its path MTU to
#      that VIP drops to the value), counted in the director's pmtu_icmp;
#   5. realserver del --tun detaches rs_decap, removes the VIP and the pinned
#      maps, restores the sysctls.

TUN_PORT_UDP=5353
PMTU_VIP=10.78.1.101  # a second VIP on the director, for the DF probe
TUN_REQUESTS=${LVS_E2E_REQUESTS:-100}
TUN_BLOB_MB=4

# rs_decap's program id on an interface (empty if none).
decap_prog_on() { ip -n "$1" -d link show dev "$2" | sed -n 's|.*prog/xdp id \([0-9]*\) name lvs_rs_decap.*|\1|p'; }

# The sum of one field of the director's per-CPU lvs_xdp_stats (pinned map).
xdp_stat() {
    bpftool -j map dump pinned "$LIB_BPFFS/lvs_xdp_stats" 2>/dev/null | "$PY" -c '
import json, sys
field, total = sys.argv[1], 0
def walk(v):
    global total
    if isinstance(v, dict):
        for k, x in v.items():
            if k == field and isinstance(x, int):
                total += x
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(json.load(sys.stdin))
print(total)' "$1"
}

start_sha_server() {
    local ns=$1 name=$2 ip=$3
    local root=$LIB_TMP/www-$name
    mkdir -p "$root"
    cp "$LIB_TMP/blob.bin" "$root/blob.bin"
    bg_in_ns "$ns" "$LIB_TMP/http-$name.log" "$PY" "$LIB_DIR/http_sha_server.py" "$name" 80 "$root"
    wait_until 10 grep -q ready "$LIB_TMP/http-$name.log" || fail "http server $name did not start"
    # Reachable on its own address from the client, through the router.
    wait_until 10 in_ns "$NS_CLI" curl -s --max-time 1 "http://$ip/" ||
        fail "http server $name does not answer at $ip (see $LIB_TMP/http-$name.log)"
}

tun_setup() {
    setup_tun_topology
    head -c $((TUN_BLOB_MB << 20)) /dev/urandom >"$LIB_TMP/blob.bin"
    BLOB_SHA=$(sha256sum "$LIB_TMP/blob.bin" | cut -d' ' -f1)
    start_sha_server "$NS_RS1" rs1 "$RS1_IP"
    start_sha_server "$NS_RS2" rs2 "$RS2_IP"
    start_udp_server "$NS_RS1" rs1 "$TUN_PORT_UDP"
    start_udp_server "$NS_RS2" rs2 "$TUN_PORT_UDP"

    # ---- real servers ----
    local ns ifc out
    for pair in "$NS_RS1 $RS1_IF" "$NS_RS2 $RS2_IF"; do
        read -r ns ifc <<<"$pair"
        # shellcheck disable=SC2086 # RS_OPTS is a list of options
        out=$(in_ns "$ns" "$LVS_BIN" realserver add "$VIP" --tun $RS_OPTS) || fail "$ns: realserver add --tun failed"
        echo "$out"
        if ip -n "$ns" link show tunl0 >/dev/null 2>&1; then
            fail "$ns: a tunl0 exists on this kernel; these tests expect the BPF decapsulation"
        fi
        grep -q "decapsulation.*bpf\|bpf decapsulation" <<<"$out" || fail "$ns: realserver add did not report bpf decapsulation: $out"
        [[ -n $(decap_prog_on "$ns" "$ifc") ]] || fail "$ns: rs_decap is not attached to $ifc"
        ip -n "$ns" -4 addr show dev lo | has "inet $VIP/32" || fail "$ns: $VIP/32 not on lo"
        for k in lo/arp_ignore=1 all/arp_ignore=1 lo/arp_announce=2 all/arp_announce=2 all/rp_filter=0 "$ifc/rp_filter=0"; do
            [[ $(sysctl_in "$ns" "net/ipv4/conf/${k%=*}") == "${k#*=}" ]] || fail "$ns: ${k%=*} is not ${k#*=}"
        done
    done
    in_ns "$NS_RS1" "$LVS_BIN" realserver list
    pass "real servers: rs_decap attached, VIP on lo, ARP and rp_filter sysctls set"

    # ---- director ----
    ip -n "$NS_DIR" addr add "$PMTU_VIP/32" dev "$DIR_IF"
    lvs attach "$DIR_IF"
    local vs rs
    for vs in "-t $VIP:80" "-u $VIP:$TUN_PORT_UDP" "-u $PMTU_VIP:$TUN_PORT_UDP"; do
        # shellcheck disable=SC2086 # "-t VIP:PORT" and TUN_OPTS are lists of words
        rr_service $vs "" -i $TUN_OPTS
    done
    local listing info
    listing=$(lvs -Ln)
    info=$(lvs -Ln --tun-info)
    echo "$info"
    for rs in "$RS1_IP" "$RS2_IP"; do
        [[ $(grep -Ec -- "-> +$rs:(80|$TUN_PORT_UDP) +Tunnel +1 " <<<"$listing") == 3 ]] ||
            fail "-Ln does not show $rs as Tunnel, weight 1, in the three services"
        [[ $(grep -Ec -- "-> +$rs:(80|$TUN_PORT_UDP) +Tunnel +$TUN_INFO " <<<"$info") == 3 ]] ||
            fail "-Ln --tun-info does not show $rs with tunnel info '$TUN_INFO' in the three services"
    done
}

check_pmtu() {
    local want=$((1500 - TUN_OVERHEAD)) size=$((1500 - 28)) out before after cap cap_pid
    before=$(xdp_stat pmtu_icmp)
    capture_start "$NS_BR" p-cli "icmp"
    cap=$LIB_LAST_CAPTURE
    cap_pid=$LIB_LAST_CAPTURE_PID
    out=$(in_ns "$NS_CLI" "$PY" "$LIB_DIR/udp_df_probe.py" "$PMTU_VIP" "$TUN_PORT_UDP" "$size" 3)
    capture_stop "$cap_pid"
    after=$(xdp_stat pmtu_icmp)
    log "DF datagram of $size bytes (IP $((size + 28))): client's path MTU now: $out; pmtu_icmp $before -> $after"
    tcpdump -nn -v -r "$cap" 2>/dev/null | grep -A1 "$PMTU_VIP > $CLI_IP" || true
    [[ $(tcpdump -nn -v -r "$cap" "src host $PMTU_VIP and dst host $CLI_IP and icmp[icmptype] == 3 and icmp[icmpcode] == 4" 2>/dev/null |
        grep -c "need to frag (mtu $want)") -ge 1 ]] ||
        fail "no ICMP fragmentation-needed with mtu $want from $PMTU_VIP reached the client"
    [[ $out == "mtu $want" ]] || fail "the client's kernel did not take the ICMP answer (path MTU: $out, expected $want)"
    if [[ -n $after ]]; then
        ((after > before)) || fail "the director's pmtu_icmp counter did not grow ($before -> $after)"
    fi
    pass "a DF packet too big for the tunnel got ICMP fragmentation needed (mtu $want) from the director"
}

check_udp() {
    # shellcheck disable=SC2034 # udp_requests sets all four
    local answers rs1 rs2 lost
    udp_requests 20 "$TUN_PORT_UDP"
    ((rs1 + rs2 == 20)) || fail "UDP: $((20 - rs1 - rs2)) of 20 requests unanswered or garbled: $(sort <<<"$answers" | uniq -c | tr '\n' ' ')"
    ((rs1 > 0 && rs2 > 0)) || fail "UDP: not both servers answered (rs1=$rs1 rs2=$rs2)"
    pass "UDP through the tunnel answered by both servers"
}

check_http() {
    # shellcheck disable=SC2034 # http_requests sets failures, rs1 and rs2
    local cap_dir cap_dir_pid cap_cli cap_cli_pid cap_rs cap_rs_pid failures rs1 rs2
    capture_start "$NS_BR" p-dir ""
    cap_dir=$LIB_LAST_CAPTURE
    cap_dir_pid=$LIB_LAST_CAPTURE_PID
    capture_start "$NS_BR" p-cli "tcp port 80"
    cap_cli=$LIB_LAST_CAPTURE
    cap_cli_pid=$LIB_LAST_CAPTURE_PID
    capture_start "$NS_BR2" p-rtr "$TUN_FILTER"
    cap_rs=$LIB_LAST_CAPTURE
    cap_rs_pid=$LIB_LAST_CAPTURE_PID
    http_requests "$TUN_REQUESTS" "http://$VIP/"
    capture_stop "$cap_dir_pid" "$cap_cli_pid" "$cap_rs_pid"
    check_http_answered "$TUN_REQUESTS"
    check_rr_split "$rs1" "$rs2"
    pass "all $TUN_REQUESTS HTTP requests answered through the tunnel, split rs1=$rs1 rs2=$rs2"

    local dir_mac rtr_mac rtr_b_mac
    dir_mac=$(iface_mac_of "$NS_DIR" "$DIR_IF")
    rtr_mac=$(iface_mac_of "$NS_RTR" "$RTR_A_IF")
    rtr_b_mac=$(iface_mac_of "$NS_RTR" "$RTR_B_IF")
    # Out of the director: encapsulated, from its own address to each real
    # server, sent to the router's MAC.
    local out1 out2 plain replies_in
    out1=$(capture_count "$cap_dir" "ether src $dir_mac and ether dst $rtr_mac and src host $DIR_IP and dst host $RS1_IP and ($TUN_FILTER)")
    out2=$(capture_count "$cap_dir" "ether src $dir_mac and ether dst $rtr_mac and src host $DIR_IP and dst host $RS2_IP and ($TUN_FILTER)")
    plain=$(capture_count "$cap_dir" "ether src $dir_mac and tcp port 80")
    replies_in=$(capture_count "$cap_dir" "ether dst $dir_mac and src host $VIP and tcp src port 80")
    log "director's port: tunnelled to rs1=$out1 rs2=$out2, unencapsulated HTTP sent=$plain, replies to the director=$replies_in"
    ((out1 > 0 && out2 > 0)) || fail "the director did not send encapsulated packets to both real servers via the router"
    ((plain == 0)) || fail "the director sent $plain HTTP packets without encapsulation"
    ((replies_in == 0)) || fail "$replies_in replies from $VIP:80 reached the director (TUN replies must bypass it)"
    # Into subnet B: the router forwards the encapsulated packets to the servers.
    local in1 in2
    in1=$(capture_count "$cap_rs" "ether src $rtr_b_mac and src host $DIR_IP and dst host $RS1_IP")
    in2=$(capture_count "$cap_rs" "ether src $rtr_b_mac and src host $DIR_IP and dst host $RS2_IP")
    log "router to subnet B: encapsulated packets for rs1=$in1 rs2=$in2"
    ((in1 > 0 && in2 > 0)) || fail "encapsulated packets did not reach both real servers' subnet"
    # The client: replies from the VIP, by way of the router, none from the director.
    local from_rtr from_dir
    from_rtr=$(capture_count "$cap_cli" "src host $VIP and tcp src port 80 and ether src $rtr_mac")
    from_dir=$(capture_count "$cap_cli" "src host $VIP and tcp src port 80 and ether src $dir_mac")
    log "client's port: replies via the router=$from_rtr, from the director=$from_dir"
    ((from_rtr >= TUN_REQUESTS)) || fail "the client got only $from_rtr replies via the router"
    ((from_dir == 0)) || fail "$from_dir replies came from the director's MAC"
    pass "requests tunnelled through the router, replies straight from the real servers to the client"
}

# Transfers until both servers have served one (at least 2, at most 8 each):
# rr sends consecutive connections to alternate servers, per CPU.
check_transfers() {
    local i f hdr server sha seen_dl="" seen_ul="" out
    for ((i = 0; i < 8; i++)); do
        [[ $seen_dl == *rs1* && $seen_dl == *rs2* ]] && break
        f=$LIB_TMP/dl-$i.bin
        hdr=$LIB_TMP/dl-$i.hdr
        in_ns "$NS_CLI" curl -s --connect-timeout 2 --max-time 30 -D "$hdr" -o "$f" "http://$VIP/blob.bin" ||
            fail "download $i of blob.bin failed"
        server=$(sed -n 's/^X-Server: \([a-z0-9]*\).*/\1/p' "$hdr")
        sha=$(sha256sum "$f" | cut -d' ' -f1)
        [[ $sha == "$BLOB_SHA" ]] || fail "download $i from $server: sha256 $sha, expected $BLOB_SHA ($(stat -c %s "$f") bytes)"
        seen_dl+=" $server"
        rm -f "$f"
    done
    local before after
    before=$(xdp_stat pmtu_icmp)
    for ((i = 0; i < 8; i++)); do
        [[ $seen_ul == *rs1* && $seen_ul == *rs2* ]] && break
        out=$(in_ns "$NS_CLI" curl -s --connect-timeout 2 --max-time 30 -H "Expect:" --data-binary "@$LIB_TMP/blob.bin" \
            -H "Content-Type: application/octet-stream" "http://$VIP/upload") || fail "upload $i failed"
        [[ $out == "rs"[12]" $BLOB_SHA" ]] || fail "upload $i: the server got different data: '$out' (sent $BLOB_SHA)"
        seen_ul+=" ${out%% *}"
    done
    after=$(xdp_stat pmtu_icmp)
    log "${TUN_BLOB_MB} MB downloads from:$seen_dl; uploads to:$seen_ul; ICMP fragmentation needed sent during the uploads: $((after - before))"
    ((after > before)) || fail "the uploads' full-size segments did not get ICMP fragmentation needed from the director"
    [[ $seen_dl == *rs1* && $seen_dl == *rs2* ]] || fail "downloads did not come from both servers:$seen_dl"
    [[ $seen_ul == *rs1* && $seen_ul == *rs2* ]] || fail "uploads did not reach both servers:$seen_ul"
    pass "${TUN_BLOB_MB} MB downloads and uploads through the tunnel arrive intact (sha256), from and to both servers"
}

check_realserver_del() {
    local ns ifc k
    for pair in "$NS_RS1 $RS1_IF" "$NS_RS2 $RS2_IF"; do
        read -r ns ifc <<<"$pair"
        in_ns "$ns" "$LVS_BIN" realserver del "$VIP" --tun
        [[ -z $(decap_prog_on "$ns" "$ifc") ]] || fail "$ns: rs_decap still attached after del"
        ! ip -n "$ns" -4 addr show dev lo | has "inet $VIP/" || fail "$ns: $VIP still on lo after del"
        for k in lo/arp_ignore=0 all/arp_ignore=0 lo/arp_announce=0 all/arp_announce=0; do
            [[ $(sysctl_in "$ns" "net/ipv4/conf/${k%=*}") == "${k#*=}" ]] || fail "$ns: ${k%=*} not restored"
        done
    done
    ! ls -d "$LIB_BPFFS"/realserver-* >/dev/null 2>&1 || fail "rs_decap's maps are still pinned: $(ls -d "$LIB_BPFFS"/realserver-*)"
    pass "realserver del --tun detached rs_decap, removed the VIP and its maps, restored the sysctls"
}

tun_flow_main() {
    lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
    require_cmds bpftool sha256sum
    tun_setup
    check_udp
    check_http
    check_transfers
    check_pmtu
    check_realserver_del
}
