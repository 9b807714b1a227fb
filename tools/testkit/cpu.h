// CPU placement. The kernel runs BPF_PROG_TEST_RUN and map updates on the
// caller's CPU: lvs-bench runs on one CPU so every run sees the same caches and
// the same per-CPU map slots, and Director::fill() moves from CPU to CPU to fill
// every CPU's LRU list.
#pragma once

#include <sched.h>

#include <vector>

namespace lvs::testkit {

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

}  // namespace lvs::testkit
