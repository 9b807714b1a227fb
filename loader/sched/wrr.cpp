// Weighted round robin (ip_vs_wrr.c). IPVS keeps a current weight cw that starts
// at the largest weight and drops by the gcd of all weights each time the list
// wraps; a server is picked when its weight is at least cw. One full cycle of
// that walk is the table: weights 4,3,2 give A A B A B C A B C.
#include <algorithm>
#include <numeric>

#include "sched/scheduler.h"

namespace lvs {
namespace {

class WeightedRoundRobin final : public Scheduler {
public:
    std::string_view name() const override { return "wrr"; }
    lvs_sched id() const override { return LVS_SCHED_WRR; }

    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        const std::vector<uint32_t> order = ipvs_list_order(dests);  // IPVS's walk, newest first
        std::vector<uint64_t> w;
        for (uint32_t i : order)
            w.push_back(dests[i].weight);
        scale_to_fit(w);
        uint64_t gcd = 0, max = 0;
        for (uint64_t x : w) {
            gcd = std::gcd(gcd, x);
            max = std::max(max, x);
        }
        std::vector<uint32_t> t;
        if (max == 0)
            return t;
        for (uint64_t cw = max; cw > 0; cw -= gcd)
            for (uint32_t i = 0; i < w.size(); ++i)
                if (w[i] >= cw)
                    t.push_back(order[i]);
        return t;
    }

private:
    // A cycle is sum(w)/gcd picks long. Where that exceeds the per-service table
    // limit, weights are scaled down proportionally (never below 1) so the
    // table fits; the ratios then hold to within 1/LVS_MAX_TABLE_LEN.
    static void scale_to_fit(std::vector<uint64_t>& w) {
        uint64_t gcd = 0, sum = 0;
        for (uint64_t x : w) {
            gcd = std::gcd(gcd, x);
            sum += x;
        }
        if (gcd == 0 || sum / gcd <= LVS_MAX_TABLE_LEN)
            return;
        uint64_t budget = LVS_MAX_TABLE_LEN - w.size();
        for (uint64_t& x : w)
            if (x > 0)
                x = std::max<uint64_t>(1, x * budget / sum);
    }
};

}  // namespace

const Scheduler& wrr_scheduler() {
    static const WeightedRoundRobin s;
    return s;
}

}  // namespace lvs
