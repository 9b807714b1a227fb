// Destination hashing (ip_vs_dh.c): LVS_SH_TAB_SIZE buckets dealt to the
// servers one each, round and round IPVS's list, weights ignored (a weight-0
// server keeps its buckets; buckets.h). The XDP program hashes the packet's
// destination address as IPVS does (lvs_xdp/sched_hash.h) and takes that
// bucket's server unless it has weight 0 or is overloaded: then no server.
#include "sched/buckets.h"

namespace lvs {
namespace {

class DestinationHashing final : public Scheduler {
public:
    std::string_view name() const override { return "dh"; }
    lvs_sched id() const override { return LVS_SCHED_DH; }

    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        return deal_buckets(dests, [](const Dest&) { return 1u; });
    }
};

}  // namespace

const Scheduler& dh_scheduler() {
    static const DestinationHashing s;
    return s;
}

}  // namespace lvs
