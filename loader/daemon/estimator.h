// IPVS's rate estimator (net/netfilter/ipvs/ip_vs_est.c), fed with counter
// totals instead of reading them itself, so it can be tested without maps.
// Every 2 seconds (kEstimatorPeriod) the daemon samples each service's and
// server's totals; the estimator keeps IPVS's fixed-point averages (packets
// and connections scaled by 2^10, bytes by 2^5) smoothed with a weight of 1/4
// per sample, and decodes them as ip_vs_read_estimator does, so
// `-L --rate` shows what ipvsadm would show for the same traffic.
#pragma once

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "lvs_xdp/abi.h"

namespace lvs {

// IPVS's estimation_timer period (2*HZ); the formulas below assume it.
inline constexpr std::chrono::seconds kEstimatorPeriod{2};

class RateEstimator {
public:
    // One sample of id's totals, taken kEstimatorPeriod after the previous one.
    // generation tells ids apart when a slot is reused (lvs_dest.gen for
    // servers, anything naming the service for services): the first sample of
    // an id, or of a new generation, only sets the starting point with rates
    // at 0, as ip_vs_zero_estimator does for a new service. Totals that went
    // down were zeroed (-Z): the estimator starts again from them too.
    void sample(uint32_t id, uint64_t generation, const lvs_counters& totals);

    // The rates per second of id, decoded as ip_vs_read_estimator decodes
    // them; all 0 for an id never sampled.
    lvs_rates rates(uint32_t id) const;

    // Forgets every id not in ids (removed services or servers).
    void keep_only(const std::vector<uint32_t>& ids);

private:
    struct State {
        uint64_t generation = 0;
        lvs_counters last{};  // totals at the previous sample
        lvs_rates avg{};      // scaled averages: cps, pps << 10; bps << 5
    };
    std::unordered_map<uint32_t, State> states_;
};

}  // namespace lvs
