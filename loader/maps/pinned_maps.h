// The data plane's maps, opened from their pins. Every command but attach works
// through this: open, read or change, exit.
#pragma once

#include <string>

#include "maps/bpf_map.h"

namespace lvs {

struct Maps {
    MapFd services, dests, sched_table, sched_pos, conns, svc_stats, dest_stats, xdp_stats, ifaces, tx_ports, config, laddrs,
        vip_filter, dest_conns, persist, lblc, lblcr, svc_rates, dest_rates;

    // Throws UserError telling the user to attach first when the maps are not there.
    static Maps open(const std::string& pin_dir);
    static bool exist(const std::string& pin_dir);
};

}  // namespace lvs
