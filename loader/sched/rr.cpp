// Round robin (ip_vs_rr.c): every server in IPVS's list order (newest first),
// which is where IPVS's walk starts. Servers at weight 0 stay in the table and
// the XDP program passes over them, so quiescing one leaves everyone's place
// in the round as IPVS leaves it.
#include "sched/scheduler.h"

namespace lvs {
namespace {

class RoundRobin final : public Scheduler {
public:
    std::string_view name() const override { return "rr"; }
    lvs_sched id() const override { return LVS_SCHED_RR; }
    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        return ipvs_list_order(dests);
    }
};

}  // namespace

const Scheduler& rr_scheduler() {
    static const RoundRobin s;
    return s;
}

}  // namespace lvs
