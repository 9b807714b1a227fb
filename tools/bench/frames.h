// The frames lvs-bench sends, and the bytes it expects back, built here
// independently of the code under test.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lvs::bench {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

// Every input frame is 64 bytes (bench_reset.bpf.c copies exactly that much).
inline constexpr size_t kFrameLen = 64;
inline constexpr size_t kEth = 14;
inline const Mac kDirectorMac{0x02, 0, 0, 0, 0, 0xd1};
inline const Mac kClientMac{0x02, 0, 0, 0, 0, 0xc1};

inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kAck = 0x10;

struct Flow {
    std::string saddr = "10.1.0.10";
    std::string daddr = "10.1.0.100";
    uint16_t sport = 40000;
    uint16_t dport = 80;
};

// Ethernet + IPv4 + TCP with the given flags, padded with payload to 64 bytes;
// all checksums valid.
Bytes tcp_frame(const Flow& f, uint8_t tcp_flags);
Bytes with_tcp_flags(Bytes frame, uint8_t tcp_flags);

uint32_t ip4(const std::string& addr);  // network byte order
uint16_t inet_checksum(const uint8_t* data, size_t len, uint32_t initial = 0);
// A 20-byte IPv4 header with a valid checksum around payload_len bytes.
Bytes ipv4_header(uint8_t tos, uint16_t id, bool df, uint8_t proto, uint32_t saddr, uint32_t daddr,
                  size_t payload_len);
uint16_t get16(const Bytes& b, size_t at);

// The MAC lvs-bench gives a real server: 02:00 and its IPv4 address.
Mac mac_of(uint32_t addr);

// What bench_reset.bpf.c makes of the input for flow index i (the source
// address plus i / 65536, the source port i % 65536), and which index a run
// with a given counter uses in pool mode.
Bytes with_flow_index(Bytes frame, uint32_t i);
uint32_t pool_index(uint32_t counter, uint32_t pool_mask);

}  // namespace lvs::bench
