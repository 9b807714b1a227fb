#!/usr/bin/env python3
"""UDP client for e2e tests: sends COUNT requests to ADDR:PORT, each from a new
socket on its own source port (20000 + its number: the kernel's ephemeral
ports can repeat within a run, and a repeated port is the same flow to the
director), and prints one line per request: the name of
the server that answered, or "timeout". Bounded: at most TRIES tries of
TIMEOUT seconds per request. SIZE pads each request to that many bytes (a
datagram larger than the MTU goes out in fragments); the answer must echo it
whole.
Usage: udp_probe.py ADDR PORT COUNT [TIMEOUT] [TRIES] [SIZE]
"""
import socket
import sys

addr, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
tries = int(sys.argv[5]) if len(sys.argv) > 5 else 2
size = int(sys.argv[6]) if len(sys.argv) > 6 else 0

for i in range(count):
    answer = "timeout"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.bind(("", 20000 + i % 40000))
        s.connect((addr, port))  # replies from another address are ignored
        payload = b"req-%d" % i
        payload += bytes((i + k) % 251 for k in range(size - len(payload)))
        for _ in range(tries):
            s.send(payload)
            try:
                data = s.recv(65535)
            except socket.timeout:
                continue
            name, _, echo = data.partition(b" ")
            answer = name.decode() if echo == payload else "garbled"
            break
    print(answer, flush=True)
