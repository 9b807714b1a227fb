// Where the loader sends a real server's frames: egress_of walks the VLAN
// devices a route names down to the interface lvs-xdp is attached to.
#include <gtest/gtest.h>
#include <linux/if_ether.h>

#include <map>

#include "store/l2.h"

namespace lvs {
namespace {

// Interfaces 2 (the attached one), 5 = 2.100, 6 = 2.10 (an 802.1ad S-VLAN),
// 7 = 6.100 (QinQ), 8 = 7.5 (a third level), 9 = 5.200 (802.1Q inside
// 802.1Q), 10 = an 802.1ad VLAN on its own.
std::optional<VlanLink> fake_vlan_of(int ifindex) {
    static const std::map<int, VlanLink> vlans = {{5, {2, 100, ETH_P_8021Q}}, {6, {2, 10, ETH_P_8021AD}},
                                                  {7, {6, 100, ETH_P_8021Q}}, {8, {7, 5, ETH_P_8021Q}},
                                                  {9, {5, 200, ETH_P_8021Q}}, {10, {2, 30, ETH_P_8021AD}}};
    auto it = vlans.find(ifindex);
    return it == vlans.end() ? std::nullopt : std::optional(it->second);
}

void expect_egress(int oif, Egress want) {
    const Egress got = egress_of(oif, fake_vlan_of);
    EXPECT_EQ(got.ifindex, want.ifindex) << oif;
    EXPECT_EQ(got.vlan_id, want.vlan_id) << oif;
    EXPECT_EQ(got.vlan_outer, want.vlan_outer) << oif;
    EXPECT_EQ(got.unsupported, want.unsupported) << oif;
}

TEST(L2, AServerBehindAVlanDeviceIsReachedThroughTheDeviceBeneathWithItsTags) {
    expect_egress(2, {.ifindex = 2});
    expect_egress(5, {.ifindex = 2, .vlan_id = 100});
    expect_egress(7, {.ifindex = 2, .vlan_id = 100, .vlan_outer = 10});  // QinQ
}

// Stacks the XDP program cannot take apart keep the VLAN device as egress
// (never a port, so their frames go to the kernel) and are flagged.
TEST(L2, StacksTheProgramCannotTakeApartAreLeftToTheKernel) {
    expect_egress(8, {.ifindex = 8, .unsupported = true});   // three levels
    expect_egress(9, {.ifindex = 9, .unsupported = true});   // 802.1Q inside 802.1Q
    expect_egress(10, {.ifindex = 10, .unsupported = true});  // 802.1ad alone
    expect_egress(6, {.ifindex = 6, .unsupported = true});   // the S-VLAN device itself
}

}  // namespace
}  // namespace lvs
