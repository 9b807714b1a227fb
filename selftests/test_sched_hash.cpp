// dh, sh and mh on the real XDP object against the IPVS model: the same
// address always reaches the same server, addresses spread over the servers,
// and Maglev moves few clients when a server is added.
#include "test_sched_fixture.h"

#include <set>

namespace lvs::test {
namespace {

const std::vector<std::string> kServers = {"10.1.0.11", "10.1.0.12", "10.1.0.13"};

TEST_F(SchedTest, SourceHashingKeepsEachClientOnOneServer) {
    service("sh");
    for (const auto& rip : kServers)
        add(rip, 1);
    std::set<std::string> used;
    for (uint32_t n = 1; n <= 60; ++n) {
        std::string first = syn(client(n, 1000));
        for (uint16_t port : {1001, 1002})
            EXPECT_EQ(syn(client(n, port)), first) << n;
        used.insert(first);
    }
    EXPECT_EQ(used.size(), kServers.size());
}

TEST_F(SchedTest, DestinationHashingKeepsEachVipOnOneServer) {
    std::set<std::string> used;
    for (int v = 0; v < 12; ++v) {
        std::string vip = "10.1.0." + std::to_string(100 + v) + ":80";
        service("dh", "", {}, vip);
        for (const auto& rip : kServers)
            add(rip, 1, 0, 0, vip);
        std::string first = syn(client(1, 1000, vip));
        for (uint32_t n = 2; n <= 4; ++n)
            EXPECT_EQ(syn(client(n, 1000, vip)), first) << vip;  // whatever the client
        used.insert(first);
    }
    EXPECT_EQ(used.size(), kServers.size());
}

TEST_F(SchedTest, MaglevMovesAboutOneQuarterOfClientsWhenAFourthServerIsAdded) {
    service("mh");
    for (const auto& rip : kServers)
        add(rip, 1);
    std::vector<std::string> before;
    for (uint32_t n = 1; n <= 1000; ++n)
        before.push_back(syn(client(n, 1000)));
    add("10.1.0.14", 1);
    int moved = 0, to_new = 0;
    for (uint32_t n = 1; n <= 1000; ++n) {
        std::string now_on = syn(client(n, 1001));
        moved += now_on != before[n - 1];
        to_new += now_on == "10.1.0.14";
    }
    EXPECT_GT(to_new, 150);
    EXPECT_LE(moved, 300);  // 1/N of 1000 is 250; Maglev's disruption adds a few
}

}  // namespace
}  // namespace lvs::test
