#include "frames.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace lvs::bench {
namespace {

void put16(Bytes& b, size_t at, uint16_t v) {
    b[at] = v >> 8;
    b[at + 1] = v & 0xff;
}

constexpr size_t kIp = kEth, kTcp = kEth + 20;

void set_tcp_checksum(Bytes& f) {
    size_t len = f.size() - kTcp;
    put16(f, kTcp + 16, 0);
    uint32_t pseudo = get16(f, kIp + 12) + get16(f, kIp + 14) + get16(f, kIp + 16) + get16(f, kIp + 18) + 6 + len;
    put16(f, kTcp + 16, inet_checksum(&f[kTcp], len, pseudo));
}

}  // namespace

uint16_t get16(const Bytes& b, size_t at) { return (b.at(at) << 8) | b.at(at + 1); }

uint32_t ip4(const std::string& addr) {
    in_addr a{};
    if (inet_pton(AF_INET, addr.c_str(), &a) != 1)
        throw std::invalid_argument("not an IPv4 address: " + addr);
    return a.s_addr;
}

uint16_t inet_checksum(const uint8_t* data, size_t len, uint32_t sum) {
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (data[i] << 8) | data[i + 1];
    if (len & 1)
        sum += data[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}

Bytes ipv4_header(uint8_t tos, uint16_t id, bool df, uint8_t proto, uint32_t saddr, uint32_t daddr,
                  size_t payload_len) {
    Bytes b(20);
    b[0] = 0x45;
    b[1] = tos;
    put16(b, 2, 20 + payload_len);
    put16(b, 4, id);
    put16(b, 6, df ? 0x4000 : 0);
    b[8] = 64;
    b[9] = proto;
    std::memcpy(&b[12], &saddr, 4);
    std::memcpy(&b[16], &daddr, 4);
    put16(b, 10, inet_checksum(b.data(), 20));
    return b;
}

Bytes tcp_frame(const Flow& f, uint8_t tcp_flags) {
    Bytes b(kFrameLen);
    std::memcpy(&b[0], kDirectorMac.data(), 6);
    std::memcpy(&b[6], kClientMac.data(), 6);
    put16(b, 12, 0x0800);
    Bytes ip = ipv4_header(0, 0x1234, true, 6, ip4(f.saddr), ip4(f.daddr), kFrameLen - kTcp);
    std::copy(ip.begin(), ip.end(), b.begin() + kIp);
    put16(b, kTcp, f.sport);
    put16(b, kTcp + 2, f.dport);
    put16(b, kTcp + 4, 0x0001);  // sequence number
    b[kTcp + 12] = 5 << 4;       // data offset: 20 bytes, no options
    put16(b, kTcp + 14, 0xffff); // window
    for (size_t i = kTcp + 20; i < kFrameLen; ++i)
        b[i] = 'a' + i % 26;
    return with_tcp_flags(b, tcp_flags);
}

Bytes with_tcp_flags(Bytes frame, uint8_t tcp_flags) {
    frame[kTcp + 13] = tcp_flags;
    set_tcp_checksum(frame);
    return frame;
}

Mac mac_of(uint32_t addr) {
    Mac m{0x02, 0};
    std::memcpy(&m[2], &addr, 4);
    return m;
}

Bytes with_flow_index(Bytes frame, uint32_t i) {
    uint32_t saddr;
    std::memcpy(&saddr, &frame[kIp + 12], 4);
    saddr = htonl(ntohl(saddr) + (i >> 16));
    std::memcpy(&frame[kIp + 12], &saddr, 4);
    put16(frame, kTcp, i & 0xffff);
    return frame;
}

uint32_t pool_index(uint32_t counter, uint32_t pool_mask) { return (counter * 0x9e3779b1u) & pool_mask; }

}  // namespace lvs::bench
