// Timing programs with BPF_PROG_TEST_RUN, and the reset that makes repeated
// runs see the same input (bpf/bench_reset.bpf.c) with the floors it is
// measured against (bpf/bench_floor.bpf.c).
#pragma once

#include <cstdint>

#include "frames.h"
#include "testkit/test_run.h"

struct bench_reset;
struct bench_floor;

namespace lvs::bench {

// As enum bench_vary in bench_reset.bpf.c.
enum class Vary : uint32_t {
    None = 0,  // the same frame every run
    Pool = 1,  // one of 2^k flows, scattered
    New = 2,   // a flow never seen before every run
    PoolDst = 3,  // as Pool, the flow in the destination: a server's replies to a pool of clients
};

// Nanoseconds per run over `repeat` runs. Taken from the thread's CPU time
// around the syscall (the kernel's own figure is rounded down to whole ns,
// too coarse once the reset is subtracted); the syscall's fixed cost of a
// few microseconds vanishes over a million runs. last, if given, gets the
// last run's action and output.
double time_per_run(int prog_fd, const Bytes& frame, uint32_t repeat, testkit::RunResult* last = nullptr);

class Harness {
public:
    // lines: the entries (a power of two) of the memory floor's table.
    explicit Harness(uint32_t lines);
    ~Harness();
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    int reset_fd() const;
    int drop_fd() const;
    int mac_swap_fd() const;
    // The MAC-swap floor that also reads the flow's 64-byte line of a table
    // as big as the connection table of the cases of 2^20 flows.
    int mac_swap_read_fd() const;

    // The program the reset hands every run to.
    void set_target(int prog_fd);
    // What the reset writes before every run: frame (kFrameLen bytes), given
    // another flow each run as vary says; pool_mask is 2^k - 1 for Vary::Pool and PoolDst.
    void set_input(const Bytes& frame, Vary vary, uint32_t pool_mask = 0);
    uint32_t counter() const;
    // The input of the run that starts with the reset's counter at c.
    Bytes input_at(uint32_t c) const;

private:
    bench_reset* reset_ = nullptr;
    bench_floor* floor_ = nullptr;
    Bytes frame_;
    Vary vary_ = Vary::None;
    uint32_t pool_mask_ = 0;
};

}  // namespace lvs::bench
