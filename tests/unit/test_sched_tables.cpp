#include <gtest/gtest.h>

#include "sched/scheduler.h"

using namespace lvs;

namespace {

std::vector<Dest> weighted(std::initializer_list<uint32_t> weights) {
    std::vector<Dest> dests;
    for (uint32_t w : weights) {
        Dest d;
        d.weight = w;
        dests.push_back(d);
    }
    return dests;
}

std::vector<uint32_t> table(const char* sched, std::initializer_list<uint32_t> weights) {
    const Scheduler* s = find_scheduler(sched);
    EXPECT_NE(s, nullptr) << sched;
    return s ? s->table(weighted(weights)) : std::vector<uint32_t>{};
}

using Table = std::vector<uint32_t>;

}  // namespace

TEST(SchedTables, RoundRobinTakesEachServerOnceInOrder) {
    EXPECT_EQ(table("rr", {1, 1, 1}), (Table{0, 1, 2}));
    EXPECT_EQ(table("rr", {5, 1}), (Table{0, 1}));  // rr ignores weights above 0
}

TEST(SchedTables, RoundRobinSkipsWeightZero) {
    EXPECT_EQ(table("rr", {1, 0, 2}), (Table{0, 2}));
    EXPECT_TRUE(table("rr", {0, 0}).empty());
}

TEST(SchedTables, WeightedRoundRobinFollowsIpvs) {
    // Weights 4,3,2: A A B A B C A B C.
    EXPECT_EQ(table("wrr", {4, 3, 2}), (Table{0, 0, 1, 0, 1, 2, 0, 1, 2}));
    // Common divisors shorten the cycle: 4,2 is 2,1.
    EXPECT_EQ(table("wrr", {4, 2}), (Table{0, 0, 1}));
}

TEST(SchedTables, WeightedRoundRobinExcludesWeightZero) {
    EXPECT_EQ(table("wrr", {2, 0, 1}), (Table{0, 0, 2}));
    EXPECT_TRUE(table("wrr", {0, 0}).empty());
    EXPECT_TRUE(table("wrr", {}).empty());
}

TEST(SchedTables, LongCyclesAreScaledToFitATable) {
    const Table t = table("wrr", {65535, 65534, 1});
    EXPECT_LE(t.size(), size_t{LVS_MAX_TABLE_LEN});
    EXPECT_FALSE(t.empty());
    EXPECT_NE(std::find(t.begin(), t.end(), 2u), t.end());  // weight 1 keeps at least one slot
}

TEST(SchedTables, Registry) {
    ASSERT_NE(find_scheduler("rr"), nullptr);
    EXPECT_EQ(find_scheduler("rr")->id(), LVS_SCHED_RR);
    ASSERT_NE(find_scheduler("wrr"), nullptr);
    EXPECT_EQ(find_scheduler("wrr")->id(), LVS_SCHED_WRR);
    EXPECT_EQ(find_scheduler("wlc"), nullptr);
    EXPECT_EQ(scheduler_error("rr"), "");
    EXPECT_NE(scheduler_error("wlc").find("not available"), std::string::npos);
    EXPECT_NE(scheduler_error("bogus").find("not found"), std::string::npos);
}
