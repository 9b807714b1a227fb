// Read-only rtnetlink queries in the test's own network namespace: every
// namespace has lo (index 1) holding 127.0.0.1; nothing is changed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/neighbour.h>

#include "error.h"
#include "net/netlink.h"

namespace lvs {
namespace {

Addr v4(const char* s) {
    Addr a;
    a.family = LVS_AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, s, a.bytes.data()), 1) << s;
    return a;
}

TEST(Netlink, LoopbackByNameAndIndex) {
    int lo = ifindex_of("lo");
    EXPECT_GT(lo, 0);
    EXPECT_EQ(ifname_of(lo), "lo");
    Mac zero{};
    EXPECT_EQ(iface_mac(lo), zero);
    EXPECT_TRUE(has_address(lo, v4("127.0.0.1")));
    EXPECT_FALSE(has_address(lo, v4("127.0.0.2")));  // inside 127/8 but not the address
}

TEST(Netlink, MissingInterfaceIsAUserError) {
    try {
        ifindex_of("lvs-no-such0");
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "no such interface: lvs-no-such0");
    }
    EXPECT_THROW(ifindex_of(""), UserError);
    EXPECT_THROW(ifindex_of("a-name-longer-than-ifnamsiz"), UserError);
    EXPECT_THROW(ifname_of(0x7ffffff0), UserError);
    EXPECT_THROW(iface_mac(-1), UserError);
}

TEST(Netlink, RouteToLocalAddress) {
    auto r = route_to(v4("127.0.0.1"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->oif, ifindex_of("lo"));
    EXPECT_TRUE(r->local);
    EXPECT_FALSE(r->gateway);
}

TEST(Netlink, NeighbourStates) {
    EXPECT_TRUE(neighbour_state_usable(NUD_REACHABLE));
    EXPECT_TRUE(neighbour_state_usable(NUD_STALE));
    EXPECT_TRUE(neighbour_state_usable(NUD_DELAY));
    EXPECT_TRUE(neighbour_state_usable(NUD_PROBE));
    EXPECT_TRUE(neighbour_state_usable(NUD_PERMANENT));
    EXPECT_TRUE(neighbour_state_usable(NUD_NOARP));
    EXPECT_FALSE(neighbour_state_usable(NUD_NONE));
    EXPECT_FALSE(neighbour_state_usable(NUD_INCOMPLETE));
    EXPECT_FALSE(neighbour_state_usable(NUD_FAILED));
}

TEST(Netlink, MacText) {
    EXPECT_EQ(mac_str({0x02, 0x00, 0x0a, 0x4d, 0x00, 0xff}), "02:00:0a:4d:00:ff");
}

}  // namespace
}  // namespace lvs
