// The bucket fill dh and sh share (ip_vs_dh_reassign, ip_vs_sh_reassign):
// LVS_SH_TAB_SIZE buckets dealt walking IPVS's list round and round, each
// server taking turns(dest) consecutive buckets, and at least one, before the
// next. An empty list leaves every bucket empty: an empty table, no server.
#pragma once

#include "sched/scheduler.h"

namespace lvs {

template <class Turns>
std::vector<uint32_t> deal_buckets(const std::vector<Dest>& dests, Turns turns) {
    const std::vector<uint32_t> order = ipvs_list_order(dests);
    std::vector<uint32_t> t;
    if (order.empty())
        return t;
    size_t pos = 0;
    uint32_t taken = 0;  // IPVS's d_count
    for (uint32_t b = 0; b < LVS_SH_TAB_SIZE; ++b) {
        const uint32_t i = order[pos];
        t.push_back(i);
        if (++taken >= turns(dests[i])) {
            pos = (pos + 1) % order.size();
            taken = 0;
        }
    }
    return t;
}

}  // namespace lvs
