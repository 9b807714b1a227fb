#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "net/addr.h"
#include "sched/hsiphash.h"
#include "sched/rr_position.h"
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

// IPVS walks its list newest first: servers added A, B, C are picked C, B, A.
TEST(SchedTables, RoundRobinTakesEachServerOnceNewestFirst) {
    EXPECT_EQ(table("rr", {1, 1, 1}), (Table{2, 1, 0}));
    EXPECT_EQ(table("rr", {5, 1}), (Table{1, 0}));  // rr ignores weights above 0
}

// Weight-0 servers keep their place (the XDP program passes over them), so
// quiescing one doesn't move the round.
TEST(SchedTables, RoundRobinKeepsWeightZeroServersInPlace) {
    EXPECT_EQ(table("rr", {1, 0, 2}), (Table{2, 1, 0}));
    EXPECT_EQ(table("rr", {0, 0}), (Table{1, 0}));
}

// Position p continues after old_table[p - 1]; a removed server hands over to
// the one before it, as ip_vs_rr_del_dest steps back.
TEST(SchedTables, RoundRobinPositionCarriesOverTableChanges) {
    const Table old_t{13, 12, 11};
    EXPECT_EQ(carried_rr_position(2, old_t, {13, 11}), 1u);      // picked 13, 12; 12 removed: next 11
    EXPECT_EQ(carried_rr_position(1, old_t, {14, 13, 12, 11}), 2u);  // picked 13; 14 added at the head
    EXPECT_EQ(carried_rr_position(0, old_t, {14, 13, 12, 11}), 0u);  // a full round: the head next
    EXPECT_EQ(carried_rr_position(1, old_t, {12, 11}), 0u);  // 13 removed, nothing before it: wrap
    EXPECT_EQ(carried_rr_position(3, old_t, {}), 0u);
}

TEST(SchedTables, WeightedRoundRobinFollowsIpvs) {
    // Added A, B, C with weights 4,3,2; IPVS's list is C, B, A, and the rounds
    // of its current weight 4, 3, 2, 1 take A | B A | C B A | C B A.
    EXPECT_EQ(table("wrr", {4, 3, 2}), (Table{0, 1, 0, 2, 1, 0, 2, 1, 0}));
    // Common divisors shorten the cycle: 4,2 is 2,1.
    EXPECT_EQ(table("wrr", {4, 2}), (Table{0, 1, 0}));
}

TEST(SchedTables, WeightedRoundRobinExcludesWeightZero) {
    EXPECT_EQ(table("wrr", {2, 0, 1}), (Table{0, 2, 0}));
    EXPECT_TRUE(table("wrr", {0, 0}).empty());
    EXPECT_TRUE(table("wrr", {}).empty());
}

TEST(SchedTables, LongCyclesAreScaledToFitATable) {
    const Table t = table("wrr", {65535, 65534, 1});
    EXPECT_LE(t.size(), size_t{LVS_MAX_TABLE_LEN});
    EXPECT_FALSE(t.empty());
    EXPECT_NE(std::find(t.begin(), t.end(), 2u), t.end());  // weight 1 keeps at least one slot
}

TEST(SchedTables, RegistryHasAllOfIpvssSchedulers) {
    const std::pair<const char*, lvs_sched> all[] = {
        {"rr", LVS_SCHED_RR},     {"wrr", LVS_SCHED_WRR},     {"lc", LVS_SCHED_LC},     {"wlc", LVS_SCHED_WLC},
        {"lblc", LVS_SCHED_LBLC}, {"lblcr", LVS_SCHED_LBLCR}, {"dh", LVS_SCHED_DH},     {"sh", LVS_SCHED_SH},
        {"sed", LVS_SCHED_SED},   {"nq", LVS_SCHED_NQ},       {"fo", LVS_SCHED_FO},     {"ovf", LVS_SCHED_OVF},
        {"mh", LVS_SCHED_MH},     {"twos", LVS_SCHED_TWOS}};
    const std::string unknown = scheduler_error("bogus");
    EXPECT_NE(unknown.find("Scheduler not found: 'bogus'"), std::string::npos) << unknown;
    for (const auto& [name, id] : all) {
        const Scheduler* s = find_scheduler(name);
        ASSERT_NE(s, nullptr) << name;
        EXPECT_EQ(s->name(), name);
        EXPECT_EQ(s->id(), id) << name;
        EXPECT_EQ(find_scheduler(static_cast<uint32_t>(id)), s) << name;
        EXPECT_EQ(scheduler_error(name), "") << name;
        EXPECT_NE(unknown.find(std::string(" ") + name + (id == LVS_SCHED_TWOS ? ")" : ",")), std::string::npos)
            << name << " not listed in: " << unknown;
    }
    EXPECT_EQ(find_scheduler("bogus"), nullptr);
    EXPECT_EQ(find_scheduler(uint32_t{0}), nullptr);
}

TEST(SchedTables, ListSchedulersTakeEveryServerInIpvsListOrder) {
    // IPVS adds a server at the head of its list, so the newest comes first;
    // weight-0 servers stay in the list (the XDP program skips them).
    for (const char* name : {"lc", "wlc", "sed", "nq", "fo", "ovf", "twos", "lblc", "lblcr"}) {
        EXPECT_EQ(table(name, {1, 0, 3, 1}), (Table{3, 2, 1, 0})) << name;
        EXPECT_TRUE(table(name, {}).empty()) << name;
    }
}

TEST(SchedTables, DestinationHashingDealsBucketsRoundTheList) {
    // Weights are ignored; list order is newest first: 2, 1, 0, 2, 1, 0, ...
    const Table t = table("dh", {1, 2, 3});
    ASSERT_EQ(t.size(), size_t{LVS_SH_TAB_SIZE});
    for (uint32_t b = 0; b < t.size(); ++b)
        EXPECT_EQ(t[b], 2 - b % 3) << "bucket " << b;
    EXPECT_EQ(table("dh", {0, 5}), table("dh", {1, 1}));  // weight 0 keeps its buckets
    EXPECT_TRUE(table("dh", {}).empty());
}

TEST(SchedTables, SourceHashingGivesEachServerItsWeightInBuckets) {
    // Config order weights 3, 2, 1: IPVS's list is (w1, w2, w3), the buckets
    // A B B C C C A B B C C C ... with A = index 2, B = 1, C = 0.
    const Table t = table("sh", {3, 2, 1});
    ASSERT_EQ(t.size(), size_t{LVS_SH_TAB_SIZE});
    const Table cycle = {2, 1, 1, 0, 0, 0};
    for (uint32_t b = 0; b < t.size(); ++b)
        EXPECT_EQ(t[b], cycle[b % cycle.size()]) << "bucket " << b;
}

TEST(SchedTables, SourceHashingEdgeCasesFollowIpvsCounting) {
    // A weight-0 server still takes one bucket per round (d_count 1 >= 0).
    const Table quiesced = table("sh", {0, 1});
    for (uint32_t b = 0; b < 4; ++b)
        EXPECT_EQ(quiesced[b], b % 2 ? 0u : 1u) << "bucket " << b;
    // The first server in list order with weight above 256 takes every bucket.
    const Table greedy = table("sh", {1, 300});
    EXPECT_EQ(std::count(greedy.begin(), greedy.end(), 1u), LVS_SH_TAB_SIZE);
    // 255 buckets for the first, the 256th for the second.
    const Table almost = table("sh", {1, 255});
    EXPECT_EQ(almost.back(), 0u);
    EXPECT_EQ(std::count(almost.begin(), almost.end(), 1u), 255);
    EXPECT_TRUE(table("sh", {}).empty());
}

namespace {

constexpr size_t kMhSize = LVS_MH_TAB_SIZE;

// Servers 10.0.0.1:80, 10.0.0.2:80 ... with these (last) weights.
std::vector<Dest> mh_servers(std::initializer_list<uint32_t> weights) {
    std::vector<Dest> dests;
    uint8_t host = 1;
    for (uint32_t w : weights) {
        Dest d;
        d.addr = parse_addr("10.0.0." + std::to_string(host++));
        d.port = 80;
        d.weight = w;
        d.last_weight = w;
        dests.push_back(d);
    }
    return dests;
}

Table mh(const std::vector<Dest>& dests) { return find_scheduler("mh")->table(dests); }

// Entries whose server (compared by address) differs between the two tables.
size_t moved(const Table& a, const std::vector<Dest>& da, const Table& b, const std::vector<Dest>& db) {
    size_t n = 0;
    for (size_t e = 0; e < kMhSize; ++e)
        n += da[a[e]].addr != db[b[e]].addr;
    return n;
}

}  // namespace

TEST(SchedTables, MaglevFillsEveryEntryWithAServer) {
    const auto dests = mh_servers({1, 1, 1});
    const Table t = mh(dests);
    ASSERT_EQ(t.size(), kMhSize);
    for (uint32_t i : t)
        EXPECT_LT(i, dests.size());
    for (uint32_t s = 0; s < dests.size(); ++s)
        EXPECT_NE(std::find(t.begin(), t.end(), s), t.end()) << s;
    EXPECT_TRUE(mh({}).empty());
    EXPECT_TRUE(mh(mh_servers({0, 0})).empty());  // no server ever had a weight
}

TEST(SchedTables, MaglevNewestServerOwnsItsFirstPreference) {
    // The newest server is first in IPVS's list, so it claims the slot its
    // MhKey::Hash1 hash names before anyone else claims anything.
    const auto dests = mh_servers({1, 1, 1, 1});
    const Table t = mh(dests);
    EXPECT_EQ(t[mh_hash(dests[3].addr, 80, 0, MhKey::Hash1) % kMhSize], 3u);
}

TEST(SchedTables, MaglevSharesFollowWeights) {
    const auto dests = mh_servers({1, 2, 3, 4});
    const Table t = mh(dests);
    for (uint32_t s = 0; s < dests.size(); ++s) {
        const double share = double(std::count(t.begin(), t.end(), s)) / kMhSize;
        EXPECT_NEAR(share, (s + 1) / 10.0, 0.02) << "server " << s;
    }
    // Only the ratios count (gcd), and huge weights are shifted down to 6 bits:
    // 65535 >> 10 is 63 turns, and weight 1 keeps one, so it gets 1/64.
    EXPECT_EQ(mh(mh_servers({2, 4, 6, 8})), t);
    const Table huge = mh(mh_servers({65535, 1}));
    EXPECT_NEAR(double(std::count(huge.begin(), huge.end(), 1u)), kMhSize / 64.0, 8);
}

TEST(SchedTables, MaglevQuiescingAServerChangesNothing) {
    auto dests = mh_servers({1, 2, 3, 4});
    const Table before = mh(dests);
    dests[3].weight = 0;  // last_weight stays: the table uses it
    EXPECT_EQ(mh(dests), before);
}

TEST(SchedTables, MaglevAddingAServerMovesAboutItsShare) {
    const auto four = mh_servers({1, 1, 1, 1});
    const auto five = mh_servers({1, 1, 1, 1, 1});
    const Table t4 = mh(four), t5 = mh(five);
    const size_t gained = std::count(t5.begin(), t5.end(), 4u);
    EXPECT_NEAR(double(gained) / kMhSize, 0.2, 0.02);
    EXPECT_LE(moved(t4, four, t5, five), kMhSize * 22 / 100);
}

TEST(SchedTables, MaglevRemovingAServerMovesMostlyItsEntries) {
    const auto five = mh_servers({1, 1, 1, 1, 1});
    auto four = five;
    four.erase(four.begin() + 2);
    const Table t5 = mh(five), t4 = mh(four);
    size_t others_moved = 0;
    for (size_t e = 0; e < kMhSize; ++e)
        others_moved += t5[e] != 2 && five[t5[e]].addr != four[t4[e]].addr;
    EXPECT_LE(others_moved, kMhSize * 3 / 100);
}
