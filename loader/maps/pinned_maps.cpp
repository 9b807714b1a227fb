#include "maps/pinned_maps.h"

#include <unistd.h>

#include <filesystem>

namespace lvs {
namespace {

MapFd open_pinned(const std::string& dir, const char* name) {
    std::string path = dir + "/" + name;
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
        if (geteuid() != 0)
            throw UserError("lvs-xdp must run as root to open its BPF maps in " + dir);
        throw UserError("lvs-xdp is not set up in " + dir + " (no map " + name +
                        "): run 'lvs-xdp attach IFACE' first");
    }
    return MapFd(fd, name);
}

}  // namespace

bool Maps::exist(const std::string& pin_dir) {
    return std::filesystem::exists(pin_dir + "/lvs_services");
}

// Before the per-family connection tables there was one, lvs_conns, with
// another key: its pins cannot be reused, and lvs-xdp cannot read them.
bool Maps::old_layout(const std::string& dir) {
    return std::filesystem::exists(dir + "/lvs_conns") && !std::filesystem::exists(dir + "/lvs_conns4");
}

Maps Maps::open(const std::string& dir) {
    if (old_layout(dir))
        throw UserError("the maps in " + dir + " are from an older lvs-xdp (one connection table, lvs_conns) and " +
                        "cannot be reused: save the rules with the old version's -S, run 'lvs-xdp detach' on " +
                        "every attached interface, 'rm -r " + dir + "', then attach again and restore the rules");
    return Maps{
        .services = open_pinned(dir, "lvs_services"),
        .dests = open_pinned(dir, "lvs_dests"),
        .sched_table = open_pinned(dir, "lvs_sched_table"),
        .sched_pos = open_pinned(dir, "lvs_sched_pos"),
        .conns4 = open_pinned(dir, "lvs_conns4"),
        .conns6 = open_pinned(dir, "lvs_conns6"),
        .svc_stats = open_pinned(dir, "lvs_svc_stats"),
        .dest_stats = open_pinned(dir, "lvs_dest_stats"),
        .xdp_stats = open_pinned(dir, "lvs_xdp_stats"),
        .ifaces = open_pinned(dir, "lvs_ifaces"),
        .tx_ports = open_pinned(dir, "lvs_tx_ports"),
        .config = open_pinned(dir, "lvs_config"),
        .laddrs = open_pinned(dir, "lvs_laddrs"),
        .vip_filter = open_pinned(dir, "lvs_vip_filter"),
        .dest_conns = open_pinned(dir, "lvs_dest_conns"),
        .persist = open_pinned(dir, "lvs_persist"),
        .lblc = open_pinned(dir, "lvs_lblc"),
        .lblcr = open_pinned(dir, "lvs_lblcr"),
        .svc_rates = open_pinned(dir, "lvs_svc_rates"),
        .dest_rates = open_pinned(dir, "lvs_dest_rates"),
    };
}

}  // namespace lvs
