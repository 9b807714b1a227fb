#!/usr/bin/env bash
# Quiescing a real server, as IPVS users do before maintenance:
#   lvs-xdp -e -t VIP:80 -r RS2:80 -g -w 0
# New connections must all go to rs1; connections rs2 already had keep working;
# weight 1 again brings rs2 back.
# Usage (as root): test_dr_quiesce.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"

setup_dr_topology
start_http_servers
realservers add "$VIP"
lvs attach "$DIR_IF"
rr_service -t "$VIP:80" 80 -g

# count_answers N: N requests, each a new connection; prints "rs1 rs2 failed".
count_answers() {
    local n=$1 i body a=0 b=0 f=0
    for ((i = 0; i < n; i++)); do
        body=$(http_get "$NS_CLI" "http://$VIP/") || body=
        case $body in rs1) a=$((a + 1)) ;; rs2) b=$((b + 1)) ;; *) f=$((f + 1)) ;; esac
    done
    echo "$a $b $f"
}

read -r a b f < <(count_answers 20)
log "before: rs1=$a rs2=$b failed=$f"
((f == 0 && a > 0 && b > 0)) || fail "before quiescing, both servers should answer: rs1=$a rs2=$b failed=$f"

# Open connections (half of them on rs2), then quiesce rs2.
HELD=10
mkfifo "$LIB_TMP/go"
nsenter --net="/run/netns/$NS_CLI" -- "$PY" "$LIB_DIR/http_hold.py" "$VIP" "$HELD" \
    <"$LIB_TMP/go" >"$LIB_TMP/hold.out" 2>&1 &
hold_pid=$!
LIB_PIDS+=("$hold_pid")
exec 7>"$LIB_TMP/go"
wait_until 10 grep -q connected "$LIB_TMP/hold.out" || fail "could not open connections: $(cat "$LIB_TMP/hold.out")"

lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 0
lvs_list
check_listed_server "$RS2_IP:80" Route 0

# The held connections are ESTABLISHED: ActiveConn counts them (IPVS's meaning),
# and -Lnc lists them with their server and time left.
active=$(awk -v rs="$RS2_IP:80" '$2 == rs { print $5 }' <<<"$listing")
((active > 0)) || fail "-Ln shows ActiveConn $active for rs2, which holds open connections"
conns=$(lvs -Lnc)
echo "$conns"
head -2 <<<"$conns" | has "^pro expire state" || fail "-Lnc does not print ipvsadm's header"
grep -Eq "^TCP [0-9]{2}:[0-9]{2} +ESTABLISHED +[0-9.]+:[0-9]+ +$VIP:80 +$RS2_IP:80\$" <<<"$conns" ||
    fail "-Lnc lists no ESTABLISHED connection to rs2"
pass "ActiveConn and -Lnc show the held connections"

read -r a b f < <(count_answers 20)
log "rs2 quiesced: rs1=$a rs2=$b failed=$f"
((f == 0)) || fail "$f requests failed while rs2 was quiesced"
((b == 0)) || fail "rs2 got $b new connections with weight 0"
pass "weight 0: no new connections to rs2"

echo go >&7
exec 7>&-
wait "$hold_pid" || true
held=$(grep -v '^connected' "$LIB_TMP/hold.out")
log "held connections answered by: $(sort <<<"$held" | uniq -c | tr '\n' ' ')"
[[ $(grep -c '^rs[12]$' <<<"$held") -eq $HELD ]] || fail "held connections broke after quiescing: $held"
grep -qx rs2 <<<"$held" || fail "none of the held connections was on rs2 (rr should have put half there)"
pass "connections established before quiescing kept working"

lvs -e -t "$VIP:80" -r "$RS2_IP:80" -g -w 1
read -r a b f < <(count_answers 20)
log "rs2 back: rs1=$a rs2=$b failed=$f"
((f == 0 && a > 0 && b > 0)) || fail "after weight 1, both servers should answer: rs1=$a rs2=$b failed=$f"
pass "weight 1: rs2 takes connections again"
