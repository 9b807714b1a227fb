// CPU placement: the benchmark runs on one CPU so every run sees the same caches
// and the same per-CPU map slots, and BPF_PROG_TEST_RUN runs on the caller's CPU.
#pragma once

#include <sched.h>

#include <vector>

namespace lvs::bench {

std::vector<int> online_cpus();
void pin_to_cpu(int cpu);

// Restores the process's CPU affinity when it goes out of scope.
class CpuPin {
public:
    CpuPin();
    ~CpuPin();

private:
    cpu_set_t saved_;
};

}  // namespace lvs::bench
