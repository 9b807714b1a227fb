// Building test frames byte by byte, with checksums computed here independently
// of the code under test. The selftests and lvs-bench build their input and
// their expected output with these.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace lvs::testkit {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

inline constexpr size_t kEth = 14;  // an Ethernet header, no VLAN tag

// The test network's MACs: frames come from the client to the director.
inline const Mac kClientMac{0x02, 0, 0, 0, 0, 0xc1};
inline const Mac kDirectorMac{0x02, 0, 0, 0, 0, 0xd1};

struct FrameSpec {
    Mac src_mac = kClientMac;
    Mac dst_mac = kDirectorMac;
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

// Ethernet + IPv4 (no options) + TCP or UDP, all checksums valid.
Bytes frame(const FrameSpec& s);

// An IPv4 address given as a host-order number, as text ("10.4.0.1").
std::string ip4_text(uint32_t host_order);
// A 20-byte IPv4 header with a valid checksum.
Bytes ipv4_header(const Ipv4Header& h);
Bytes ethernet_header(const Mac& dst, const Mac& src, uint16_t type = 0x0800);
// An ARP request for the given address.
Bytes arp_request(const std::string& target);
// An ICMP echo request to daddr.
Bytes icmp_echo(const std::string& saddr, const std::string& daddr);

// The RFC 1071 Internet checksum of data; initial adds a pseudo-header's sum.
uint16_t inet_checksum(const uint8_t* data, size_t len, uint32_t initial = 0);
uint32_t ip4(const std::string& addr);  // network byte order; throws unless IPv4
// Big-endian 16-bit fields.
uint16_t get16(const Bytes& b, size_t at);
void put16(Bytes& b, size_t at, uint16_t v);
Bytes concat(std::initializer_list<Bytes> parts);
// An Ethernet frame with 802.1Q / 802.1ad tags (4 bytes each) put in after its MACs.
Bytes with_tags(Bytes frame, const Bytes& tags);

}  // namespace lvs::testkit
