#!/usr/bin/env python3
"""UDP server for e2e tests: answers every datagram with b"NAME " + payload.

The answer is sent from the address the datagram was addressed to (IP_PKTINFO),
so a DR real server answers from the VIP even though it listens on 0.0.0.0.
Usage: udp_name_server.py NAME PORT
"""
import socket
import struct
import sys

IP_PKTINFO = 8  # linux/in.h; the socket module does not export it

name, port = sys.argv[1].encode(), int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
sock.bind(("0.0.0.0", port))
print("ready", flush=True)
while True:
    data, anc, _flags, peer = sock.recvmsg(65535, socket.CMSG_SPACE(12))
    reply_from = None
    for level, kind, cdata in anc:
        if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
            _ifindex, _spec_dst, dst = struct.unpack("i4s4s", cdata[:12])
            reply_from = dst
    anc_out = []
    if reply_from is not None:
        anc_out = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("i4s4s", 0, reply_from, b"\0" * 4))]
    sock.sendmsg([name + b" " + data], anc_out, 0, peer)
