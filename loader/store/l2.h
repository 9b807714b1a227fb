// How the director reaches each real server: the next hop's MAC (asked of the
// kernel's neighbour table, starting ARP where the kernel has no entry yet, so
// users never type a MAC), the egress interface, and for tunnels the outer
// source address and the path MTU.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "lvs_xdp/abi.h"
#include "net/addr.h"
#include "net/netlink.h"

namespace lvs {

// The interface frames for a next hop on oif leave through, and the VLANs
// they must have come in on. A route through a VLAN device (dir0.100, or
// QinQ's dir0.10.100) leaves through the device beneath (the one lvs-xdp is
// attached to) with the VLANs' ids: the XDP program sends such a server only
// frames that came in with those tags, and keeps them (bpf/l2.bpf.h). The
// program takes out one 802.1Q tag, or an 802.1ad tag and an 802.1Q tag
// inside it; a server behind any other stack of VLAN devices keeps the VLAN
// device as its egress (not a port: its frames go to the kernel) and
// unsupported says so.
struct Egress {
    int ifindex = 0;
    uint16_t vlan_id = 0;     // the 802.1Q tag's id; 0 untagged
    uint16_t vlan_outer = 0;  // QinQ: the 802.1ad tag's id; 0 single-tagged or untagged
    bool unsupported = false;
};
Egress egress_of(int oif, const std::function<std::optional<VlanLink>(int)>& vlan_of_iface = vlan_of);

// For every entry: fills mtu and, for tunnels, tun_src (tun_src_override when
// given, else the address the kernel's route prefers) wherever a route exists;
// fills ifindex, dmac and smac and sets LVS_DEST_F_L2_VALID where the next hop
// answers within wait. Entries left without L2 are resolved later by the XDP
// program itself (bpf_fib_lookup) once the kernel has learnt the MAC.
void resolve_l2(const std::vector<lvs_dest*>& dests, const std::optional<Addr>& tun_src_override,
                std::chrono::milliseconds wait = std::chrono::milliseconds(1000));

}  // namespace lvs
