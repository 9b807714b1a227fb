#include "daemon/estimator.h"

#include <unordered_set>

namespace lvs {
namespace {

// One field of IPVS's estimation_timer: the change over 2 s, scaled (shift 9
// is 2^10 for packets and connections halved for the 2 seconds; shift 4 is 2^5
// halved for bytes), then avg += (rate - avg) / 4 in signed arithmetic.
void smooth(__u64& avg, __u64& last, __u64 now, int shift) {
    const uint64_t rate = (now - last) << shift;
    last = now;
    avg += static_cast<uint64_t>((static_cast<int64_t>(rate) - static_cast<int64_t>(avg)) >> 2);
}

bool went_down(const lvs_counters& now, const lvs_counters& last) {
    return now.conns < last.conns || now.inpkts < last.inpkts || now.outpkts < last.outpkts ||
           now.inbytes < last.inbytes || now.outbytes < last.outbytes;
}

}  // namespace

void RateEstimator::sample(uint32_t id, uint64_t generation, const lvs_counters& totals) {
    auto [it, fresh] = states_.try_emplace(id);
    State& s = it->second;
    if (fresh || s.generation != generation || went_down(totals, s.last)) {
        s = State{.generation = generation, .last = totals};
        return;
    }
    smooth(s.avg.cps, s.last.conns, totals.conns, 9);
    smooth(s.avg.inpps, s.last.inpkts, totals.inpkts, 9);
    smooth(s.avg.outpps, s.last.outpkts, totals.outpkts, 9);
    smooth(s.avg.inbps, s.last.inbytes, totals.inbytes, 4);
    smooth(s.avg.outbps, s.last.outbytes, totals.outbytes, 4);
}

lvs_rates RateEstimator::rates(uint32_t id) const {
    const auto it = states_.find(id);
    if (it == states_.end())
        return {};
    const lvs_rates& a = it->second.avg;
    return {.cps = (a.cps + 0x1FF) >> 10,
            .inpps = (a.inpps + 0x1FF) >> 10,
            .outpps = (a.outpps + 0x1FF) >> 10,
            .inbps = (a.inbps + 0xF) >> 5,
            .outbps = (a.outbps + 0xF) >> 5};
}

void RateEstimator::keep_only(const std::vector<uint32_t>& ids) {
    const std::unordered_set<uint32_t> keep(ids.begin(), ids.end());
    std::erase_if(states_, [&](const auto& entry) { return !keep.count(entry.first); });
}

}  // namespace lvs
