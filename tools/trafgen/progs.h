// The three tiny XDP programs of lvs-trafgen, built from raw BPF instructions
// at run time (no clang step, so the generator is one plain executable):
//
//   sender:  rewrites the whole frame from its template, with a random UDP
//            (or TCP) source port out of N (UDP checksum 0, which IPv4
//            allows; see load_sender for TCP); XDP_TX. Run with
//            BPF_PROG_TEST_RUN + BPF_F_TEST_XDP_LIVE_FRAMES, each XDP_TX is a
//            frame sent out of the test run's ingress interface.
//   drop:    XDP_DROP; on a real server's veth, whose rx_packets counter
//            (`ip -s link`) then counts what arrived.
//   forward: the floor of a two-legged director: rewrite both MACs and
//            bpf_redirect() out of another interface. No parsing beyond the
//            Ethernet header's bounds: the least a forwarder can do.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace lvs::trafgen {

using Mac = std::array<uint8_t, 6>;

// Each returns a program fd (closed by the caller), or throws with the
// verifier's log.
// frame: Ethernet + IPv4 + UDP or TCP, the template every sent frame is rewritten to;
// flows (a power of two up to 32768): how many source ports are used.
// sources (a power of two): how many source addresses, from the template's up.
int load_sender(const std::vector<uint8_t>& frame, uint32_t flows, uint32_t sources = 1);
int load_drop();
int load_forward(int out_ifindex, const Mac& src, const Mac& dst);

}  // namespace lvs::trafgen
