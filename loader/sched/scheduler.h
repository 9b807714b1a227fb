// The scheduler interface. As in net/netfilter/ipvs, every scheduler lives in a
// file of its own and implements this one interface; unlike IPVS, the work is
// split: the loader computes a table here, and the XDP program only indexes it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "lvs_xdp/abi.h"
#include "model/config.h"

namespace lvs {

class Scheduler {
public:
    virtual ~Scheduler() = default;
    virtual std::string_view name() const = 0;
    virtual lvs_sched id() const = 0;
    // The table the XDP program walks: indexes into dests, one entry per pick.
    // Servers with weight 0 must not appear (they take no new connections).
    virtual std::vector<uint32_t> table(const std::vector<Dest>& dests) const = 0;
};

// The scheduler called name, or nullptr. IPVS names that lvs-xdp does not have
// yet are reported by scheduler_error().
const Scheduler* find_scheduler(std::string_view name);
const Scheduler* find_scheduler(uint32_t id);
// Why name can't be used: "" when it can.
std::string scheduler_error(std::string_view name);

}  // namespace lvs
