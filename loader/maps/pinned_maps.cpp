#include "maps/pinned_maps.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "maps/skeleton.h"

namespace lvs {
namespace {

MapFd open_pinned(const std::string& dir, const char* name) {
    std::string path = dir + "/" + name;
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
        // Decided by errno, not by the user id: require_root() has already
        // refused a non-root user, but root without CAP_BPF (a container)
        // gets EPERM here, and must not be told to attach.
        const int err = errno;
        if (err == ENOENT)
            throw UserError("lvs-xdp is not set up in " + dir + " (no map " + name +
                            "): run 'lvs-xdp attach IFACE' first");
        if (err == EPERM || err == EACCES)
            throw UserError("cannot open BPF map " + std::string(name) + " in " + dir +
                            ": permission denied (lvs-xdp needs root with CAP_BPF and CAP_SYS_ADMIN)");
        throw UserError("cannot open BPF map " + std::string(name) + " in " + dir + ": " +
                        std::strerror(err));
    }
    return MapFd(fd, name);
}

}  // namespace

std::optional<MapFd> pin_of(const bpf_map* map) {
    const char* path = bpf_map__pin_path(map);
    int fd = path ? bpf_obj_get(path) : -1;
    if (fd < 0)
        return std::nullopt;
    return std::optional<MapFd>(std::in_place, fd, bpf_map__name(map));
}

PinCount check_pin_layout(bpf_object* obj) {
    PinCount n;
    bpf_map* map;
    bpf_object__for_each_map(map, obj) {
        if (!bpf_map__pin_path(map))
            continue;
        if (auto pin = pin_of(map)) {
            pin->expect_layout(bpf_map__key_size(map), bpf_map__value_size(map));
            ++n.pinned;
        } else {
            ++n.missing;
        }
    }
    return n;
}

void Maps::check_layout(const std::string& dir) {
    LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = dir.c_str());
    Skeleton skel(lvs_xdp__open_opts(&oo));
    if (!skel)
        throw UserError("cannot open the embedded BPF object: " + std::string(std::strerror(errno)));
    check_pin_layout(skel->obj);
}

bool Maps::exist(const std::string& pin_dir) {
    return std::filesystem::exists(pin_dir + "/lvs_services");
}

// Before the IPv4 connection table became slots (lvs_conn_slots4) it was an
// LRU hash, lvs_conns4, and before that one table, lvs_conns: such pins
// cannot be reused (other map types and value layouts), nor read.
bool Maps::old_layout(const std::string& dir) {
    auto has = [&](const char* map) { return std::filesystem::exists(dir + "/" + map); };
    return (has("lvs_conns") || has("lvs_conns4")) && !has("lvs_conn_slots4");
}

void Maps::refuse_old_layout(const std::string& dir) {
    if (old_layout(dir))
        throw UserError("the maps in " + dir + " are from an older lvs-xdp (another connection table) and " +
                        "cannot be reused: save the rules with the old version's -S, run 'lvs-xdp detach' on " +
                        "every attached interface, 'rm -r " + dir + "', then attach again and restore the rules");
}

Maps Maps::open(const std::string& dir) {
    refuse_old_layout(dir);
    check_layout(dir);
    Maps m{
        .services = open_pinned(dir, "lvs_services"),
        .dests = open_pinned(dir, "lvs_dests"),
        .sched_table = open_pinned(dir, "lvs_sched_table"),
        .sched_pos = open_pinned(dir, "lvs_sched_pos"),
        .conn_slots4 = open_pinned(dir, "lvs_conn_slots4"),
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
    m.conn_slots4_mem = std::make_shared<const MappedArray<lvs_conn_slot4>>(m.conn_slots4);
    return m;
}

ConnMaps Maps::conn_table() const {
    return ConnMaps(conn_slots4_mem, conns6, ArrayMap<lvs_config>(config).get(0).conn_seed);
}

}  // namespace lvs
