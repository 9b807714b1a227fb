#include "maps/counters.h"

#include <array>
#include <cstring>

namespace lvs {

namespace {

// Both counter structs are nothing but __u64 fields: add them field by field
// without naming each, so a counter added to the ABI is summed too.
template <class T>
T sum_fields(const std::vector<T>& per_cpu) {
    static_assert(sizeof(T) % sizeof(uint64_t) == 0);
    constexpr size_t n = sizeof(T) / sizeof(uint64_t);
    std::array<uint64_t, n> acc{};
    for (const T& c : per_cpu) {
        std::array<uint64_t, n> v;
        std::memcpy(v.data(), &c, sizeof(T));
        for (size_t i = 0; i < n; ++i)
            acc[i] += v[i];
    }
    T out;
    std::memcpy(&out, acc.data(), sizeof(T));
    return out;
}

}  // namespace

lvs_counters total(const std::vector<lvs_counters>& per_cpu) { return sum_fields(per_cpu); }
lvs_xdp_stats total(const std::vector<lvs_xdp_stats>& per_cpu) { return sum_fields(per_cpu); }

lvs_counters service_counters(const Maps& maps, uint32_t svc_id) {
    return total(PerCpuArray<lvs_counters>(maps.svc_stats).per_cpu(svc_id));
}

lvs_counters dest_counters(const Maps& maps, uint32_t dest_id) {
    return total(PerCpuArray<lvs_counters>(maps.dest_stats).per_cpu(dest_id));
}

lvs_xdp_stats xdp_counters(const Maps& maps) { return total(PerCpuArray<lvs_xdp_stats>(maps.xdp_stats).per_cpu(0)); }

}  // namespace lvs
