#include "testkit/packet.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace lvs::testkit {

uint16_t get16(const Bytes& b, size_t at) { return (b.at(at) << 8) | b.at(at + 1); }

void put16(Bytes& b, size_t at, uint16_t v) {
    b[at] = v >> 8;
    b[at + 1] = v & 0xff;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes all;
    for (const Bytes& p : parts)
        all.insert(all.end(), p.begin(), p.end());
    return all;
}

Bytes with_tags(Bytes frame, const Bytes& tags) {
    frame.insert(frame.begin() + 12, tags.begin(), tags.end());
    return frame;
}

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

Bytes ethernet_header(const Mac& dst, const Mac& src, uint16_t type) {
    Bytes b(kEth);
    std::memcpy(b.data(), dst.data(), 6);
    std::memcpy(b.data() + 6, src.data(), 6);
    put16(b, 12, type);
    return b;
}

Bytes ipv4_header(const Ipv4Header& h) {
    Bytes b(20);
    b[0] = 0x45;
    b[1] = h.tos;
    put16(b, 2, 20 + h.payload_len);
    put16(b, 4, h.id);
    put16(b, 6, h.df ? 0x4000 : 0);
    b[8] = h.ttl;
    b[9] = h.proto;
    uint32_t saddr = ip4(h.saddr), daddr = ip4(h.daddr);
    std::memcpy(&b[12], &saddr, 4);
    std::memcpy(&b[16], &daddr, 4);
    put16(b, 10, inet_checksum(b.data(), 20));
    return b;
}

std::string ip4_text(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    return inet_ntoa(a);
}

Bytes frame(const FrameSpec& s) {
    Bytes b = ethernet_header(s.dst_mac, s.src_mac);
    size_t hdr = s.proto == 6 ? 20 : 8;
    size_t l4_len = hdr + s.payload.size();
    size_t ip = b.size();
    Bytes iph = ipv4_header({.tos = s.tos, .df = s.df, .ttl = s.ttl, .proto = s.proto, .saddr = s.saddr,
                             .daddr = s.daddr, .payload_len = l4_len});
    b.insert(b.end(), iph.begin(), iph.end());
    size_t l4 = b.size();
    b.resize(l4 + l4_len);
    put16(b, l4, s.sport);
    put16(b, l4 + 2, s.dport);
    if (s.proto == 6) {
        put16(b, l4 + 4, 0x0000);
        put16(b, l4 + 6, 0x0001);  // sequence number
        b[l4 + 12] = 5 << 4;
        b[l4 + 13] = s.tcp_flags;
        put16(b, l4 + 14, 65535);
    } else {
        put16(b, l4 + 4, l4_len);
    }
    std::memcpy(&b[l4 + hdr], s.payload.data(), s.payload.size());
    // Pseudo-header sum, then the segment.
    uint32_t pseudo = 0;
    for (size_t i = 12; i < 20; i += 2)
        pseudo += (b[ip + i] << 8) | b[ip + i + 1];
    pseudo += s.proto + l4_len;
    size_t csum_at = l4 + (s.proto == 6 ? 16 : 6);
    uint16_t c = inet_checksum(&b[l4], l4_len, pseudo);
    put16(b, csum_at, s.proto == 17 && c == 0 ? 0xffff : c);
    return b;
}

Bytes arp_request(const std::string& target) {
    Bytes b = ethernet_header({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kClientMac, 0x0806);
    Bytes arp = {0, 1, 8, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0xc1, 10, 1, 0, 10, 0, 0, 0, 0, 0, 0};
    uint32_t t = ip4(target);
    arp.resize(arp.size() + 4);
    std::memcpy(&arp[24], &t, 4);
    b.insert(b.end(), arp.begin(), arp.end());
    return b;
}

Bytes icmp_echo(const std::string& saddr, const std::string& daddr) {
    Bytes b = ethernet_header(kDirectorMac, kClientMac);
    Bytes iph = ipv4_header({.proto = 1, .saddr = saddr, .daddr = daddr, .payload_len = 8});
    b.insert(b.end(), iph.begin(), iph.end());
    size_t at = b.size();
    b.resize(at + 8);
    b[at] = 8;  // echo request
    put16(b, at + 4, 0x4242);
    put16(b, at + 2, inet_checksum(&b[at], 8));
    return b;
}

}  // namespace lvs::testkit
