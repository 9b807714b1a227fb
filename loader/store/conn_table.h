// The connection table and the persistence templates as the control plane
// reads them for `-L -c`. Entries whose expiry has passed are left out (the
// sweep, store/sweep.h, removes them; every listing runs it first).
#pragma once

#include <cstdint>
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

struct LiveTemplate {
    lvs_persist_key key;  // client network, service id
    lvs_persist tpl;
    uint32_t expires_in_s;  // seconds left
};

// The live persistence templates: not expired, and still on a configured server.
std::vector<LiveTemplate> live_templates(const Maps& maps);

// The kernel's jiffies now (/proc/timer_list), the XDP program's clock.
uint64_t kernel_jiffies();

// lvs_config's hz, or the 250 the XDP program assumes while it is unknown (0).
uint32_t jiffies_per_second(const lvs_config& c);

}  // namespace lvs
