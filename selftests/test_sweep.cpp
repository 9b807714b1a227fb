// The expiry sweep on the real object's maps: what it removes, what it takes
// out of lvs_dest_conns (through the mmapped counters, as the XDP program
// would see them), and IPVS's rule for leaving overload.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "lvs_xdp/conn_slots.h"
#include "maps/mapped_array.h"

#include "maps/dest_conns.h"
#include "store/conn_table.h"
#include "store/reconcile.h"
#include "store/store.h"
#include "store/sweep.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

class SweepTest : public ::testing::Test {
protected:
    Director d;
    uint64_t now = Director::now_jiffies();
    uint64_t hz = d.hz();

    void SetUp() override {
        d.ipvsadm("-A -t 10.1.0.100:80 -s rr -p 60");
        d.ipvsadm("-a -t 10.1.0.100:80 -r 10.1.0.11:80 -g");
        d.ipvsadm("-a -t 10.1.0.100:80 -r 10.1.0.12:80 -g -x 8");
        d.ipvsadm("-a -t 10.1.0.100:80 -r 10.1.0.13:80 -g -x 10 -y 3");
    }

    // The lvs_dests entry of a configured server.
    std::pair<uint32_t, lvs_dest> server(const std::string& rip) const {
        const Config cfg = Store(d.maps()).load();  // kept: the loop reads into it
        for (const Service& svc : cfg.services())
            for (const Dest& dest : svc.dests)
                if (dest.addr.str() == rip)
                    return {dest.id, ArrayMap<lvs_dest>(d.maps().dests).get(dest.id)};
        throw std::runtime_error("no server " + rip);
    }
    void set_counters(const std::string& rip, const lvs_dest_conns& c) const {
        ArrayMap<lvs_dest_conns>(d.maps().dest_conns).put(server(rip).first, c);
    }
    DestConnCounts counters(const std::string& rip) const {
        return DestConns(d.maps().dest_conns).read(server(rip).first);
    }
    // A client entry of flow (client port sport) on rip, counted in acct,
    // expiring in_s seconds from now (negative: expired).
    void put_conn(const std::string& rip, uint16_t sport, uint32_t acct, int in_s, uint8_t flags = 0,
                  uint32_t gen_offset = 0) const {
        auto [id, dest] = server(rip);
        FrameSpec s;
        s.sport = sport;
        d.put_conn(s, lvs_conn{.dest_id = id,
                               .dest_gen = dest.gen + gen_offset,
                               .svc_id = dest.svc_id,
                               .state = LVS_TCP_S_FIN_WAIT,
                               .flags = flags,
                               .expires = now + in_s * static_cast<int64_t>(hz),
                               .acct = acct});
    }
    bool has_conn(uint16_t sport) const {
        FrameSpec s;
        s.sport = sport;
        return d.conn(s).has_value();
    }
    // Sweeps with one more expired entry counted inactive on rip.
    DestConnCounts after_one_more_ends(const std::string& rip, uint16_t sport) const {
        put_conn(rip, sport, LVS_ACCT_INACTIVE, -1);
        sweep_expired(d.maps());
        return counters(rip);
    }
};

TEST_F(SweepTest, ExpiredCountedEntryIsRemovedAndTakenOutOfItsCounter) {
    set_counters("10.1.0.11", {.active = 1, .inactive = 2});
    put_conn("10.1.0.11", 1000, LVS_ACCT_INACTIVE, -1);  // ended
    put_conn("10.1.0.11", 1001, LVS_ACCT_INACTIVE, 100);  // live
    put_conn("10.1.0.11", 1002, LVS_ACCT_ACTIVE, 100);    // live

    const SweepResult r = sweep_expired(d.maps());

    EXPECT_EQ(r.conns, 1u);
    EXPECT_FALSE(has_conn(1000));
    EXPECT_TRUE(has_conn(1001));
    EXPECT_TRUE(has_conn(1002));
    const DestConnCounts c = counters("10.1.0.11");
    EXPECT_EQ(c.inactive, 1u);
    EXPECT_EQ(c.active, 1u);
}

TEST_F(SweepTest, OnlyCountedEntriesOfTheSameServerAreTakenOut) {
    set_counters("10.1.0.11", {.active = 1, .inactive = 1});
    put_conn("10.1.0.11", 1000, LVS_ACCT_NONE, -1);        // the XDP program took it out already
    put_conn("10.1.0.11", 1001, LVS_ACCT_INACTIVE, -1, 0, 1);  // its server's slot was reused
    put_conn("10.1.0.11", 1002, LVS_ACCT_ACTIVE, -5, LVS_CONN_F_REPLY);  // NAT reply entry: never counted

    const SweepResult r = sweep_expired(d.maps());

    EXPECT_EQ(r.conns, 2u);
    for (uint16_t sport : {1000, 1001})
        EXPECT_FALSE(has_conn(sport)) << sport;
    // A reply entry stays: the program takes its slot once it expired
    // (test_conn_slots.cpp), and the sweep must not take out a live flow's.
    EXPECT_TRUE(has_conn(1002));
    const DestConnCounts c = counters("10.1.0.11");
    EXPECT_EQ(c.active, 1u);
    EXPECT_EQ(c.inactive, 1u);
}

TEST_F(SweepTest, NothingExpiredNothingChanges) {
    set_counters("10.1.0.11", {.active = 0, .inactive = 1});
    put_conn("10.1.0.11", 1000, LVS_ACCT_INACTIVE, 1);
    EXPECT_EQ(sweep_expired(d.maps()).total(), 0u);
    EXPECT_TRUE(has_conn(1000));
    EXPECT_EQ(counters("10.1.0.11").inactive, 1u);
}

// ip_vs_unbind_dest: with only an upper threshold, overload ends below 3/4 of it.
TEST_F(SweepTest, OverloadEndsBelowThreeQuartersOfTheUpperThreshold) {
    set_counters("10.1.0.12", {.active = 4, .inactive = 3, .flags = LVS_DEST_CONNS_F_OVERLOAD});
    EXPECT_TRUE(after_one_more_ends("10.1.0.12", 1000).overload);  // 6 * 4 == 8 * 3
    const DestConnCounts c = after_one_more_ends("10.1.0.12", 1001);  // 5 * 4 < 8 * 3
    EXPECT_FALSE(c.overload);
    EXPECT_EQ(c.inactive, 1u);
}

// With a lower threshold, overload ends below it (the upper one is not looked at).
TEST_F(SweepTest, OverloadEndsBelowTheLowerThreshold) {
    set_counters("10.1.0.13", {.active = 2, .inactive = 2, .flags = LVS_DEST_CONNS_F_OVERLOAD});
    EXPECT_TRUE(after_one_more_ends("10.1.0.13", 1000).overload);   // 3 == 3
    EXPECT_FALSE(after_one_more_ends("10.1.0.13", 1001).overload);  // 2 < 3
}

// Without thresholds, any connection ending clears it.
TEST_F(SweepTest, OverloadWithoutThresholdsEndsWithAnyConnection) {
    set_counters("10.1.0.11", {.active = 50, .inactive = 50, .flags = LVS_DEST_CONNS_F_OVERLOAD});
    EXPECT_FALSE(after_one_more_ends("10.1.0.11", 1000).overload);
}

TEST_F(SweepTest, ExpiredTemplatesLeavePersistConn) {
    auto [id, dest] = server("10.1.0.11");
    set_counters("10.1.0.11", {.persist = 2});
    HashMap<lvs_persist_key, lvs_persist> templates(d.maps().persist);
    const lvs_persist_key ended{.client = parse_addr("10.1.0.10").to_abi(), .svc_id = dest.svc_id};
    const lvs_persist_key live{.client = parse_addr("10.1.0.20").to_abi(), .svc_id = dest.svc_id};
    templates.put(ended, {.dest_id = id, .dest_gen = dest.gen, .expires = now - 1, .acct = 1});
    templates.put(live, {.dest_id = id, .dest_gen = dest.gen, .expires = now + 60 * hz, .acct = 1});

    EXPECT_EQ(sweep_expired(d.maps()).templates, 1u);

    EXPECT_FALSE(templates.get(ended));
    EXPECT_TRUE(templates.get(live));
    EXPECT_EQ(counters("10.1.0.11").persist, 1u);
}

// -L -c lists the live templates: not expired, server still in its slot.
TEST_F(SweepTest, LiveTemplatesForTheListing) {
    auto [id, dest] = server("10.1.0.11");
    HashMap<lvs_persist_key, lvs_persist> templates(d.maps().persist);
    const auto key = [&](const char* client) {
        return lvs_persist_key{.client = parse_addr(client).to_abi(), .svc_id = dest.svc_id};
    };
    templates.put(key("10.1.0.10"), {.dest_id = id, .dest_gen = dest.gen, .expires = now + 60 * hz, .acct = 1});
    templates.put(key("10.1.0.20"), {.dest_id = id, .dest_gen = dest.gen, .expires = now - 1, .acct = 1});
    templates.put(key("10.1.0.30"), {.dest_id = id, .dest_gen = dest.gen + 1, .expires = now + 60 * hz});

    const std::vector<LiveTemplate> live = live_templates(d.maps());

    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(Addr::from_abi(live[0].key.client, LVS_AF_INET).str(), "10.1.0.10");
    EXPECT_GE(live[0].expires_in_s, 59u);
    EXPECT_LE(live[0].expires_in_s, 60u);
}

// IPVS frees an lblc/lblcr entry unused for lblc(r)_expiration seconds.
TEST_F(SweepTest, UnusedLblcEntriesExpire) {
    ArrayMap<lvs_config> config(d.maps().config);
    lvs_config cfg = config.get(0);
    cfg.hz = static_cast<uint32_t>(hz);
    cfg.lblc_expiration = 60;
    cfg.lblcr_expiration = 120;
    config.put(0, cfg);
    HashMap<lvs_lblc_key, lvs_lblc> lblc(d.maps().lblc);
    HashMap<lvs_lblc_key, lvs_lblcr> lblcr(d.maps().lblcr);
    const lvs_lblc_key old_key{.daddr = parse_addr("192.0.2.1").to_abi()};
    const lvs_lblc_key recent_key{.daddr = parse_addr("192.0.2.2").to_abi()};
    lblc.put(old_key, {.lastuse = now - 61 * hz});
    lblc.put(recent_key, {.lastuse = now - 59 * hz});
    lblcr.put(old_key, {.lastuse = now - 121 * hz});
    lblcr.put(recent_key, {.lastuse = now - 61 * hz});

    const SweepResult r = sweep_expired(d.maps());

    EXPECT_EQ(r.lblc, 1u);
    EXPECT_EQ(r.lblcr, 1u);
    EXPECT_FALSE(lblc.get(old_key));
    EXPECT_TRUE(lblc.get(recent_key));
    EXPECT_FALSE(lblcr.get(old_key));
    EXPECT_TRUE(lblcr.get(recent_key));
}

// Entries the LRU table dropped on its own (here: never written) leave their
// counts behind; reconciling brings the counters back to what the tables hold,
// and ends an overload the phantom connections caused.
TEST_F(SweepTest, ReconcileTakesOutWhatTheTablesNoLongerHold) {
    set_counters("10.1.0.12", {.active = 5, .inactive = 7, .persist = 2, .flags = LVS_DEST_CONNS_F_OVERLOAD});
    put_conn("10.1.0.12", 1000, LVS_ACCT_ACTIVE, 100);
    put_conn("10.1.0.12", 1001, LVS_ACCT_INACTIVE, 100);
    put_conn("10.1.0.12", 1002, LVS_ACCT_NONE, 100);  // not counted: doesn't count

    EXPECT_EQ(reconcile_counts(d.maps()), 3u);  // active, inactive and persist corrected

    const DestConnCounts c = counters("10.1.0.12");
    EXPECT_EQ(c.active, 1u);
    EXPECT_EQ(c.inactive, 1u);
    EXPECT_EQ(c.persist, 0u);
    EXPECT_FALSE(c.overload);  // 2 connections: below 3/4 of -x 8
    EXPECT_EQ(reconcile_counts(d.maps()), 0u);  // agreeing counters stay as they are
}

// Counts too low (an entry the sweep and the XDP program both took out) are
// brought up again the same way.
TEST_F(SweepTest, ReconcileRestoresCountsTooLow) {
    set_counters("10.1.0.11", {.active = -1});
    put_conn("10.1.0.11", 1000, LVS_ACCT_ACTIVE, 100);
    reconcile_counts(d.maps());
    EXPECT_EQ(DestConns(d.maps().dest_conns).raw(server("10.1.0.11").first, DestCounter::Active), 1);
}

// The slot of the flow with client port sport, found by its key.
lvs_conn_slot4& slot_of(uint16_t sport, const MappedArray<lvs_conn_slot4>& slots) {
    FrameSpec s;
    s.sport = sport;
    const lvs_flow_key k = flow_key(frame(s));
    const lvs_flow_key4 k4 = lvs_flow_key4_of(&k);
    for (size_t i = 0; i < slots.size(); ++i)
        if (std::memcmp(&slots.at(i).key, &k4, sizeof(k4)) == 0)
            return slots.at(i);
    throw std::runtime_error("no slot holds the flow");
}

uint64_t& key_word1(lvs_conn_slot4& s) { return reinterpret_cast<uint64_t*>(&s.key)[1]; }

// An lvs-xdp killed between claiming a slot and publishing it leaves the slot
// busy: it matches no flow and no new flow takes it. The sweep frees it (once
// it stayed busy for the patience) and reconcile takes out what it counted.
TEST_F(SweepTest, ASlotAKilledProcessLeftBusyIsFreedAndItsCountCorrected) {
    put_conn("10.1.0.11", 1000, LVS_ACCT_INACTIVE, 100);
    set_counters("10.1.0.11", {.inactive = 1});
    MappedArray<lvs_conn_slot4> slots(d.maps().conn_slots4);
    lvs_conn_slot4& s = slot_of(1000, slots);
    std::atomic_ref<uint64_t>(key_word1(s)).fetch_or(LVS_SLOT_BUSY);  // claimed, never published

    const SweepResult r = sweep_expired(d.maps());
    EXPECT_EQ(r.abandoned, 1u);
    EXPECT_TRUE(lvs_conn_slot_free(&s));
    reconcile_counts(d.maps());
    EXPECT_EQ(counters("10.1.0.11").inactive, 0u);
    EXPECT_EQ(sweep_expired(d.maps()).abandoned, 0u);
}

// A claim that ends within the patience (here a thread publishing after
// 100 ms, as a slow process would) is not mistaken for an abandoned one.
TEST_F(SweepTest, ASlotBusyForLessThanThePatienceIsLeftToItsWriter) {
    put_conn("10.1.0.11", 1000, LVS_ACCT_INACTIVE, 100);
    MappedArray<lvs_conn_slot4> slots(d.maps().conn_slots4);
    lvs_conn_slot4& s = slot_of(1000, slots);
    std::atomic_ref<uint64_t> w1(key_word1(s));
    const uint64_t published = w1.fetch_or(LVS_SLOT_BUSY);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        w1.store(published);
    });
    const SweepResult r = sweep_expired(d.maps());
    writer.join();
    EXPECT_EQ(r.abandoned, 0u);
    EXPECT_TRUE(has_conn(1000));
}

}  // namespace
}  // namespace lvs::test
