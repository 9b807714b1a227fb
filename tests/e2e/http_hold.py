#!/usr/bin/env python3
"""Holds COUNT TCP connections to ADDR:80 open, prints "connected COUNT", waits
for a line on stdin, then sends one HTTP request on each connection and prints
one line per connection: the body (the server's name) or "error: ...".
Every socket operation has a timeout, so it always ends.
Usage: http_hold.py ADDR COUNT
"""
import socket
import sys

addr, count = sys.argv[1], int(sys.argv[2])
socks = []
for _ in range(count):
    s = socket.create_connection((addr, 80), timeout=3)
    socks.append(s)
print("connected %d" % count, flush=True)
sys.stdin.readline()
for s in socks:
    try:
        s.sendall(b"GET / HTTP/1.0\r\nHost: " + addr.encode() + b"\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        print(body.decode().strip() if " 200 " in status else "error: " + status, flush=True)
    except OSError as e:
        print("error: %s" % e, flush=True)
    finally:
        s.close()
