#!/usr/bin/env python3
"""Bulk TCP transfer check for e2e tests.

  tcp_sha.py serve NAME PORT
      accepts connections on 0.0.0.0:PORT, one at a time; reads each until the
      peer shuts down its sending side and answers "NAME SHA256HEX BYTES PEERADDR",
      then closes. Prints "ready" once listening and one line per connection.
  tcp_sha.py send ADDR PORT FILE [TIMEOUT]
      connects to ADDR:PORT, sends FILE, shuts down its sending side and prints
      the answer, then "peer=ADDR:PORT" as its socket names the other end.
      Every socket operation is bounded by TIMEOUT seconds (default 10).
"""
import hashlib
import socket
import sys


def serve(name, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(16)
    print("ready", flush=True)
    while True:
        conn, peer = srv.accept()
        with conn:
            conn.settimeout(30)
            h, n = hashlib.sha256(), 0
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    h.update(chunk)
                    n += len(chunk)
                answer = "%s %s %d %s" % (name, h.hexdigest(), n, peer[0])
                conn.sendall(answer.encode() + b"\n")
            except OSError as e:
                answer = "error %s after %d bytes from %s" % (e, n, peer[0])
            print(answer, flush=True)


def send(addr, port, path, timeout):
    with open(path, "rb") as f:
        data = f.read()
    with socket.create_connection((addr, port), timeout=timeout) as s:
        s.settimeout(timeout)
        peer = s.getpeername()
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    print(answer.decode().strip())
    print("peer=%s:%d" % peer)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]) if len(sys.argv) > 5 else 10.0)
    else:
        sys.exit(__doc__)
