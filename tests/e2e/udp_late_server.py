#!/usr/bin/env python3
"""UDP server for the NAT e2e tests' client-side ICMP check: answers each
datagram DELAY seconds late, so a client that sent and closed its socket
makes its kernel answer with ICMP port unreachable. With IP_RECVERR on, such
an error comes back to this socket only if it quotes a datagram this socket
sent (the kernel matches the quoted addresses and ports), so every error is
printed: "error errno=N type=T code=C offender=ADDR about=DST:PORT", where
about is the quoted datagram's destination. Prints "ready" once bound, and
"answered ADDR:PORT" for each answer.
Usage: udp_late_server.py PORT DELAY
"""
import select
import socket
import struct
import sys
import time

IP_RECVERR = 11  # linux/in.h
MSG_ERRQUEUE = 0x2000

port, delay = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
s.bind(("0.0.0.0", port))
print("ready", flush=True)
p = select.poll()
p.register(s, select.POLLIN | select.POLLERR)
pending = []  # (due, data, peer)
while True:
    timeout = None
    if pending:
        timeout = max(0, int((pending[0][0] - time.monotonic()) * 1000))
    for _fd, ev in p.poll(timeout):
        if ev & select.POLLERR:
            try:
                _data, anc, _flags, about = s.recvmsg(512, 512, MSG_ERRQUEUE)
            except OSError:
                continue
            for level, kind, cdata in anc:
                if level == socket.IPPROTO_IP and kind == IP_RECVERR:
                    errno_, _origin, typ, code, _pad, _info, _d = struct.unpack("IBBBBII", cdata[:16])
                    offender = socket.inet_ntoa(cdata[20:24])
                    print("error errno=%d type=%d code=%d offender=%s about=%s:%d"
                          % (errno_, typ, code, offender, about[0], about[1]), flush=True)
        if ev & select.POLLIN:
            try:
                data, peer = s.recvfrom(2048)
            except OSError:
                continue
            pending.append((time.monotonic() + delay, data, peer))
    now = time.monotonic()
    while pending and pending[0][0] <= now:
        _due, data, peer = pending.pop(0)
        s.sendto(b"late " + data, peer)
        print("answered %s:%d" % peer, flush=True)
