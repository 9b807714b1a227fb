// Every IPVS scheduler on the real XDP object, held to the IPVS reference
// model event by event: new connections, ESTABLISHED, FIN, expiry, weight
// and threshold changes, servers added and removed.
#include "test_sched_fixture.h"

#include <chrono>
#include <thread>

#include "maps/bpf_map.h"

namespace lvs::test {
namespace {

struct Case {
    std::string sched;
    std::string extra;   // ipvsadm options
    uint32_t flags = 0;  // the same for the model
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.sched << (c.extra.empty() ? "" : " " + c.extra); }

class SchedScript : public SchedTest, public ::testing::WithParamInterface<Case> {
protected:
    std::vector<model::Packet> flows;
    uint32_t clients = 0;

    // New connections from new clients, established (if a server took them)
    // or not.
    void connect(int count, bool establish = false) {
        for (int i = 0; i < count; ++i) {
            ++clients;
            model::Packet p = client(clients, uint16_t(1000 + clients));
            syn(p);
            flows.push_back(p);
            if (establish && model().connection(p))
                ack(p);
        }
    }
    // Flows still open on a server that is still configured, optionally only
    // those on rip.
    std::vector<model::Packet> open_on(const std::string& rip = "") {
        std::vector<model::Packet> out;
        for (const auto& p : flows) {
            auto id = model().connection(p);
            if (id && model().server(*id).available && (rip.empty() || model().server(*id).name == rip))
                out.push_back(p);
        }
        return out;
    }
};

TEST_P(SchedScript, PicksAndCountsAsIpvs) {
    service(GetParam().sched, GetParam().extra, {.flags = GetParam().flags});
    add("10.1.0.11", 1);
    add("10.1.0.12", 3);
    add("10.1.0.13", 2);
    connect(6);
    for (const auto& p : open_on())
        ack(p);
    connect(4);
    for (const auto& p : open_on("10.1.0.12"))
        fin(p);

    edit("10.1.0.12", 1);
    connect(4, true);

    // -x 3 -y 1: overloaded at 3 connections, back below 1.
    add("10.1.0.14", 4, 3, 1);
    connect(6, true);
    for (const auto& p : open_on("10.1.0.14")) {
        expire(p);
        connect(1);
    }
    for (const auto& p : open_on("10.1.0.11"))
        expire(p);
    connect(4);

    remove("10.1.0.13");
    connect(4, true);
    edit("10.1.0.12", 0);
    connect(4);
    for (const auto& p : open_on())
        fin(p);
    connect(4);
}

INSTANTIATE_TEST_SUITE_P(
    Sched, SchedScript,
    ::testing::Values(Case{"lc"}, Case{"wlc"}, Case{"sed"}, Case{"nq"}, Case{"fo"}, Case{"ovf"}, Case{"twos"},
                      Case{"lblc"}, Case{"lblcr"}, Case{"dh"}, Case{"sh"},
                      Case{"sh", "-b sh-fallback,sh-port", LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED2}, Case{"mh"},
                      Case{"mh", "-b mh-fallback,mh-port", LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED2}),
    [](const auto& info) { return info.param.sched + (info.param.flags ? "_flags" : ""); });

TEST_F(SchedTest, RoundRobinCountsAsIpvs) {
    service("rr");
    add("10.1.0.11", 1);
    add("10.1.0.12", 5);
    add("10.1.0.13", 1);
    std::vector<std::string> got;
    for (uint32_t n = 1; n <= 6; ++n) {
        got.push_back(syn(client(n, 2000)));
        ack(client(n, 2000));
    }
    EXPECT_EQ(got, (std::vector<std::string>{"10.1.0.13", "10.1.0.12", "10.1.0.11", "10.1.0.13", "10.1.0.12",
                                             "10.1.0.11"}));  // IPVS's list: newest first
    fin(client(2, 2000));
    expire(client(3, 2000));
    syn(client(3, 2000));  // a new connection on the expired entry's flow
}

// ip_vs_rr_schedule() goes on from the server it picked last, whatever
// changed since: a weight change must not make it skip a server.
TEST_F(SchedTest, RoundRobinGoesOnAfterItsLastPickWhenAWeightChanges) {
    service("rr");
    add("10.1.0.11", 1);
    add("10.1.0.12", 1);
    add("10.1.0.13", 1);
    EXPECT_EQ(syn(client(1, 2000)), "10.1.0.13");
    edit("10.1.0.13", 0);
    EXPECT_EQ(syn(client(2, 2000)), "10.1.0.12");  // the next after .13 in the list
    EXPECT_EQ(syn(client(3, 2000)), "10.1.0.11");
}

// ip_vs_rr_del_dest(): the walk goes on after a removed server.
TEST_F(SchedTest, RoundRobinGoesOnAfterARemovedServer) {
    service("rr");
    add("10.1.0.11", 1);
    add("10.1.0.12", 1);
    add("10.1.0.13", 1);
    EXPECT_EQ(syn(client(1, 2000)), "10.1.0.13");
    EXPECT_EQ(syn(client(2, 2000)), "10.1.0.12");
    remove("10.1.0.12");
    EXPECT_EQ(syn(client(3, 2000)), "10.1.0.11");
    EXPECT_EQ(syn(client(4, 2000)), "10.1.0.13");
}

// wrr walks the loader's cycle (current weight 3, 2, 1 over IPVS's list, .12
// first): .11 | .11 | .12 .11. Documented deviation: IPVS restarts its walk
// at the list head after every change of the servers, keeping its current
// weight (ip_vs_wrr_dest_changed), so its first picks after a change can come
// in another order; the shares over a cycle are the same.
TEST_F(SchedTest, WeightedRoundRobinWalksTheLoadersCycle) {
    service("wrr");
    add("10.1.0.11", 3);
    add("10.1.0.12", 1);
    std::vector<std::string> got;
    for (uint32_t n = 1; n <= 8; ++n)
        got.push_back(send(client(n, 3000)));
    const std::vector<std::string> cycle = {"10.1.0.11", "10.1.0.11", "10.1.0.12", "10.1.0.11"};
    std::vector<std::string> want = cycle;
    want.insert(want.end(), cycle.begin(), cycle.end());
    EXPECT_EQ(got, want);
}

TEST_F(SchedTest, WeightedRoundRobinKeepsThreeToOneOverTenThousandFlows) {
    service("wrr");
    add("10.1.0.11", 3);
    add("10.1.0.12", 1);
    std::map<std::string, int> count;
    for (uint32_t n = 0; n < 10000; ++n)
        ++count[send(client(1000 + n / 50, uint16_t(4000 + n % 50)))];
    EXPECT_NEAR(count["10.1.0.11"], 7500, 375);
    EXPECT_NEAR(count["10.1.0.12"], 2500, 125);
}

TEST_F(SchedTest, LeastConnectionSendsNewConnectionsToTheLessBusyServer) {
    service("lc");
    add("10.1.0.11", 1);
    add("10.1.0.12", 1);  // IPVS's list: .12 first
    EXPECT_EQ(syn(client(1, 5000)), "10.1.0.12");
    EXPECT_EQ(syn(client(2, 5000)), "10.1.0.11");
    EXPECT_EQ(syn(client(3, 5000)), "10.1.0.12");  // 1 each: the first in the list
    ack(client(1, 5000));                           // .12: one active (256) and one inactive
    EXPECT_EQ(syn(client(4, 5000)), "10.1.0.11");
    EXPECT_EQ(syn(client(5, 5000)), "10.1.0.11");
    expire(client(1, 5000));
    EXPECT_EQ(syn(client(6, 5000)), "10.1.0.12");  // .12: 1 inactive, .11: 3
}

TEST_F(SchedTest, LblcSticksTheDestinationToItsServerUntilOverloaded) {
    service("lblc");
    add("10.1.0.11", 2);
    add("10.1.0.12", 2);
    for (uint32_t n = 1; n <= 3; ++n) {
        EXPECT_EQ(syn(client(n, 6000)), "10.1.0.12");  // wlc's first pick, then the cache
        ack(client(n, 6000));
    }
    // .12 has 3 active, above its weight 2, while .11 has none (under half of
    // 2): overloaded in lblc's sense, so wlc picks again and the entry moves.
    EXPECT_EQ(syn(client(4, 6000)), "10.1.0.11");
    EXPECT_EQ(syn(client(5, 6000)), "10.1.0.11");
}

// -x 3 -y 1 on the server fo prefers: overloaded at its third connection,
// and back only when fewer than 1 remain (IPVS's bind/unbind rules).
TEST_F(SchedTest, OverloadedServerRestsUntilBelowItsLowerThreshold) {
    service("fo");
    add("10.1.0.11", 10, 3, 1);
    add("10.1.0.12", 1);
    for (uint32_t n = 1; n <= 3; ++n)
        EXPECT_EQ(syn(client(n, 7000)), "10.1.0.11");
    ack(client(1, 7000));
    EXPECT_EQ(syn(client(4, 7000)), "10.1.0.12");
    expire(client(1, 7000));
    expire(client(2, 7000));
    EXPECT_EQ(syn(client(5, 7000)), "10.1.0.12");  // 1 left: not below -y 1
    expire(client(3, 7000));
    EXPECT_EQ(syn(client(6, 7000)), "10.1.0.11");
}

// -x 4 without -y: back below 3/4 of it.
TEST_F(SchedTest, WithoutLowerThresholdOverloadEndsBelowThreeQuartersOfUpper) {
    service("fo");
    add("10.1.0.11", 10, 4);
    add("10.1.0.12", 1);
    for (uint32_t n = 1; n <= 4; ++n)
        EXPECT_EQ(syn(client(n, 7000)), "10.1.0.11");
    EXPECT_EQ(syn(client(5, 7000)), "10.1.0.12");
    expire(client(1, 7000));
    EXPECT_EQ(syn(client(6, 7000)), "10.1.0.12");  // 3 * 4 is not below 4 * 3
    expire(client(2, 7000));
    EXPECT_EQ(syn(client(7, 7000)), "10.1.0.11");
}

// An lblcr set that has not changed for lblcr_expiration sheds its most loaded
// member. The expiration is set to 3 s on both sides and the test waits.
TEST_F(SchedTest, LblcrSetShedsItsMostLoadedMemberWhenUnchanged) {
    ArrayMap<lvs_config> config(director().maps().config);
    lvs_config c = config.get(0);
    c.lblcr_expiration = 3;
    config.put(0, c);
    service("lblcr", "", {.lblcr_expiration = 3});
    add("10.1.0.11", 4);
    add("10.1.0.12", 2);
    uint32_t n = 0;
    auto connect = [&] {
        ++n;
        std::string got = syn(client(n, 8000));
        ack(client(n, 8000));
        return got;
    };
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(connect(), "10.1.0.12");
    EXPECT_EQ(connect(), "10.1.0.11");  // .12 above its weight, .11 under half: the set grows
    std::this_thread::sleep_for(std::chrono::seconds(2));
    now = 2;
    connect();  // in use: the entry stays
    std::this_thread::sleep_for(std::chrono::seconds(2));
    now = 4;
    connect();  // 4 s since the set changed: its most loaded member goes
    connect();
}

}  // namespace
}  // namespace lvs::test
