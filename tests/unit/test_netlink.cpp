// Read-only rtnetlink queries in the test's own network namespace: every
// namespace has lo (index 1) holding 127.0.0.1; nothing is changed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

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

// An RTM_NEWLINK message as the kernel sends it for `ip link add link #lower
// name NAME type KIND` (IFLA_LINK, then IFLA_LINKINFO holding the kind and,
// for a VLAN, IFLA_INFO_DATA with its id and protocol). This kernel has no
// 802.1Q devices (CONFIG_VLAN_8021Q unset), so the parser is fed by hand.
class LinkMessage {
public:
    LinkMessage(int lower, const std::string& kind, uint16_t vlan_id, uint16_t proto) {
        put_header();
        attr_u32(IFLA_LINK, lower);
        size_t info = begin(IFLA_LINKINFO);
        attr(IFLA_INFO_KIND, kind.data(), kind.size());
        if (vlan_id) {
            size_t data = begin(IFLA_INFO_DATA);
            attr(IFLA_VLAN_ID, &vlan_id, sizeof(vlan_id));
            uint16_t be = htons(proto);
            attr(IFLA_VLAN_PROTOCOL, &be, sizeof(be));
            end(data);
        }
        end(info);
        header()->nlmsg_len = buf_.size();
    }
    const nlmsghdr* msg() const { return reinterpret_cast<const nlmsghdr*>(buf_.data()); }

private:
    nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    void put_header() {
        buf_.resize(NLMSG_LENGTH(sizeof(ifinfomsg)));
        header()->nlmsg_type = RTM_NEWLINK;
        reinterpret_cast<ifinfomsg*>(NLMSG_DATA(header()))->ifi_index = 9;
    }
    void attr(uint16_t type, const void* data, size_t len) {
        size_t at = buf_.size();
        buf_.resize(at + RTA_SPACE(len));
        auto* rta = reinterpret_cast<rtattr*>(buf_.data() + at);
        rta->rta_type = type;
        rta->rta_len = RTA_LENGTH(len);
        std::memcpy(RTA_DATA(rta), data, len);
    }
    void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof(v)); }
    size_t begin(uint16_t type) {
        size_t at = buf_.size();
        attr(type, nullptr, 0);
        return at;
    }
    void end(size_t at) { reinterpret_cast<rtattr*>(buf_.data() + at)->rta_len = buf_.size() - at; }
    std::vector<uint8_t> buf_;
};

TEST(Netlink, AVlanDeviceNamesItsLowerDeviceIdAndProtocol) {
    auto v = vlan_of_message(LinkMessage(4, "vlan", 100, ETH_P_8021Q).msg());
    ASSERT_TRUE(v);
    EXPECT_EQ(v->lower, 4);
    EXPECT_EQ(v->id, 100);
    EXPECT_EQ(v->proto, ETH_P_8021Q);
    auto ad = vlan_of_message(LinkMessage(4, "vlan", 10, ETH_P_8021AD).msg());
    ASSERT_TRUE(ad);
    EXPECT_EQ(ad->proto, ETH_P_8021AD);
    // A veth names its peer in IFLA_LINK too: not a VLAN.
    EXPECT_FALSE(vlan_of_message(LinkMessage(4, "veth", 0, 0).msg()));
    EXPECT_FALSE(vlan_of(ifindex_of("lo")));
}

}  // namespace
}  // namespace lvs
