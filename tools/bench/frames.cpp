#include "frames.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace lvs::bench {

using testkit::kEth;

testkit::FrameSpec tcp_spec(const Flow& f, uint8_t tcp_flags) {
    testkit::FrameSpec s{
        .saddr = f.saddr, .daddr = f.daddr, .proto = 6, .sport = f.sport, .dport = f.dport, .tcp_flags = tcp_flags};
    for (size_t i = kEth + 20 + 20; i < kFrameLen; ++i)
        s.payload += char('a' + i % 26);
    return s;
}

Bytes tcp_frame(const Flow& f, uint8_t tcp_flags) { return testkit::frame(tcp_spec(f, tcp_flags)); }

Mac mac_of(uint32_t addr) {
    Mac m{0x02, 0};
    std::memcpy(&m[2], &addr, 4);
    return m;
}

Bytes with_flow_index(Bytes frame, uint32_t i, FlowEnd end) {
    const bool dst = end == FlowEnd::Destination;
    const size_t addr_at = kEth + (dst ? 16 : 12), port_at = kEth + (dst ? 22 : 20);
    uint32_t addr;
    std::memcpy(&addr, &frame[addr_at], 4);
    addr = htonl(ntohl(addr) + (i >> 16));
    std::memcpy(&frame[addr_at], &addr, 4);
    testkit::put16(frame, port_at, i & 0xffff);
    // The checksums from scratch: the reset's incremental update gives the same.
    constexpr size_t ip = kEth, tcp = kEth + 20;
    testkit::put16(frame, ip + 10, 0);
    testkit::put16(frame, ip + 10, testkit::inet_checksum(&frame[ip], 20));
    uint32_t pseudo = IPPROTO_TCP + (frame.size() - tcp);
    for (size_t a = ip + 12; a < ip + 20; a += 2)
        pseudo += testkit::get16(frame, a);
    testkit::put16(frame, tcp + 16, 0);
    testkit::put16(frame, tcp + 16, testkit::inet_checksum(&frame[tcp], frame.size() - tcp, pseudo));
    return frame;
}

uint32_t pool_index(uint32_t counter, uint32_t pool_mask) { return (counter * 0x9e3779b1u) & pool_mask; }

}  // namespace lvs::bench
