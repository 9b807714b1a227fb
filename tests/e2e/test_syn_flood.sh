#!/usr/bin/env bash
# SYN flood end to end (issue 8, "Floods and exhaustion"; docs/robustness.md,
# "SYN floods"). DR topology, a connection table a quarter of the default
# (`attach --conn-table-size`), and:
#   TALK connections that pass a line every 0.02 s (talk_start), open before
#   the flood;
#   lvs-trafgen --syn on every CPU: TCP SYNs of new 5-tuples (random source
#   addresses and ports no host has) to VIP:80 out of the client's interface,
#   for FLOOD_S seconds, so the table overflows many times over. Paced below
#   what the bridge carries (about 0.4 Mpps here): at full speed most frames,
#   and the talking connections' segments with them, are dropped in the veth
#   and bridge queues before the director, and TCP's backoff after four
#   losses in a row outlasts the 3 s an exchange may take.
# The flood's entries are used once (a SYN each, never answered), the talking
# connections' again and again, and a new flow whose eight candidate slots
# are full displaces an entry never used before one that was
# (selftests/test_flood.cpp holds the rules): a talking connection keeps its
# entry however fast and long the flood. A talking connection may still lose
# a segment now and then and resend it after TCP's 200 ms minimum timeout.
# Checks: every talking exchange answered by its first server through the
# flood (no exchange failed, no connection rescheduled); the flood shows in the
# counters (the connections scheduled, at least 3 times the table, and the
# service's Conns); the table's size and memory are what attach made them, and
# it lists as many connections as it holds, no more.
# Environment: LVS_E2E_FLOOD_SECONDS (default 10; a soak: e.g. 600),
# LVS_E2E_CONN_TABLE (default 262144), LVS_E2E_TALK (default 8),
# LVS_E2E_FLOOD_PPS (frames a second, all senders together; default 200000;
# 0: full speed).
# Usage (as root): test_syn_flood.sh LVS_XDP_BINARY [BUILD_DIR]
LVS_E2E_PREFIX=${LVS_E2E_PREFIX:-lvsSF$$}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool taskset

FLOOD_S=${LVS_E2E_FLOOD_SECONDS:-10}
TABLE=${LVS_E2E_CONN_TABLE:-262144}
TALK=${LVS_E2E_TALK:-8}
FLOOD_PPS=${LVS_E2E_FLOOD_PPS:-200000}
TRAFGEN=$BUILD_DIR/lvs-trafgen
# 128 source addresses x 32,768 ports: 4 million 5-tuples, far more than the
# table holds. No host has these addresses, and the SYNs' TCP checksum is
# right for one port of one of them only, so the real servers drop them
# unanswered.
FLOOD_SRC=10.77.0.128
FLOOD_SOURCES=128
[[ -x $TRAFGEN ]] || fail "lvs-trafgen not found in $BUILD_DIR (build it)"

setup_dr_topology
start_line_server "$NS_RS1" rs1 "$RS1_IP"
start_line_server "$NS_RS2" rs2 "$RS2_IP"
realservers add "$VIP" >/dev/null
lvs attach "$DIR_IF" --conn-table-size "$TABLE"
# rr: a connection whose entry was lost is scheduled anew and every second
# one lands on the other server, which resets it.
rr_service -t "$VIP:80" 80 -g
# The generator sends with XDP_TX out of the client's veth: its peer needs GRO.
peer_gro_on "$NS_BR" p-cli

# status_field TEXT: the number before TEXT in `lvs-xdp status`.
status_field() { lvs status | sed -n "s/.* \([0-9]*\) $1.*/\1/p"; }
# conns_map FIELD: a field of the connection table in bpftool's JSON.
conns_map() { bpftool -j map show pinned "$LIB_BPFFS/lvs_conn_slots4" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
# service_conns: the service's Conns in -Ln --stats --exact.
service_conns() { lvs -Ln --stats --exact | awk -v vs="$VIP:80" '$1 == "TCP" && $2 == vs { print $3 }'; }

[[ $(conns_map max_entries) == "$TABLE" ]] || fail "the connection table has $(conns_map max_entries) entries, not $TABLE"
memlock_before=$(conns_map bytes_memlock)

talk_start "$TALK" 0.02
pass "$TALK talking connections open through $VIP:80 (connection table: $TABLE slots)"

scheduled_before=$(status_field scheduled)
resched_before=$(status_field rescheduled)
conns_before=$(service_conns)
dir_mac=$(iface_mac_of "$NS_DIR" "$DIR_IF")
log "flooding $VIP:80 with SYNs from $FLOOD_SOURCES addresses from $FLOOD_SRC up for $FLOOD_S s, one sender per CPU"
flood_pids=()
for cpu in $(seq 0 $(($(nproc) - 1))); do
    # nice: the flood takes what CPU the talking connections leave, so a slow
    # exchange means a lost packet, not a starved client.
    bg_in_ns "$NS_CLI" "$LIB_TMP/flood-$cpu.log" nice -n 19 taskset -c "$cpu" "$TRAFGEN" send --syn \
        --dev "$CLI_IF" --dst-mac "$dir_mac" --src "$FLOOD_SRC" --sources "$FLOOD_SOURCES" --dst "$VIP" --dport 80 --seconds "$FLOOD_S" \
        --batch 256 --pps $((FLOOD_PPS / $(nproc)))
    flood_pids+=("$LIB_LAST_PID")
done
for pid in "${flood_pids[@]}"; do wait "$pid" || fail "lvs-trafgen failed: $(cat "$LIB_TMP"/flood-*.log)"; done
sent=$(cat "$LIB_TMP"/flood-*.log | sed -n 's/^sent \([0-9]*\) frames.*/\1/p' | paste -sd+ | bc)
log "lvs-trafgen: $(cat "$LIB_TMP"/flood-*.log | tr '\n' ' ')"

scheduled=$(($(status_field scheduled) - scheduled_before))
resched=$(($(status_field rescheduled) - resched_before))
evicted=$(status_field evicted)
conns=$(($(service_conns) - conns_before))
lvs status
# Listed once the flood is over: a listing taken while entries are evicted
# and inserted can meet some twice.
listing=$(lvs -Lnc)
listed=$(awk '$1 == "TCP"' <<<"$listing" | wc -l)
# The flood's source ports, as lvs-trafgen promises them: 1024 + random % 32768.
bad_ports=$(awk -v net="${FLOOD_SRC%.*}" -v first="${FLOOD_SRC##*.}" -v k="$FLOOD_SOURCES" '$1 == "TCP" {
    split($4, a, ":"); n4 = split(a[1], o, ".")
    if (o[1] "." o[2] "." o[3] == net && o[4] >= first && o[4] < first + k && (a[2] < 1024 || a[2] >= 1024 + 32768)) bad++
} END { print bad + 0 }' <<<"$listing")
log "flood: $sent SYNs sent, $scheduled connections scheduled ($resched rescheduled), service Conns +$conns, $listed connections listed"

# ---- the talking connections held ----
talk_finish
((talk_errors == 0)) || fail "$talk_errors exchanges on the talking connections failed during the flood: $talk_conns"
((talk_ok >= TALK * 10 * FLOOD_S)) || fail "only $talk_ok exchanges on the talking connections during the flood"
[[ $(grep -c '^rs[12]$' <<<"$talk_servers") -eq $TALK ]] || fail "talking connections without a server: $talk_servers"
pass "the $TALK talking connections passed $talk_ok lines through the flood, each on its first server, none lost"

# ---- the flood in the counters, the table bounded ----
((scheduled >= 3 * TABLE)) || fail "only $scheduled connections scheduled: the flood did not overflow the table three times"
((resched == 0)) || fail "$resched connections were rescheduled"
((evicted >= (scheduled - TABLE) * 9 / 10)) || fail "only $evicted entries evicted counted for $scheduled new flows into $TABLE slots"
((bad_ports == 0)) || fail "$bad_ports flood connections have a source port outside 1024-33791 (byte order?)"
((conns == scheduled)) || fail "the service counted $conns new connections, the data plane scheduled $scheduled"
((listed <= TABLE && listed >= TABLE * 9 / 10)) || fail "-Lnc lists $listed connections; the full table holds $TABLE"
[[ $(conns_map max_entries) == "$TABLE" && $(conns_map bytes_memlock) == "$memlock_before" ]] ||
    fail "the connection table changed size: $(conns_map max_entries) entries, $(conns_map bytes_memlock) bytes"
pass "the flood scheduled $scheduled connections ($((scheduled / TABLE)) times the table), the service counted $conns; the table kept $TABLE entries ($listed listed), $memlock_before bytes"
