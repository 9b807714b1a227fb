// Totals of the per-CPU counters: the XDP program counts on each CPU without
// atomics, and readers add the CPUs' copies up.
#pragma once

#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"

namespace lvs {

lvs_counters total(const std::vector<lvs_counters>& per_cpu);
lvs_xdp_stats total(const std::vector<lvs_xdp_stats>& per_cpu);

lvs_counters service_counters(const Maps& maps, uint32_t svc_id);
lvs_counters dest_counters(const Maps& maps, uint32_t dest_id);
lvs_xdp_stats xdp_counters(const Maps& maps);

}  // namespace lvs
