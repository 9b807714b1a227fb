// The connection table as the control plane reads it: for `-L -c`, and for the
// ActiveConn / InActConn columns, counted the way IPVS counts them (a TCP
// connection in ESTABLISHED is active, any other connection inactive). Read on
// demand, so the counts are exact at the moment of the listing; entries whose
// expiry has passed are not counted (the LRU table drops them only when it
// needs the room).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"

namespace lvs {

struct LiveConn {
    lvs_flow_key key;  // client -> virtual service
    lvs_conn conn;
    uint32_t expires_in_s;  // seconds left
};

// The live client entries: not NAT reply entries, not expired, and still on
// a configured server.
std::vector<LiveConn> live_connections(const Maps& maps);

struct ConnCounts {
    uint32_t active = 0;
    uint32_t inactive = 0;
};
// Per destination id.
std::map<uint32_t, ConnCounts> count_connections(const std::vector<LiveConn>& conns);

// The kernel's jiffies now (/proc/timer_list), the XDP program's clock.
uint64_t kernel_jiffies();

}  // namespace lvs
