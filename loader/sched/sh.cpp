// Source hashing (ip_vs_sh.c): LVS_SH_TAB_SIZE buckets filled walking IPVS's
// list, each server taking as many consecutive buckets as its weight (at least
// one: a weight-0 server still takes a bucket) before the next one's turn,
// round and round until all are filled (buckets.h); so when the weights add up
// to more than 256, the servers last in the list get fewer or none, as in
// IPVS. The XDP program hashes the client address (port too with -b sh-port)
// as IPVS does (lvs_xdp/sched_hash.h) and takes that bucket's server unless it
// has weight 0 or is overloaded; then -b sh-fallback rehashes with offsets 0,
// 1, 2 ... added to the bucket number until it meets a usable server.
#include "sched/buckets.h"

namespace lvs {
namespace {

class SourceHashing final : public Scheduler {
public:
    std::string_view name() const override { return "sh"; }
    lvs_sched id() const override { return LVS_SCHED_SH; }

    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        return deal_buckets(dests, [](const Dest& d) { return d.weight; });
    }
};

}  // namespace

const Scheduler& sh_scheduler() {
    static const SourceHashing s;
    return s;
}

}  // namespace lvs
