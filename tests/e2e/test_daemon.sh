#!/usr/bin/env bash
# lvs-xdp daemon end to end, on the DR topology (rr over rs1 and rs2 on VIP:80):
# - /metrics (--metrics 127.0.0.1:PORT in the director's namespace) scraped
#   with curl: the connection counts equal the requests made, packets and
#   XDP counters are counted, the estimator's rates appear after a few
#   seconds of steady traffic;
# - MAC refresh: a server added while it does not exist yet (no ARP answer)
#   takes traffic once it comes up, without another lvs-xdp command;
# - the daemon killed with SIGKILL while requests flow: every request still
#   answered; a restarted daemon serves metrics again.
# Usage (as root): test_daemon.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

REQUESTS=20
PORT=$((20000 + RANDOM % 20000))
METRICS=http://127.0.0.1:$PORT/metrics
RS3_IP=10.77.0.13
NS_RS3=$LIB_PREFIX-rs3

setup_dr_topology
start_http_servers
realservers add "$VIP"
lvs attach "$DIR_IF"
rr_service -t "$VIP:80" 80 -g
# rs3 does not exist yet: its MAC stays unknown until the daemon finds it.
lvs -A -t "$VIP:8080" -s rr
lvs -a -t "$VIP:8080" -r "$RS3_IP:8080" -g

# start_daemon: the daemon in the director's namespace; waits for /metrics.
start_daemon() {
    daemon_log=$LIB_TMP/daemon-$RANDOM.log
    bg_in_ns "$NS_DIR" "$daemon_log" "$LVS_BIN" --pin-dir "$LIB_BPFFS" daemon --metrics "127.0.0.1:$PORT"
    daemon_pid=$LIB_LAST_PID
    wait_until 10 in_ns "$NS_DIR" curl -sf --max-time 1 "$METRICS" || fail "no /metrics: $(cat "$daemon_log")"
}

scrape() { scraped=$(in_ns "$NS_DIR" curl -sf --max-time 2 "$METRICS") || fail "scraping $METRICS failed"; }

# metric NAME{LABELS}: the value of one sample of the last scrape (empty if absent).
metric() { awk -v m="$1" 'index($0, m " ") == 1 { print $NF }' <<<"$scraped"; }

svc="service=\"TCP $VIP:80\""
rs1_labels="{$svc,server=\"$RS1_IP:80\"}"
rs2_labels="{$svc,server=\"$RS2_IP:80\"}"

# ---- metrics: counters ----
start_daemon
# A second daemon can't take the port, and says so instead of running without metrics.
if out=$(lvs daemon --metrics "127.0.0.1:$PORT" 2>&1); then fail "a second daemon started on a taken port"; fi
grep -q "cannot serve metrics on 127.0.0.1:$PORT" <<<"$out" || fail "no clear error for a taken port: $out"
if out=$(lvs daemon --metrics 127.0.0.1 2>&1); then fail "--metrics without a port was taken"; fi
grep -q "needs ADDRESS:PORT" <<<"$out" || fail "no clear error for --metrics without a port: $out"
code=$(in_ns "$NS_DIR" curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
[[ $code == 404 ]] || fail "GET / answered $code, expected 404"
http_requests "$REQUESTS" "http://$VIP/"
check_http_answered "$REQUESTS"
scrape
conns=$(metric "lvs_service_connections_total{$svc}")
c1=$(metric "lvs_server_connections_total$rs1_labels")
c2=$(metric "lvs_server_connections_total$rs2_labels")
inpkts=$(metric "lvs_service_in_packets_total{$svc}")
inbytes=$(metric "lvs_service_in_bytes_total{$svc}")
rx=$(metric lvs_xdp_rx_total)
newc=$(metric lvs_xdp_new_conns_total)
log "metrics: connections $conns (rs1 $c1, rs2 $c2), in packets $inpkts, in bytes $inbytes, xdp rx $rx, new_conns $newc"
((conns == REQUESTS)) || fail "lvs_service_connections_total is '$conns', expected $REQUESTS"
((c1 + c2 == REQUESTS && c1 == rs1 && c2 == rs2)) ||
    fail "servers' connections $c1 + $c2, expected rs1=$rs1 rs2=$rs2 as answered"
((inpkts >= 3 * REQUESTS && inbytes > inpkts * 40)) || fail "in packets $inpkts / bytes $inbytes too low"
((rx >= inpkts && newc >= REQUESTS)) || fail "XDP counters rx=$rx new_conns=$newc too low"
[[ -n $(metric "lvs_server_active_connections$rs1_labels") ]] || fail "no lvs_server_active_connections for rs1"
grep -q '^# TYPE lvs_service_connections_total counter$' <<<"$scraped" || fail "no TYPE line for the counters"
pass "/metrics counts the $REQUESTS connections, $inpkts packets, XDP actions"

# ---- metrics: rates, from the 2-second estimator ----
# traffic_start / traffic_stop: requests to VIP:80 in a loop, one line per
# request ("ok" or "fail") in $traffic_out.
traffic_start() {
    traffic_out=$LIB_TMP/traffic-$RANDOM
    traffic_stop_file=$traffic_out.stop
    (while [[ ! -e $traffic_stop_file ]]; do
        if http_get "$NS_CLI" "http://$VIP/" >/dev/null; then echo ok; else echo fail; fi
    done) >"$traffic_out" &
    traffic_pid=$!
    LIB_PIDS+=("$traffic_pid")
}
traffic_stop() {
    touch "$traffic_stop_file"
    wait "$traffic_pid" || true
}

traffic_start
rates_seen() {
    scrape
    (($(metric "lvs_service_connections_per_second{$svc}") > 0 && $(metric "lvs_service_in_packets_per_second{$svc}") > 0 &&
        $(metric "lvs_server_in_bytes_per_second$rs1_labels") > 0))
}
wait_until 10 rates_seen || fail "no rates after 10 s of traffic: $(grep per_second <<<"$scraped")"
scrape
log "rates: $(metric "lvs_service_connections_per_second{$svc}") conn/s, $(metric "lvs_service_in_packets_per_second{$svc}") packets/s, $(metric "lvs_service_in_bytes_per_second{$svc}") bytes/s"
lvs -Ln --rate || true
pass "the estimator's rates appear in /metrics"

# ---- SIGKILL while requests flow ----
scrape
conns_before=$(metric "lvs_service_connections_total{$svc}")
before=$(wc -l <"$traffic_out")
kill -KILL "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
sleep 2
traffic_stop
after=$(tail -n +"$((before + 1))" "$traffic_out")
sent=$(grep -c . <<<"$after" || true)
failed=$(grep -c fail <<<"$after" || true)
log "after SIGKILL: $sent requests, $failed failed"
((sent >= 3)) || fail "only $sent requests ran after the kill"
((failed == 0)) || fail "$failed of $sent requests failed after the daemon was killed"
total_failed=$(grep -c fail "$traffic_out" || true)
((total_failed == 0)) || fail "$total_failed requests failed while the daemon ran"
pass "forwarding goes on after SIGKILL ($sent requests answered)"

start_daemon
scrape
conns2=$(metric "lvs_service_connections_total{$svc}")
# The data plane counted on without a daemon; the new one reads the same
# counters. (Not asserted as one per request: at this rate a client port may
# come round again while its previous connection's entry lives on, and a SYN
# continues such an entry unless it is in TIME_WAIT.)
((conns2 >= conns_before + sent / 2)) ||
    fail "restarted daemon shows $conns2 connections; $conns_before before the kill and $sent requests since"
pass "a restarted daemon serves the counters ($conns_before before the kill, $conns2 now)"

# ---- MAC refresh ----
host_create "$NS_RS3" rs3e0 "$RS3_IP/$SUBNET_PLEN" "$NS_BR" "$BR_IF" p-rs3
in_ns "$NS_RS3" "$LVS_BIN" realserver add "$VIP"
mkdir -p "$LIB_TMP/www-rs3" && echo rs3 >"$LIB_TMP/www-rs3/index.html"
bg_in_ns "$NS_RS3" "$LIB_TMP/http-rs3.log" "$PY" -m http.server 8080 --bind 0.0.0.0 --directory "$LIB_TMP/www-rs3"
wait_until 10 in_ns "$NS_RS3" curl -s --max-time 1 "http://$RS3_IP:8080/" || fail "rs3's http server did not come up"
rs3_answers() { [[ $(http_get "$NS_CLI" "http://$VIP:8080/") == rs3 ]]; }
wait_until 10 rs3_answers || fail "VIP:8080 not forwarded to rs3 after it came up: $(cat "$daemon_log")"
grep -q "$RS3_IP:8080: MAC known now" "$daemon_log" || fail "the daemon did not log finding rs3's MAC: $(cat "$daemon_log")"
pass "the daemon found rs3's MAC; VIP:8080 forwarded to it"

# The daemon stops cleanly on SIGTERM and says the data plane goes on.
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
((rc == 0)) || fail "the daemon exited with $rc on SIGTERM"
grep -q "stopping; the data plane keeps forwarding" "$daemon_log" || fail "no stop message: $(cat "$daemon_log")"
rs3_answers || fail "VIP:8080 not answered after the daemon stopped"
pass "SIGTERM stops the daemon; forwarding goes on"
