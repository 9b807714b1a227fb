// Real servers' MAC addresses: asked of the kernel's neighbour table (starting
// ARP where the kernel has no entry yet), so users never type a MAC.
#pragma once

#include <chrono>
#include <vector>

#include "lvs_xdp/abi.h"

namespace lvs {

// Fills ifindex, dmac and smac and sets LVS_DEST_F_L2_VALID on every entry whose
// next hop answers within wait. Entries left unresolved are resolved later by
// the XDP program itself (bpf_fib_lookup) once the kernel has learnt the MAC.
void resolve_l2(const std::vector<lvs_dest*>& dests,
                std::chrono::milliseconds wait = std::chrono::milliseconds(1000));

}  // namespace lvs
