// The estimator's side that touches the maps: every kEstimatorPeriod the
// daemon samples the counters of every configured service and server (summed
// over CPUs) and writes their rates to lvs_svc_rates / lvs_dest_rates, where
// `-L --rate` and the metrics read them.
#pragma once

#include "daemon/estimator.h"
#include "maps/pinned_maps.h"

namespace lvs {

class RateSampler {
public:
    void sample(const Maps& maps);

private:
    RateEstimator services_, dests_;
};

}  // namespace lvs
