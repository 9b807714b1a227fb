// How the director reaches each real server: the next hop's MAC (asked of the
// kernel's neighbour table, starting ARP where the kernel has no entry yet, so
// users never type a MAC), the egress interface, and for tunnels the outer
// source address and the path MTU.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "lvs_xdp/abi.h"
#include "net/addr.h"

namespace lvs {

// For every entry: fills mtu and, for tunnels, tun_src (tun_src_override when
// given, else the address the kernel's route prefers) wherever a route exists;
// fills ifindex, dmac and smac and sets LVS_DEST_F_L2_VALID where the next hop
// answers within wait. Entries left without L2 are resolved later by the XDP
// program itself (bpf_fib_lookup) once the kernel has learnt the MAC.
void resolve_l2(const std::vector<lvs_dest*>& dests, const std::optional<Addr>& tun_src_override,
                std::chrono::milliseconds wait = std::chrono::milliseconds(1000));

}  // namespace lvs
