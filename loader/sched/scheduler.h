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

// A dh, sh or mh table entry that names no server (the store writes
// LVS_TABLE_NO_DEST for it).
inline constexpr uint32_t kNoDestIndex = UINT32_MAX;

class Scheduler {
public:
    virtual ~Scheduler() = default;
    virtual std::string_view name() const = 0;
    virtual lvs_sched id() const = 0;
    // The table the XDP program reads, as indexes into dests (or kNoDestIndex);
    // what it holds depends on the scheduler (abi.h, enum lvs_sched).
    virtual std::vector<uint32_t> table(const std::vector<Dest>& dests) const = 0;
};

// Indexes of dests in IPVS's list order. Config appends a new server at the
// end, IPVS's list_add_rcu at the head, so the kernel's loops visit the servers
// newest first: the reverse of dests.
std::vector<uint32_t> ipvs_list_order(const std::vector<Dest>& dests);

// The scheduler called name (one of IPVS's 14), or nullptr.
const Scheduler* find_scheduler(std::string_view name);
const Scheduler* find_scheduler(uint32_t id);
// Why name can't be used: "" when it can.
std::string scheduler_error(std::string_view name);

}  // namespace lvs
