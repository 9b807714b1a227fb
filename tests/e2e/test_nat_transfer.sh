#!/usr/bin/env bash
# NAT end to end with bulk TCP, the LVS how-to's NAT set-up (lib_nat.sh), both
# directions:
#   download: -A -t VIP:80 -s rr, both servers :8080 -m; GET of an 8 MB file
#   upload:   -A -t VIP:9000 -s rr, both servers :9000 -m; tcp_sha.py receives
#             8 MB and answers with its SHA-256, its byte count and the peer it saw.
# Every link has MTU 1500, so the segments are full-size (MSS 1460) and every
# one of them is rewritten by the director.
# Checks: each of 4 downloads and 4 uploads (rr over both servers) arrives intact
# (sha256 and size compared); full-size segments crossed the director in both
# directions; the upload's server saw the client's address and the client's
# socket saw VIP:9000 as its peer; no receiver dropped a segment for its checksum.
# Usage (as root): test_nat_transfer.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds sha256sum

SIZE_MB=${LVS_E2E_TRANSFER_MB:-8}
ROUNDS=4
HTTP_RPORT=8080
SHA_PORT=9000

# check_both_used A B: a few flows split by rr: both servers got some and,
# with per-CPU positions, the counts differ by at most one per CPU.
check_both_used() {
    local a=$1 b=$2
    ((a + b == ROUNDS && a > 0 && b > 0 && (a > b ? a - b : b - a) <= $(nproc)))
}

setup_nat_topology nat
make_blob "$SIZE_MB"
for name in rs1 rs2; do
    mkdir -p "$LIB_TMP/www-$name"
    cp "$blob" "$LIB_TMP/www-$name/blob.bin"
done
start_http_server_on "$NS_RS1" rs1 "$RS1_IP" "$HTTP_RPORT"
start_http_server_on "$NS_RS2" rs2 "$RS2_IP" "$HTTP_RPORT"
start_sha_server "$NS_RS1" rs1 "$SHA_PORT"
start_sha_server "$NS_RS2" rs2 "$SHA_PORT"

nat_attach
rr_service -t "$VIP:80" "$HTTP_RPORT" -m
rr_service -t "$VIP:$SHA_PORT" "$SHA_PORT" -m
lvs -Ln

# Full-size frames on the client's interface.
capture_start "$NS_CLI" "$CLI_IF" "tcp and greater 1400"
cap=$LIB_LAST_CAPTURE
cap_pid=$LIB_LAST_CAPTURE_PID

# ---- downloads ----
for ((i = 0; i < ROUNDS; i++)); do
    out=$LIB_TMP/down-$i.bin
    in_ns "$NS_CLI" curl -s --connect-timeout 2 --max-time 60 -o "$out" "http://$VIP/blob.bin" ||
        fail "download $i through $VIP:80 failed (curl exit $?)"
    got=$(sha256sum "$out" | awk '{ print $1 }')
    [[ $got == "$want" ]] || fail "download $i: $(stat -c %s "$out") bytes, sha256 $got; sent $size bytes, sha256 $want"
    rm -f "$out"
done
served1=$(grep -ac '"GET /blob.bin' "$LIB_TMP/http-rs1.log" || true)
served2=$(grep -ac '"GET /blob.bin' "$LIB_TMP/http-rs2.log" || true)
check_both_used "$served1" "$served2" || fail "downloads served rs1=$served1 rs2=$served2: not round robin"
pass "$ROUNDS downloads of $SIZE_MB MB through $VIP:80 arrived intact (rs1=$served1 rs2=$served2)"

# ---- uploads ----
declare -A up=()
for ((i = 0; i < ROUNDS; i++)); do
    sha_upload "$SHA_PORT" "$blob" || fail "upload $i through $VIP:$SHA_PORT failed: $answer"
    peer=$(sed -n 's/^peer=//p' <<<"$answer")
    log "upload $i: $name got $bytes bytes from $seen, sha256 $hash; client's peer $peer"
    [[ $hash == "$want" && $bytes == "$size" ]] || fail "upload $i: $name received $bytes bytes, sha256 $hash; sent $size, $want"
    [[ $seen == "$CLI_IP" ]] || fail "upload $i: the server saw $seen as its peer, not the client $CLI_IP"
    [[ $peer == "$VIP:$SHA_PORT" ]] || fail "upload $i: the client's socket names $peer as its peer"
    up[$name]=$((${up[$name]:-0} + 1))
done
check_both_used "${up[rs1]:-0}" "${up[rs2]:-0}" || fail "uploads went rs1=${up[rs1]:-0} rs2=${up[rs2]:-0}: not round robin"
pass "$ROUNDS uploads of $SIZE_MB MB through $VIP:$SHA_PORT arrived intact; servers saw $CLI_IP, the client saw $VIP:$SHA_PORT"

capture_stop "$cap_pid"
big_in=$(capture_count "$cap" "src host $VIP and src port 80 and dst host $CLI_IP")
big_out=$(capture_count "$cap" "src host $CLI_IP and dst host $VIP and dst port $SHA_PORT")
stray=$(capture_count "$cap" "not (host $VIP and host $CLI_IP)")
log "full-size segments on the client's interface: $big_in from $VIP:80, $big_out to $VIP:$SHA_PORT, $stray others"
((big_in > 0 && big_out > 0)) || fail "no full-size segments crossed the director in one direction"
((stray == 0)) || fail "$stray full-size segments on the client's interface were not between the client and the VIP"
check_no_csum_errors "$NS_CLI" "$NS_RS1" "$NS_RS2"
pass "full-size segments both ways, no checksum errors"
