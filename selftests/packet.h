// Building test frames byte by byte, with checksums computed here independently
// of the code under test.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lvs::test {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

struct FrameSpec {
    Mac src_mac{0x02, 0, 0, 0, 0, 0xc1};
    Mac dst_mac{0x02, 0, 0, 0, 0, 0xd1};
    std::string saddr = "10.1.0.10";
    std::string daddr = "10.1.0.100";
    uint8_t proto = 6;  // IPPROTO_TCP or IPPROTO_UDP
    uint16_t sport = 40000;
    uint16_t dport = 80;
    uint8_t tcp_flags = 0x02;  // SYN
    uint8_t ttl = 64;
    uint8_t tos = 0;
    bool df = true;
    std::string payload;
};

struct Ipv4Header {
    uint8_t tos = 0;
    uint16_t id = 0x1234;
    bool df = true;
    uint8_t ttl = 64;
    uint8_t proto = 6;
    std::string saddr, daddr;
    size_t payload_len = 0;
};

// A 20-byte IPv4 header with a valid checksum.
Bytes ipv4_header(const Ipv4Header& h);
// Ethernet + IPv4 (no options) + TCP or UDP, all checksums valid.
Bytes frame(const FrameSpec& s);
// The RFC 1071 Internet checksum of data; initial adds a pseudo-header's sum.
uint16_t inet_checksum(const uint8_t* data, size_t len, uint32_t initial = 0);
// An ARP request for the given address.
Bytes arp_request(const std::string& target);
// An ICMP echo request to daddr.
Bytes icmp_echo(const std::string& saddr, const std::string& daddr);

}  // namespace lvs::test
