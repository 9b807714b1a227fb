// The schedulers that pick by the servers' live connection counters (lc, wlc,
// sed, nq, fo, ovf, twos, lblc, lblcr). Their choice depends on lvs_dest_conns,
// which changes with every connection, so the loader can't precompute picks:
// their table is every server of the service once, weight-0 ones included, in
// IPVS's list order, and the XDP program runs the scheduler's loop over it
// (the order decides ties exactly as in IPVS; weight 0 is skipped there).
#pragma once

#include "sched/scheduler.h"

namespace lvs {

class ListScheduler final : public Scheduler {
public:
    ListScheduler(std::string_view name, lvs_sched id) : name_(name), id_(id) {}
    std::string_view name() const override { return name_; }
    lvs_sched id() const override { return id_; }
    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        return ipvs_list_order(dests);
    }

private:
    std::string_view name_;
    lvs_sched id_;
};

}  // namespace lvs
