// Round robin (ip_vs_rr.c): every server with a weight above 0, in IPVS's list
// order (newest first), which is where IPVS's walk starts.
#include "sched/scheduler.h"

namespace lvs {
namespace {

class RoundRobin final : public Scheduler {
public:
    std::string_view name() const override { return "rr"; }
    lvs_sched id() const override { return LVS_SCHED_RR; }
    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        std::vector<uint32_t> t;
        for (uint32_t i : ipvs_list_order(dests))
            if (dests[i].weight > 0)
                t.push_back(i);
        return t;
    }
};

}  // namespace

const Scheduler& rr_scheduler() {
    static const RoundRobin s;
    return s;
}

}  // namespace lvs
