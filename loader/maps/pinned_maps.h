// The data plane's maps, opened from their pins. Every command but attach works
// through this: open, read or change, exit.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "maps/bpf_map.h"
#include "maps/conn_maps.h"
#include "maps/mapped_array.h"

struct bpf_map;
struct bpf_object;

namespace lvs {

// The pin of one of an opened object's pinned maps, if it exists.
std::optional<MapFd> pin_of(const bpf_map* map);

// Checks every existing pin of an object opened with a pin root against the
// object's own key and value sizes (UserError naming the first that differs:
// MapFd::expect_layout); counts the object's pinned maps there and missing.
struct PinCount {
    size_t pinned = 0, missing = 0;
};
PinCount check_pin_layout(bpf_object* obj);

struct Maps {
    MapFd services, dests, sched_table, sched_pos, conn_slots4, conns6, svc_stats, dest_stats, xdp_stats, ifaces, tx_ports, config, laddrs,
        vip_filter, dest_conns, persist, lblc, lblcr, svc_rates, dest_rates;
    // conn_slots4 mapped into this process, once: mapping the whole table
    // for each lookup would cost about a millisecond (the unmap of a 128 MiB
    // range) where the lookup costs nanoseconds.
    std::shared_ptr<const MappedArray<lvs_conn_slot4>> conn_slots4_mem;

    // Throws UserError telling the user to attach first when the maps are not there.
    static Maps open(const std::string& pin_dir);
    static bool exist(const std::string& pin_dir);
    // Maps of an older lvs-xdp whose layout this one cannot use (open throws).
    static bool old_layout(const std::string& pin_dir);
    // Throws UserError, saying what to do, when old_layout.
    static void refuse_old_layout(const std::string& pin_dir);
    // Throws UserError unless every map pinned in pin_dir has this build's
    // key and value sizes (the embedded object's definitions): open checks
    // them all before anything is read or written.
    static void check_layout(const std::string& pin_dir);

    // The connection table, both families (conn_slots4 and conns6).
    ConnMaps conn_table() const;
};

}  // namespace lvs
