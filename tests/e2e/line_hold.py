#!/usr/bin/env python3
"""Holds COUNT long-lived connections to ADDR:80 that the line server named
SERVER answers (start_line_server in lib.sh): opens connections, says hello
on each, keeps those SERVER answers and closes the others, then prints
"held COUNT". Then, for each line "send" on stdin, sends a line on the first
held connection and prints what came of it and the seconds it took:
"result answer NAME S", "result reset S", "result closed S" or
"result timeout S" (no answer within 3 s).
Stops at end of input. Every socket operation has a timeout.
Usage: line_hold.py ADDR SERVER COUNT
"""
import socket
import sys
import time

addr, server, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
held = []
for _ in range(40):
    s = socket.create_connection((addr, 80), timeout=3)
    s.sendall(b"hello\n")
    f = s.makefile("rb")
    if f.readline().split(b" ")[0] == server:
        held.append((s, f))
        if len(held) == count:
            break
    else:
        s.close()
print("held %d" % len(held), flush=True)
for cmd in sys.stdin:
    s, f = held[0]
    t0 = time.monotonic()
    try:
        s.sendall(b"ping\n")
        line = f.readline()
        result = "answer " + line.split(b" ")[0].decode() if line else "closed"
    except ConnectionResetError:
        result = "reset"
    except socket.timeout:
        result = "timeout"
    except OSError as e:
        result = "error " + str(e)
    print("result %s %.2f" % (result, time.monotonic() - t0), flush=True)
