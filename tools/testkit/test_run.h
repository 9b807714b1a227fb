// BPF_PROG_TEST_RUN of an XDP program on one frame, ingress on lo (ifindex 1).
#pragma once

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cstdint>

#include "testkit/packet.h"

namespace lvs::testkit {

struct RunResult {
    int action;  // XDP_PASS, XDP_TX, ...
    Bytes out;
};

// One BPF_PROG_TEST_RUN: the program runs `repeat` times on frame, and the
// output of the last run is kept. Set up apart from the call, so that a caller
// can time the syscall alone. frame must outlive it.
class XdpTestRun {
public:
    XdpTestRun(const Bytes& frame, uint32_t repeat);
    XdpTestRun(const XdpTestRun&) = delete;
    XdpTestRun& operator=(const XdpTestRun&) = delete;

    // Throws when the kernel refuses the run.
    void run(int prog_fd);
    RunResult result() const;

private:
    xdp_md ctx_{};
    Bytes out_;
    bpf_test_run_opts opts_;
};

RunResult test_run(int prog_fd, const Bytes& frame, uint32_t repeat = 1);

}  // namespace lvs::testkit
