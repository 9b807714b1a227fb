// The rate estimator against IPVS's ip_vs_est.c, worked by hand: a sample
// every 2 s, avg += ((delta << 9) - avg) >> 2 for packets (<< 4 for bytes),
// decoded as (avg + 0x1FF) >> 10 (bytes: (avg + 0xF) >> 5).
#include <gtest/gtest.h>

#include "daemon/estimator.h"

namespace lvs {
namespace {

// Totals after `seconds` of a constant 1000 packets/s of 100 bytes each, 10
// connections/s, and half as much coming back.
lvs_counters steady(uint64_t seconds) {
    return {.conns = 10 * seconds,
            .inpkts = 1000 * seconds,
            .outpkts = 500 * seconds,
            .inbytes = 100000 * seconds,
            .outbytes = 50000 * seconds};
}

TEST(Estimator, FirstSampleOnlySetsTheStartingPoint) {
    RateEstimator est;
    est.sample(7, 1, steady(3600));  // an hour of traffic before the daemon started
    const lvs_rates r = est.rates(7);
    EXPECT_EQ(r.cps, 0u);
    EXPECT_EQ(r.inpps, 0u);
    EXPECT_EQ(r.inbps, 0u);
}

TEST(Estimator, ConstantTrafficApproachesItsRateAsIpvsDoes) {
    RateEstimator est;
    est.sample(1, 1, steady(0));
    // inpps: rate = 2000 << 9 = 1024000 each sample.
    // avg: 256000, 448000, 592000, 700000 -> (avg + 511) >> 10: 250, 437, 578, 684.
    // inbps: rate = 200000 << 4 = 3200000; avg 800000 -> (800000 + 15) >> 5 = 25000.
    // cps: rate = 20 << 9 = 10240; avg 2560 -> (2560 + 511) >> 10 = 2.
    const uint64_t want_inpps[] = {250, 437, 578, 684};
    for (int k = 0; k < 4; ++k) {
        est.sample(1, 1, steady(2 * (k + 1)));
        EXPECT_EQ(est.rates(1).inpps, want_inpps[k]) << "after sample " << k + 1;
    }
    // 4 samples: outpps avg = 350000 ((350000 + 511) >> 10 = 342).
    EXPECT_EQ(est.rates(1).outpps, 342u);
    // inbps after 4: 800000, 1400000, 1850000, 2187500 -> (2187500 + 15) >> 5 = 68359.
    EXPECT_EQ(est.rates(1).inbps, 68359u);
    // cps after 4: 2560, 4480, 5920, 7000 -> (7000 + 511) >> 10 = 7.
    EXPECT_EQ(est.rates(1).cps, 7u);

    // The average stops 1 to 3 below the rate (the >> 2 of a smaller difference
    // is 0), which the rounding of the decode shows as the rate itself.
    for (int k = 5; k <= 100; ++k)
        est.sample(1, 1, steady(2 * k));
    const lvs_rates r = est.rates(1);
    EXPECT_EQ(r.cps, 10u);
    EXPECT_EQ(r.inpps, 1000u);
    EXPECT_EQ(r.outpps, 500u);
    EXPECT_EQ(r.inbps, 100000u);
    EXPECT_EQ(r.outbps, 50000u);
}

TEST(Estimator, IdleTrafficDecaysToZero) {
    RateEstimator est;
    for (int k = 0; k <= 100; ++k)
        est.sample(1, 1, steady(2 * k));
    const lvs_counters stopped = steady(200);
    // First idle sample: avg (1023997 to 1023999) + ((0 - avg) >> 2 = -256000)
    // = 767997 to 767999 -> 750.
    est.sample(1, 1, stopped);
    EXPECT_EQ(est.rates(1).inpps, 750u);
    for (int k = 0; k < 100; ++k)
        est.sample(1, 1, stopped);
    EXPECT_EQ(est.rates(1).inpps, 0u);
    EXPECT_EQ(est.rates(1).inbps, 0u);
}

TEST(Estimator, HalfAConnectionPerSecondShowsAsZeroAsInIpvs) {
    RateEstimator est;
    for (int k = 0; k <= 100; ++k)
        est.sample(1, 1, lvs_counters{.conns = static_cast<uint64_t>(k)});
    // rate = 1 << 9 = 512; avg stops at 509; (509 + 511) >> 10 = 0.
    EXPECT_EQ(est.rates(1).cps, 0u);
}

TEST(Estimator, NewGenerationOrZeroedCountersStartAgain) {
    RateEstimator est;
    for (int k = 0; k <= 10; ++k)
        est.sample(1, 1, steady(2 * k));
    ASSERT_GT(est.rates(1).inpps, 900u);

    // The slot now holds another server: its totals are not a continuation.
    est.sample(1, 2, steady(1));
    EXPECT_EQ(est.rates(1).inpps, 0u);
    est.sample(1, 2, steady(3));
    EXPECT_EQ(est.rates(1).inpps, 250u);

    // -Z: the totals went back to 0; no huge unsigned difference.
    est.sample(1, 2, lvs_counters{});
    EXPECT_EQ(est.rates(1).inpps, 0u);
    est.sample(1, 2, steady(2));
    EXPECT_EQ(est.rates(1).inpps, 250u);
}

TEST(Estimator, KeepOnlyForgetsRemovedIds) {
    RateEstimator est;
    for (uint32_t id : {1u, 2u}) {
        est.sample(id, 1, steady(0));
        est.sample(id, 1, steady(2));
    }
    est.keep_only({2});
    EXPECT_EQ(est.rates(1).inpps, 0u);
    EXPECT_EQ(est.rates(2).inpps, 250u);
}

}  // namespace
}  // namespace lvs
