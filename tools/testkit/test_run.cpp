#include "testkit/test_run.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace lvs::testkit {

XdpTestRun::XdpTestRun(const Bytes& frame, uint32_t repeat) : out_(frame.size() + 256) {
    ctx_.data_end = frame.size();
    ctx_.ingress_ifindex = 1;  // lo
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = out_.data(),
                .data_size_in = static_cast<uint32_t>(frame.size()),
                .data_size_out = static_cast<uint32_t>(out_.size()), .ctx_in = &ctx_, .ctx_size_in = sizeof(ctx_),
                .repeat = static_cast<int>(repeat));
    opts_ = opts;
}

void XdpTestRun::run(int prog_fd) {
    if (bpf_prog_test_run_opts(prog_fd, &opts_) != 0)
        throw std::runtime_error(std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno));
}

RunResult XdpTestRun::result() const {
    return {.action = static_cast<int>(opts_.retval), .out = Bytes(out_.begin(), out_.begin() + opts_.data_size_out)};
}

RunResult test_run(int prog_fd, const Bytes& frame, uint32_t repeat) {
    XdpTestRun t(frame, repeat);
    t.run(prog_fd);
    return t.result();
}

}  // namespace lvs::testkit
