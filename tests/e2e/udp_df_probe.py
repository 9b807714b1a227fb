#!/usr/bin/env python3
"""Path-MTU probe for the TUN e2e tests: sends one UDP datagram of SIZE payload
bytes with DF set (IP_PMTUDISC_DO) to ADDR:PORT, then waits (at most TIMEOUT
seconds) for the kernel to learn a smaller path MTU from an ICMP
"fragmentation needed" answer, and prints "mtu N" (N: the path MTU the kernel
now has for ADDR; unchanged if no valid ICMP arrived).
Usage: udp_df_probe.py ADDR PORT SIZE [TIMEOUT]
"""
import errno
import socket
import sys
import time

IP_MTU_DISCOVER, IP_PMTUDISC_DO, IP_MTU, IP_RECVERR = 10, 2, 14, 11

addr, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
s.connect((addr, port))
first = s.getsockopt(socket.IPPROTO_IP, IP_MTU)
s.send(b"x" * size)
end = time.monotonic() + timeout
mtu = first
while time.monotonic() < end:
    # The ICMP error lands in the socket's error queue; the route's MTU follows.
    try:
        s.recvmsg(1, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
    except OSError as e:
        if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
            raise
    mtu = s.getsockopt(socket.IPPROTO_IP, IP_MTU)
    if mtu < first:
        break
    time.sleep(0.05)
print("mtu %d" % mtu, flush=True)
