// The IPVS reference model against examples worked by hand from the kernel's
// scheduler sources: list order (newest first) breaks ties, the exact
// comparisons, and the -x/-y overload hysteresis.
#include <gtest/gtest.h>

#include <set>

#include "ipvs_model.h"
#include "lvs_xdp/sched_hash.h"

using namespace lvs::model;

namespace {

const Packet kClient{.saddr = 0x0a01000a, .sport = 40000, .daddr = 0x0a010064, .dport = 80};

Packet from(uint32_t saddr, uint16_t sport = 40000) {
    Packet p = kClient;
    p.saddr = saddr;
    p.sport = sport;
    return p;
}

// Servers a, b, c added in that order: IPVS's list is c, b, a.
struct Abc {
    Service svc;
    ServerId a, b, c;
    Abc(lvs_sched s, int wa, int wb, int wc, Options o = {})
        : svc(s, o), a(svc.add_server("a", wa)), b(svc.add_server("b", wb)), c(svc.add_server("c", wc)) {}
    std::string pick(Random r = {}) { return name(svc.schedule(kClient, 0, r)); }
    std::string name(ServerId id) const { return id == kNoServer ? "-" : svc.server(id).name; }
    // A dh/sh table with a, b, c in turn.
    void stripe_table() {
        std::vector<ServerId> table;
        for (uint32_t i = 0; i < LVS_SH_TAB_SIZE; ++i)
            table.push_back(i % 3 == 0 ? a : i % 3 == 1 ? b : c);
        svc.set_table(table);
    }
};

}  // namespace

TEST(IpvsModel, NewServersGoToTheHeadOfTheList) {
    Abc t(LVS_SCHED_WLC, 1, 1, 1);
    EXPECT_EQ(t.svc.list(), (std::vector<ServerId>{t.c, t.b, t.a}));
}

TEST(IpvsModel, TiesGoToTheFirstServerInListOrder) {
    for (lvs_sched s : {LVS_SCHED_LC, LVS_SCHED_WLC, LVS_SCHED_SED, LVS_SCHED_NQ, LVS_SCHED_FO, LVS_SCHED_OVF,
                        LVS_SCHED_LBLC, LVS_SCHED_LBLCR}) {
        Abc t(s, 1, 1, 1);
        EXPECT_EQ(t.pick(), "c") << s;
    }
}

TEST(IpvsModel, LcCountsConnectionsAndIgnoresWeightAboveZero) {
    Abc t(LVS_SCHED_LC, 1, 100, 0);
    t.svc.set_conns(t.b, 1, 0);  // 256
    t.svc.set_conns(t.a, 0, 255);
    EXPECT_EQ(t.pick(), "a");  // 255 < 256 whatever the weights; c has weight 0
    t.svc.set_conns(t.a, 0, 256);
    EXPECT_EQ(t.pick(), "b");  // equal: b comes first
}

TEST(IpvsModel, WlcCrossMultipliesOverheadAndWeight) {
    Abc t(LVS_SCHED_WLC, 1, 3, 0);
    t.svc.set_conns(t.a, 1, 0);  // 256 / 1
    t.svc.set_conns(t.b, 2, 0);  // 512 / 3: lower
    EXPECT_EQ(t.pick(), "b");
    t.svc.set_conns(t.b, 3, 0);  // 768 / 3 = 256 / 1: a tie stays with b
    EXPECT_EQ(t.pick(), "b");
    t.svc.set_conns(t.b, 3, 1);
    EXPECT_EQ(t.pick(), "a");
}

TEST(IpvsModel, SedCountsTheNewConnection) {
    Abc t(LVS_SCHED_SED, 3, 1, 0);
    t.svc.set_conns(t.a, 1, 50);  // (1+1)/3, inactive ignored
    EXPECT_EQ(t.pick(), "a");     // b: (0+1)/1 is more
    t.svc.edit_server(t.b, 1);
    Abc w(LVS_SCHED_WLC, 3, 1, 0);
    w.svc.set_conns(w.a, 1, 0);
    EXPECT_EQ(w.pick(), "b");  // wlc: 0 / 1 beats 256 / 3
}

TEST(IpvsModel, NqTakesAnIdleServerFirst) {
    Abc t(LVS_SCHED_NQ, 1, 1, 10);
    t.svc.set_conns(t.c, 1, 0);   // sed would keep c: 2/10 < 1/1
    t.svc.set_conns(t.b, 0, 40);  // idle: no active connection
    EXPECT_EQ(t.pick(), "b");
    t.svc.set_conns(t.b, 1, 0);
    t.svc.set_conns(t.a, 1, 0);
    EXPECT_EQ(t.pick(), "c");  // none idle: sed's order, 2/10 < 2/1
}

TEST(IpvsModel, FoTakesTheHighestWeight) {
    Abc t(LVS_SCHED_FO, 5, 5, 2);
    t.svc.set_conns(t.b, 100, 0);
    EXPECT_EQ(t.pick(), "b");  // first of the equal highest, load ignored
    t.svc.edit_server(t.b, 0);
    EXPECT_EQ(t.pick(), "a");
}

TEST(IpvsModel, OvfSkipsServersWithMoreActiveThanWeight) {
    Abc t(LVS_SCHED_OVF, 2, 5, 0);
    t.svc.set_conns(t.b, 5, 0);
    EXPECT_EQ(t.pick(), "b");  // 5 is not above 5
    t.svc.set_conns(t.b, 6, 0);
    EXPECT_EQ(t.pick(), "a");
    t.svc.set_conns(t.a, 3, 99);
    EXPECT_EQ(t.pick(), "-");
}

TEST(IpvsModel, TwosDrawsByWeightAndKeepsTheLessLoaded) {
    Abc t(LVS_SCHED_TWOS, 1, 1, 1);  // total weight 3: draws are r % 4 walked down c, b, a
    EXPECT_EQ(t.pick({0, 3}), "c");  // both idle: a tie keeps the first draw
    t.svc.set_conns(t.c, 1, 0);
    EXPECT_EQ(t.pick({0, 3}), "a");
    EXPECT_EQ(t.pick({2, 1}), "b");
    EXPECT_EQ(t.pick({5, 4}), "c");  // 5 % 4 = 1 and 4 % 4 = 0: both draw c
}

TEST(IpvsModel, OverloadSetAtUpperThresholdAndClearedBelowLower) {
    Service svc(LVS_SCHED_FO);
    ServerId a = svc.add_server("a", 10, 4, 2);
    ServerId b = svc.add_server("b", 1);
    for (uint16_t port = 1; port <= 4; ++port)
        EXPECT_EQ(svc.connect(from(1, port), 0), a);
    EXPECT_TRUE(svc.server(a).overload);  // 4 connections reach -x 4
    EXPECT_EQ(svc.connect(from(1, 5), 0), b);
    svc.establish(from(1, 1));
    EXPECT_EQ(svc.server(a).active, 1);
    EXPECT_TRUE(svc.server(a).overload);  // state changes leave the flag alone
    svc.expire(from(1, 1));
    svc.expire(from(1, 2));
    EXPECT_TRUE(svc.server(a).overload);  // 2 is not below -y 2
    EXPECT_EQ(svc.connect(from(1, 6), 0), b);
    svc.expire(from(1, 3));
    EXPECT_FALSE(svc.server(a).overload);
    EXPECT_EQ(svc.connect(from(1, 7), 0), a);
}

TEST(IpvsModel, WithoutLowerThresholdOverloadClearsBelowThreeQuartersOfUpper) {
    Service svc(LVS_SCHED_WLC);
    ServerId a = svc.add_server("a", 1, 4);
    for (uint16_t port = 1; port <= 4; ++port)
        svc.connect(from(1, port), 0);
    EXPECT_TRUE(svc.server(a).overload);
    EXPECT_EQ(svc.connect(from(1, 9), 0), kNoServer);
    svc.expire(from(1, 1));
    EXPECT_TRUE(svc.server(a).overload);  // 3*4 is not below 4*3
    svc.expire(from(1, 2));
    EXPECT_FALSE(svc.server(a).overload);
}

TEST(IpvsModel, EditingThresholdsClearsOverloadUnlessLowered) {
    Service svc(LVS_SCHED_WLC);
    ServerId a = svc.add_server("a", 1, 2);
    svc.connect(from(1, 1), 0);
    svc.connect(from(1, 2), 0);
    ASSERT_TRUE(svc.server(a).overload);
    svc.edit_server(a, 1, 1);
    EXPECT_TRUE(svc.server(a).overload);
    svc.edit_server(a, 1, 3);
    EXPECT_FALSE(svc.server(a).overload);
    svc.edit_server(a, 0, 3);
    EXPECT_EQ(svc.server(a).last_weight, 1);
}

TEST(IpvsModel, ConnectionCountersFollowTcpStates) {
    Service svc(LVS_SCHED_WLC);
    ServerId a = svc.add_server("a", 1);
    svc.connect(from(1), 0);
    EXPECT_EQ(svc.server(a).inactive, 1);
    svc.establish(from(1));
    EXPECT_EQ(svc.server(a).active, 1);
    EXPECT_EQ(svc.server(a).inactive, 0);
    svc.close(from(1));
    EXPECT_EQ(svc.server(a).active, 0);
    EXPECT_EQ(svc.server(a).inactive, 1);
    svc.connect(from(1), 0);  // scheduled anew: the old entry is taken out first
    EXPECT_EQ(svc.server(a).inactive, 1);
    svc.expire(from(1));
    EXPECT_EQ(svc.server(a).inactive, 0);
}

TEST(IpvsModel, LblcSticksUntilOverloadedWhileAnotherIsUnderHalf) {
    Abc t(LVS_SCHED_LBLC, 4, 2, 0);  // list: c (weight 0), b, a
    EXPECT_EQ(t.pick(), "b");  // wlc: first with weight
    t.svc.set_conns(t.b, 2, 0);
    EXPECT_EQ(t.pick(), "b");  // not above its weight: stays
    t.svc.set_conns(t.b, 3, 0);
    t.svc.set_conns(t.a, 2, 0);
    EXPECT_EQ(t.pick(), "b");  // above, but nobody is under half its weight (a: 2*2 = 4)
    t.svc.set_conns(t.a, 1, 0);
    EXPECT_EQ(t.pick(), "a");  // overloaded: wlc's pick replaces the entry
    t.svc.set_conns(t.b, 0, 0);
    EXPECT_EQ(t.pick(), "a");
}

TEST(IpvsModel, LblcEntryExpires) {
    Abc t(LVS_SCHED_LBLC, 1, 1, 1, Options{.lblc_expiration = 100});
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 0)), "c");
    t.svc.set_conns(t.c, 1, 0);
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 99)), "c");
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 198)), "c");  // used at 99: still cached
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 298)), "b");  // unused for 100: wlc again
}

TEST(IpvsModel, LblcrSetGrowsWhenOverloadedAndShrinksWhenUnchanged) {
    Abc t(LVS_SCHED_LBLCR, 4, 2, 0, Options{.lblcr_expiration = 100});
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 0)), "b");
    t.svc.set_conns(t.b, 3, 0);
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 10)), "a");  // b overloaded: a joins the set {a, b}
    t.svc.set_conns(t.a, 1, 0);  // set min: a 256/4 < b 768/2
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 20)), "a");
    t.svc.set_conns(t.a, 3, 0);  // a 768/4 < b 768/2 still
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 110)), "a");  // 100 since the set changed: not yet
    t.svc.set_conns(t.a, 1, 0);
    t.svc.set_conns(t.b, 0, 0);
    // Past 100: the most loaded member (a: 256/4 > 0/2) leaves after the pick of b.
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 111)), "b");
    t.svc.set_conns(t.b, 1, 0);
    EXPECT_EQ(t.name(t.svc.schedule(kClient, 112)), "b");  // a is gone: b, though a is less loaded
}

TEST(IpvsModel, ShFallbackSkipsUnusableBuckets) {
    Abc t(LVS_SCHED_SH, 1, 1, 1, Options{.flags = LVS_SVC_F_SCHED1});
    std::vector<ServerId> table;
    for (uint32_t i = 0; i < LVS_SH_TAB_SIZE; ++i)
        table.push_back(i % 2 ? t.b : t.a);
    t.svc.set_table(table);
    std::string first = t.pick();
    EXPECT_EQ(t.pick(), first);  // same address, same server
    ServerId used = t.svc.find(first);
    t.svc.edit_server(used, 0);
    EXPECT_EQ(t.pick(), used == t.a ? "b" : "a");  // fallback: the next usable bucket
    Abc plain(LVS_SCHED_SH, 1, 1, 1);
    plain.svc.set_table(table);
    plain.svc.edit_server(used, 0);
    EXPECT_EQ(plain.pick(), "-");  // without -b sh-fallback: nothing
}

TEST(IpvsModel, ShPortHashesTheSourcePort) {
    Abc t(LVS_SCHED_SH, 1, 1, 1, Options{.flags = LVS_SVC_F_SCHED2});
    t.stripe_table();
    std::set<ServerId> seen;
    for (uint16_t port = 1000; port < 1010; ++port)
        seen.insert(t.svc.schedule(from(kClient.saddr, port), 0));
    EXPECT_GT(seen.size(), 1u);  // one client, several servers: the port is hashed
}

TEST(IpvsModel, DhHashesTheDestinationAddress) {
    Abc t(LVS_SCHED_DH, 1, 1, 1);
    t.stripe_table();
    std::set<ServerId> seen;
    for (uint32_t client = 1; client < 50; ++client)
        seen.insert(t.svc.schedule(from(client), 0));
    EXPECT_EQ(seen.size(), 1u);  // the source does not matter
    // hash_32(0x0a010064, 8) = (0x0a010064 * 0x61c88647 mod 2^32) >> 24 = 126 (10.1.0.100).
    EXPECT_EQ(*seen.begin(), std::vector<ServerId>({t.a, t.b, t.c})[126 % 3]);
}

TEST(IpvsModel, MhLooksUpTheHashAndFallsBack) {
    Abc t(LVS_SCHED_MH, 1, 1, 1, Options{.flags = LVS_SVC_F_SCHED1});
    std::vector<ServerId> table(LVS_MH_TAB_SIZE, t.a);
    table[lvs_mh_hash1(kClient.saddr, 0, 0) % LVS_MH_TAB_SIZE] = t.b;
    t.svc.set_table(table);
    EXPECT_EQ(t.pick(), "b");
    t.svc.edit_server(t.b, 0);
    EXPECT_EQ(t.pick(), "a");
}

TEST(IpvsModel, RoundRobinWalksTheListNewestFirst) {
    Abc t(LVS_SCHED_RR, 1, 0, 1);
    std::string got;
    for (int i = 0; i < 4; ++i)
        got += t.pick();
    EXPECT_EQ(got, "caca");  // b has weight 0
}

TEST(IpvsModel, RoundRobinGoesOnAfterARemovedServer) {
    Abc t(LVS_SCHED_RR, 1, 1, 1);
    std::string got = t.pick();
    got += t.pick();  // c b
    t.svc.remove_server(t.b);
    got += t.pick();
    got += t.pick();
    EXPECT_EQ(got, "cb" "ac");
}

TEST(IpvsModel, WeightedRoundRobinInterleavesByGcd) {
    Abc t(LVS_SCHED_WRR, 4, 3, 2);  // list c (2), b (3), a (4)
    std::string got;
    for (int i = 0; i < 12; ++i)
        got += t.pick();
    // Added one by one: a alone made gcd 4 and mw 1, so cw became 1, and the
    // later additions kept it (ip_vs_wrr_dest_changed). The first round is at
    // cw 1, then the cycle of 9: cw 4: a; 3: b a; 2: c b a; 1: c b a.
    EXPECT_EQ(got, "cba" "abacbacba");
}

TEST(IpvsModel, WeightedRoundRobinStartsAtTheHeadAfterAChange) {
    Abc t(LVS_SCHED_WRR, 4, 3, 2);
    std::string got = t.pick();
    got += t.pick();                         // cw 1: c b
    t.svc.edit_server(t.c, 2);               // no new weight, but IPVS's walk restarts
    for (int i = 0; i < 4; ++i)
        got += t.pick();
    EXPECT_EQ(got, "cb" "cbaa");  // cw 1 kept: c b a, then cw 4: a
}

TEST(IpvsModel, WeightedRoundRobinWalksTheGcdGrid) {
    Abc t(LVS_SCHED_WRR, 4, 2, 0);  // gcd 2: cw runs 3, 1 (from 1, as a alone left it)
    std::string got;
    for (int i = 0; i < 6; ++i)
        got += t.pick();
    EXPECT_EQ(got, "baabaa");
}

TEST(IpvsModel, PersistenceKeepsTheClientNetworkOnItsServer) {
    Options o{.flags = LVS_SVC_F_PERSISTENT, .persist_timeout = 300, .netmask = 24};
    Abc t(LVS_SCHED_RR, 1, 1, 1, o);
    ServerId first = t.svc.connect(from(0x0a01000a, 1000), 0);
    EXPECT_EQ(t.svc.server(first).persist, 1);
    for (uint16_t port = 1001; port < 1010; ++port)
        EXPECT_EQ(t.svc.connect(from(0x0a01000a, port), 10), first);
    EXPECT_EQ(t.svc.connect(from(0x0a0100fe, 1000), 10), first);  // same /24
    EXPECT_NE(t.svc.connect(from(0x0a0101fe, 1000), 10), first);  // another /24: rr moves on
    t.svc.edit_server(first, 0);
    EXPECT_EQ(t.svc.connect(from(0x0a01000a, 2000), 20), first);  // weight 0 keeps its templates
    EXPECT_NE(t.svc.connect(from(0x0a01000a, 2001), 400), first);  // expired (last use at 20)
    EXPECT_EQ(t.svc.server(first).persist, 0);
}

TEST(IpvsModel, PersistenceTemplateOfARemovedServerIsReplaced) {
    Abc t(LVS_SCHED_WLC, 1, 1, 1, Options{.flags = LVS_SVC_F_PERSISTENT, .persist_timeout = 300});
    ServerId first = t.svc.connect(from(7, 1), 0);
    t.svc.remove_server(first);
    ServerId next = t.svc.connect(from(7, 2), 1);
    EXPECT_NE(next, first);
    EXPECT_EQ(t.svc.server(next).persist, 1);
    t.svc.expire_template(7);
    EXPECT_EQ(t.svc.server(next).persist, 0);
}
