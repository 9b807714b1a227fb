// lvs-trafgen's second way to send, for kernels that refuse live-frame test
// runs (BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES answered EPERM on a
// 6.18.44 VM where it had worked on 6.18 before): an AF_PACKET socket bound to
// the interface, handing frames to the driver directly (PACKET_QDISC_BYPASS),
// one sendmmsg of a batch per call. Slower than live frames (a syscall per
// batch and a copy per frame), plenty for a paced flood.
//
// Each frame is the template with what the sender program (progs.h) varies:
// source port 1024 + random % flows, source address the template's + random
// % sources with the IP checksum to match; the UDP checksum 0, a TCP
// template's checksum kept (right for its own port only), as there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lvs::trafgen {

class PacketSocketSender {
public:
    PacketSocketSender(int ifindex, const std::vector<uint8_t>& frame, uint32_t flows, uint32_t sources,
                       uint32_t batch);
    ~PacketSocketSender();
    PacketSocketSender(const PacketSocketSender&) = delete;
    PacketSocketSender& operator=(const PacketSocketSender&) = delete;

    // Sends one batch of new frames; returns how many the kernel took (a full
    // transmit queue takes fewer).
    uint32_t send_batch();

private:
    void randomize(std::vector<uint8_t>& f);
    uint64_t next_random();

    int fd_ = -1;
    std::vector<uint8_t> frame_;
    uint32_t flows_, sources_, base_saddr_;
    std::vector<std::vector<uint8_t>> batch_;
    uint64_t rng_;
};

}  // namespace lvs::trafgen
