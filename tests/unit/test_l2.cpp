// Where the loader sends a real server's frames: egress_of walks the VLAN
// devices a route names down to the interface lvs-xdp is attached to.
#include <gtest/gtest.h>
#include <linux/if_ether.h>

#include <map>

#include "store/l2.h"

namespace lvs {
namespace {

// Interfaces 2 (the attached one), 5 = 2.100, 6 = 2.10 (QinQ's S-VLAN), 7 =
// 6.100, 8 = 7.5 (a third level, which the XDP program cannot take apart).
std::optional<VlanLink> fake_vlan_of(int ifindex) {
    static const std::map<int, VlanLink> vlans = {{5, {2, 100, ETH_P_8021Q}},
                                                  {6, {2, 10, ETH_P_8021AD}},
                                                  {7, {6, 100, ETH_P_8021Q}},
                                                  {8, {7, 5, ETH_P_8021Q}}};
    auto it = vlans.find(ifindex);
    return it == vlans.end() ? std::nullopt : std::optional(it->second);
}

TEST(L2, AServerBehindAVlanDeviceIsReachedThroughTheDeviceBeneathWithTheVlansId) {
    auto same = [](Egress a, Egress b) { return a.ifindex == b.ifindex && a.vlan_id == b.vlan_id; };
    EXPECT_TRUE(same(egress_of(2, fake_vlan_of), {2, 0}));
    EXPECT_TRUE(same(egress_of(5, fake_vlan_of), {2, 100}));
    EXPECT_TRUE(same(egress_of(7, fake_vlan_of), {2, 100}));  // QinQ: the inner tag's id
    EXPECT_TRUE(same(egress_of(8, fake_vlan_of), {6, 5}));    // left on a VLAN device: never attached
}

}  // namespace
}  // namespace lvs
