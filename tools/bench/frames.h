// The frames lvs-bench sends, and the bytes it expects back, built with the
// test kit independently of the code under test.
#pragma once

#include <cstdint>
#include <string>

#include "testkit/packet.h"

namespace lvs::bench {

using testkit::Bytes;
using testkit::Mac;

// Every input frame is 64 bytes (bench_reset.bpf.c copies exactly that much).
inline constexpr size_t kFrameLen = 64;

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
// The same frame's description, for frames that need other MACs or a TTL (NAT
// replies and rewritten frames): testkit::frame(spec) gives the bytes.
testkit::FrameSpec tcp_spec(const Flow& f, uint8_t tcp_flags);

// What lvs-bench gives a real server as the loader would find it in a real
// network: a MAC (02:00 and its IPv4 address) and, for tunnels, this outer
// source address.
Mac mac_of(uint32_t addr);
inline constexpr const char* kTunSrc = "10.1.0.2";

// What bench_reset.bpf.c makes of the input for flow index i (the source
// address plus i / 65536, the source port i % 65536, or the same of the
// destination; checksums valid), and which index a run with a given counter
// uses in pool mode.
enum class FlowEnd { Source, Destination };
Bytes with_flow_index(Bytes frame, uint32_t i, FlowEnd end = FlowEnd::Source);
uint32_t pool_index(uint32_t counter, uint32_t pool_mask);

}  // namespace lvs::bench
