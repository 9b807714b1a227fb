#!/usr/bin/env python3
"""UDP probes for the NAT e2e tests; each prints one word and is bounded by
TRIES tries of TIMEOUT seconds.

  udp_nat_probe.py nocsum ADDR PORT [TIMEOUT] [TRIES]
      sends a datagram without a UDP checksum (SO_NO_CHECK: checksum field 0)
      from a connected socket; prints the answering server's name, or "timeout".
  udp_nat_probe.py refused ADDR PORT [TIMEOUT] [TRIES]
      sends to a port nobody listens on behind ADDR; prints "refused" when the
      ICMP port-unreachable comes back to this connected socket (so it quotes
      our datagram as sent to ADDR:PORT and comes from ADDR), else "timeout"
      or "answered".
"""
import socket
import sys

SO_NO_CHECK = 11  # asm-generic/socket.h; not exported by the socket module

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
tries = int(sys.argv[5]) if len(sys.argv) > 5 else 3

result = "timeout"
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    if mode == "nocsum":
        s.setsockopt(socket.SOL_SOCKET, SO_NO_CHECK, 1)
    s.settimeout(timeout)
    s.connect((addr, port))
    payload = b"nat-probe-" + mode.encode()
    for _ in range(tries):
        try:
            s.send(payload)
            data = s.recv(2048)
        except socket.timeout:
            continue
        except ConnectionRefusedError:
            result = "refused"
            break
        name, _, echo = data.partition(b" ")
        result = (name.decode() if echo == payload else "garbled") if mode == "nocsum" else "answered"
        break
print(result, flush=True)
