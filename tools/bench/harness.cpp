#include "harness.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "bench_floor.skel.h"
#include "bench_reset.skel.h"

namespace lvs::bench {
namespace {

double thread_cpu_ns() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

}  // namespace

double time_per_run(int prog_fd, const Bytes& frame, uint32_t repeat, testkit::RunResult* last) {
    testkit::XdpTestRun t(frame, repeat);
    double start = thread_cpu_ns();
    t.run(prog_fd);
    double ns = (thread_cpu_ns() - start) / repeat;
    if (last)
        *last = t.result();
    return ns;
}

Harness::Harness(uint32_t lines) {
    reset_ = bench_reset__open_and_load();
    floor_ = bench_floor__open();
    if (floor_) {
        floor_->rodata->bench_lines_mask = lines - 1;
        if (bpf_map__set_max_entries(floor_->maps.bench_lines, lines) != 0 || bench_floor__load(floor_) != 0) {
            bench_floor__destroy(floor_);
            floor_ = nullptr;
        }
    }
    if (!reset_ || !floor_) {
        bench_reset__destroy(reset_);
        bench_floor__destroy(floor_);
        throw std::runtime_error("cannot load bench_reset.bpf.o or bench_floor.bpf.o");
    }
}

Harness::~Harness() {
    bench_reset__destroy(reset_);
    bench_floor__destroy(floor_);
}

int Harness::reset_fd() const { return bpf_program__fd(reset_->progs.bench_reset); }
int Harness::drop_fd() const { return bpf_program__fd(floor_->progs.bench_drop); }
int Harness::mac_swap_fd() const { return bpf_program__fd(floor_->progs.bench_mac_swap); }
int Harness::mac_swap_read_fd() const { return bpf_program__fd(floor_->progs.bench_mac_swap_read); }

void Harness::set_target(int prog_fd) {
    uint32_t zero = 0;
    if (bpf_map_update_elem(bpf_map__fd(reset_->maps.bench_target), &zero, &prog_fd, BPF_ANY) != 0)
        throw std::runtime_error(std::string("cannot set the reset's target: ") + std::strerror(errno));
}

void Harness::set_input(const Bytes& frame, Vary vary, uint32_t pool_mask) {
    if (frame.size() != sizeof(reset_->bss->frame))
        throw std::logic_error("bench frames are " + std::to_string(sizeof(reset_->bss->frame)) + " bytes");
    std::memcpy(reset_->bss->frame, frame.data(), frame.size());
    reset_->bss->vary = static_cast<uint32_t>(vary);
    reset_->bss->pool_mask = pool_mask;
    frame_ = frame;
    vary_ = vary;
    pool_mask_ = pool_mask;
}

uint32_t Harness::counter() const { return reset_->bss->counter; }

Bytes Harness::input_at(uint32_t c) const {
    switch (vary_) {
    case Vary::Pool:
        return with_flow_index(frame_, pool_index(c, pool_mask_));
    case Vary::PoolDst:
        return with_flow_index(frame_, pool_index(c, pool_mask_), FlowEnd::Destination);
    case Vary::New:
        return with_flow_index(frame_, c);
    default:
        return frame_;
    }
}

}  // namespace lvs::bench
