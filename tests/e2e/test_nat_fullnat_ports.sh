#!/usr/bin/env bash
# FullNAT frees the local port of a flow that has ended: FullNAT picks a port
# for a new flow by trying 16 ports from the flow's hash, and the entries of
# ended flows linger in the LRU connection table, so a port must count as
# free once its flow has expired (this test was repro_fullnat_ports.sh until
# 4787a06 fixed that: 20855 of these 75000 flows were dropped before).
#
# FullNAT UDP service, one server, one local address, UDP timeout 1 s
# (--set 0 0 1); the client sends 75,000 one-datagram flows (3 source
# addresses x 25,000 ports) in about 5 s, so about 20,000 are alive at any
# time, of 64,512 ports. Checks: fewer than 1% of the new flows are dropped
# for want of a port (a few collisions of all 16 tries among the live flows
# are expected: about 20-70 seen).
# Usage (as root): test_nat_fullnat_ports.sh LVS_XDP_BINARY [BUILD_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib_nat.sh"
lib_init "${1:?usage: $0 LVS_XDP_BINARY [BUILD_DIR]}" "${2:-}"
require_cmds bpftool

setup_nat_topology fullnat
for i in 11 12; do ip -n "$NS_CLI" addr add "10.77.0.$i/$OUT_PLEN" dev "$CLI_IF"; done
nat_attach
lvs --laddr add "$DIP"
lvs --set 0 0 1
lvs -A -u "$VIP:53" -s rr
lvs -a -u "$VIP:53" -r "$RS1_IP:5353" -m --fullnat
in_ns "$NS_CLI" timeout 120 "$PY" - "$VIP" <<'PY'
import socket, sys, time
n = 0
for src in ("10.77.0.10", "10.77.0.11", "10.77.0.12"):
    for port in range(20000, 45000):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((src, port))
            s.sendto(b"x", (sys.argv[1], 53))
        n += 1
        if n % 2000 == 0:
            time.sleep(0.05)
print("sent", n, flush=True)
PY
sleep 1
nat_stats | tr '\n' ' ' >&2
echo >&2
new=$(nat_stat new_conns)
dropped=$(nat_stat fullnat_no_port)
((new == 75000)) || fail "new_conns=$new, expected 75000"
((dropped * 100 <= new)) || fail "fullnat_no_port=$dropped of $new new flows: ports of expired flows are not reused"
pass "fullnat_no_port=$dropped of $new new flows"
