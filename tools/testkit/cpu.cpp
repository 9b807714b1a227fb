#include "testkit/cpu.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace lvs::testkit {

std::vector<int> online_cpus() {
    std::ifstream f("/sys/devices/system/cpu/online");
    std::vector<int> cpus;
    std::string range;
    while (std::getline(f, range, ',')) {  // "0-1", "0,2-3"
        int lo = 0, hi = 0;
        int n = std::sscanf(range.c_str(), "%d-%d", &lo, &hi);
        for (int c = lo; n >= 1 && c <= (n == 2 ? hi : lo); ++c)
            cpus.push_back(c);
    }
    if (cpus.empty())
        throw std::runtime_error("cannot read /sys/devices/system/cpu/online");
    return cpus;
}

void pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        throw std::runtime_error("cannot run on CPU " + std::to_string(cpu) + ": " + std::strerror(errno));
}

CpuPin::CpuPin() {
    if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0)
        throw std::runtime_error("sched_getaffinity failed");
}

CpuPin::~CpuPin() { sched_setaffinity(0, sizeof(saved_), &saved_); }

}  // namespace lvs::testkit
