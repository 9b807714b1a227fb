#include "attach/attach.h"

#include <linux/if_link.h>
#include <xdp/libxdp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <sstream>
#include <string_view>
#include <vector>

#include "attach/conn_tables.h"
#include "error.h"
#include "maps/counters.h"
#include "maps/pin_dir.h"
#include "maps/pinned_maps.h"
#include "maps/skeleton.h"
#include "net/netlink.h"
#include "store/settings.h"
#include "store/store.h"

namespace lvs {
namespace {

constexpr const char* kProgName = "lvs_xdp_main";

std::string xdp_error(int err) {
    char buf[256];
    libxdp_strerror(err, buf, sizeof(buf));
    return buf;
}

const char* mode_name(int mode) {
    switch (mode) {
    case XDP_MODE_NATIVE: return "native";
    case XDP_MODE_SKB: return "generic";
    case XDP_MODE_HW: return "offload";
    default: return "unknown";
    }
}

// Maps not pinned yet are made by the load: after a first attach killed
// while libbpf made and pinned them one by one, the next attach completes the
// set (no program ran on a partial set, so the maps there are still as made).
void warn_missing_pins(bpf_object* obj, const std::string& pin_dir) {
    const PinCount n = check_pin_layout(obj);
    if (n.pinned && n.missing)
        spdlog::warn("{}: {} of lvs-xdp's {} maps were missing (an earlier attach was interrupted?); made now",
                     pin_dir, n.missing, n.pinned + n.missing);
}

// Opens the embedded object with its maps pinned in pin_dir. The connection
// tables' sizes and hash key are fixed when they are first created; later
// loads take them from the pins. tables: what the load is given.
Skeleton open_object(const AttachOptions& opts, ConnTables& tables) {
    LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = opts.pin_dir.c_str());
    Skeleton skel(lvs_xdp__open_opts(&oo));
    if (!skel)
        throw UserError("cannot open the embedded BPF object: " + std::string(std::strerror(errno)));
    Maps::refuse_old_layout(opts.pin_dir);
    warn_missing_pins(skel->obj, opts.pin_dir);
    // The kernel adds BPF_F_RDONLY_PROG to every devmap it creates, and
    // libbpf 1.1 refuses to reuse a pinned map whose flags differ from the
    // object's (0): every load after the first (a second interface) would
    // fail with EINVAL. Declare the flags the pinned devmap has.
    if (auto tx_ports = pin_of(skel->maps.lvs_tx_ports)) {
        bpf_map_info info{};
        uint32_t len = sizeof(info);
        if (bpf_obj_get_info_by_fd(tx_ports->fd(), &info, &len) == 0)
            bpf_map__set_map_flags(skel->maps.lvs_tx_ports, info.map_flags);
    }
    ConnTablePins pins{.slots4 = pin_of(skel->maps.lvs_conn_slots4),
                       .conns6 = pin_of(skel->maps.lvs_conns6),
                       .config = pin_of(skel->maps.lvs_config)};
    tables = conn_tables_for(pins, opts.conn_table_size, opts.conn6_table_size, opts.pin_dir);
    set_conn_tables(skel.get(), tables);
    return skel;
}

// CONFIG_HZ as libbpf filled it in for the loaded program. libxdp loaded the
// object, not the skeleton, so skel->kconfig is not mapped: ask the map.
unsigned loaded_config_hz(lvs_xdp* skel) {
    size_t size = 0;
    const void* data = bpf_map__initial_value(skel->maps.kconfig, &size);
    if (!data || size < sizeof(unsigned))
        return 0;
    unsigned hz;
    std::memcpy(&hz, data, sizeof(hz));
    return hz;
}

int attach_one(lvs_xdp* skel, int ifindex, const std::string& name, AttachMode mode) {
    DECLARE_LIBXDP_OPTS(xdp_program_opts, po, .obj = skel->obj, .prog_name = kProgName);
    xdp_program* prog = xdp_program__create(&po);
    if (long err = libxdp_get_error(prog))
        throw UserError("cannot prepare the XDP program: " + xdp_error(err));
    auto try_mode = [&](xdp_attach_mode m) { return xdp_program__attach(prog, ifindex, m, 0); };
    int used = mode == AttachMode::Generic ? XDP_MODE_SKB : XDP_MODE_NATIVE;
    int err = try_mode(static_cast<xdp_attach_mode>(used));
    if (err && mode == AttachMode::Auto) {
        spdlog::warn("{}: native XDP attach failed ({}); using generic mode, which is slower", name,
                     xdp_error(err));
        used = XDP_MODE_SKB;
        err = try_mode(XDP_MODE_SKB);
    }
    xdp_program__close(prog);
    if (err)
        throw UserError("cannot attach to " + name + " in " + mode_name(used) + " mode: " + xdp_error(err));
    return used;
}

// Replaces the program attached directly to ifindex (old_fd) with this
// build's, in one netlink request (XDP_FLAGS_REPLACE): no moment without a
// program, so no packet meets the kernel's stack instead. The new program
// reuses the pinned maps, so rules, connections and counters carry over.
void upgrade_one(lvs_xdp* skel, int ifindex, const std::string& name, int old_fd, int mode) {
    if (int err = lvs_xdp__load(skel))
        throw UserError("cannot load the XDP program: " + std::string(std::strerror(-err)));
    const uint32_t flags = XDP_FLAGS_REPLACE | (mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
    LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = old_fd);
    if (int err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.lvs_xdp_main), flags, &xo))
        throw UserError("cannot replace the program on " + name + ": " + std::string(std::strerror(-err)) +
                        " (another program took its place? check with `lvs-xdp status`)");
}

// Our program on ifindex, if any, and the multiprog that holds it.
struct Attached {
    xdp_multiprog* mp = nullptr;
    xdp_program* prog = nullptr;
    ~Attached() {
        if (mp)
            xdp_multiprog__close(mp);
    }
};

void find_attached(int ifindex, Attached& a) {
    a.mp = xdp_multiprog__get_from_ifindex(ifindex);
    if (libxdp_get_error(a.mp)) {
        a.mp = nullptr;
        return;
    }
    if (xdp_multiprog__is_legacy(a.mp)) {
        xdp_program* p = xdp_multiprog__main_prog(a.mp);
        if (p && std::strcmp(xdp_program__name(p), kProgName) == 0)
            a.prog = p;
        return;
    }
    for (xdp_program* p = xdp_multiprog__next_prog(nullptr, a.mp); p; p = xdp_multiprog__next_prog(p, a.mp))
        if (std::strcmp(xdp_program__name(p), kProgName) == 0)
            a.prog = p;
}

// The ids of the maps a loaded program uses.
std::vector<uint32_t> map_ids_of(int prog_fd) {
    std::vector<uint32_t> ids(64);
    bpf_prog_info info{};
    info.nr_map_ids = ids.size();
    info.map_ids = reinterpret_cast<uintptr_t>(ids.data());
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0)
        return {};
    ids.resize(std::min<uint32_t>(info.nr_map_ids, ids.size()));
    return ids;
}

uint32_t map_id_of(const MapFd& map) {
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    return bpf_obj_get_info_by_fd(map.fd(), &info, &len) == 0 ? info.id : 0;
}

// The value of the running program's map whose name ends in suffix (libbpf
// names a section's map "lvs_xdp.rodata", "lvs_xdp.kconfig"), or nothing.
std::vector<uint8_t> running_section(int prog_fd, const char* suffix) {
    for (uint32_t id : map_ids_of(prog_fd)) {
        int fd = bpf_map_get_fd_by_id(id);
        if (fd < 0)
            continue;
        MapFd map(fd, "map #" + std::to_string(id));
        bpf_map_info mi{};
        uint32_t mlen = sizeof(mi);
        if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) != 0 || !std::string_view(mi.name).ends_with(suffix))
            continue;
        std::vector<uint8_t> value(mi.value_size);
        uint32_t zero = 0;
        if (bpf_map_lookup_elem(fd, &zero, value.data()) == 0)
            return value;
    }
    return {};
}

// After the program's attach, what the rest of lvs-xdp reads from the maps:
// the default settings, the connection table's hash key and the kernel's HZ
// as the program was given them, and the interface in lvs_ifaces and the
// devmap.
void register_attached(const Maps& maps, int ifindex, int mode, uint64_t seed, unsigned hz) {
    ensure_default_settings(maps);
    record_conn_seed(maps, seed);
    record_hz(maps, hz);
    lvs_iface info{};
    auto mac = iface_mac(ifindex);
    std::memcpy(info.mac, mac.data(), 6);
    info.mode = mode;
    uint32_t key = ifindex;
    HashMap<uint32_t, lvs_iface>(maps.ifaces).put(key, info);
    HashMap<uint32_t, bpf_devmap_val>(maps.tx_ports).put(key, bpf_devmap_val{.ifindex = key});
}

// An attach killed after the program went on ifindex and before
// register_attached left the program running and the maps not knowing it:
// finish that from the running program's own constants.
void finish_interrupted_attach(const std::string& pin_dir, int ifindex, const std::string& name,
                               const Attached& a) {
    Maps maps = Maps::open(pin_dir);
    if (HashMap<uint32_t, lvs_iface>(maps.ifaces).get(static_cast<uint32_t>(ifindex)))
        return;
    const int prog_fd = xdp_program__fd(a.prog);
    const std::vector<uint32_t> used = map_ids_of(prog_fd);
    if (std::find(used.begin(), used.end(), map_id_of(maps.config)) == used.end())
        return;  // another pin directory's program: not this one's to finish
    const std::vector<uint8_t> rodata = running_section(prog_fd, ".rodata");
    const std::vector<uint8_t> kconfig = running_section(prog_fd, ".kconfig");
    if (rodata.size() < sizeof(lvs_xdp::lvs_xdp__rodata))
        throw UserError(name + ": the lvs-xdp program there is not registered in " + pin_dir +
                        " and its constants can't be read: detach it and attach again");
    uint64_t seed;
    std::memcpy(&seed, rodata.data() + offsetof(lvs_xdp::lvs_xdp__rodata, lvs_conn_seed), sizeof(seed));
    unsigned hz = 0;
    if (kconfig.size() >= sizeof(hz))
        std::memcpy(&hz, kconfig.data(), sizeof(hz));
    register_attached(maps, ifindex, xdp_multiprog__attach_mode(a.mp), seed, hz);
    spdlog::warn("{}: finished an attach that was interrupted after the program went on", name);
}

// --tun-src: stored for the store, which re-resolves the tunnel servers with it.
void set_tun_src(const std::string& pin_dir, const Addr& src) {
    Maps maps = Maps::open(pin_dir);
    ArrayMap<lvs_config> config(maps.config);
    lvs_config c = config.get(0);  // the other settings (timeouts, sysctls) stay
    c.tun_src = src.to_abi();
    config.put(0, c);
    Store store(maps);
    Config cfg = store.load();
    store.commit(cfg, cfg);
}

}  // namespace

void attach(const std::vector<std::string>& ifaces, const AttachOptions& opts) {
    // Validate everything before touching anything.
    if (opts.tun_src && opts.tun_src->is_v6())
        throw UserError("--tun-src: IPv6 tunnels are not available in this version of lvs-xdp");
    std::vector<int> indexes;
    for (const auto& name : ifaces)
        indexes.push_back(ifindex_of(name));
    prepare_pin_dir(opts.pin_dir);
    PinDirLock lock(opts.pin_dir);
    for (size_t i = 0; i < ifaces.size(); ++i) {
        Attached existing;
        find_attached(indexes[i], existing);
        if (existing.prog && opts.upgrade) {
            if (!xdp_multiprog__is_legacy(existing.mp))
                throw UserError(ifaces[i] + ": --upgrade replaces a directly attached program; this one runs "
                                "under libxdp's dispatcher: detach and attach instead");
            ConnTables tables;
            auto skel = open_object(opts, tables);
            const int mode = xdp_multiprog__attach_mode(existing.mp);
            Store(Maps::open(opts.pin_dir)).rewrite_vip_filter();  // before this build's program reads it
            upgrade_one(skel.get(), indexes[i], ifaces[i], xdp_program__fd(existing.prog), mode);
            record_hz(Maps::open(opts.pin_dir), loaded_config_hz(skel.get()));
            spdlog::info("{}: upgraded in place ({} mode)", ifaces[i], mode_name(mode));
            continue;
        }
        if (existing.prog) {
            finish_interrupted_attach(opts.pin_dir, indexes[i], ifaces[i], existing);
            spdlog::info("{}: already attached (attach --upgrade replaces it with this build)", ifaces[i]);
            continue;
        }
        ConnTables tables;
        auto skel = open_object(opts, tables);
        int mode = attach_one(skel.get(), indexes[i], ifaces[i], opts.mode);
        const Maps maps = Maps::open(opts.pin_dir);
        register_attached(maps, indexes[i], mode, tables.seed, loaded_config_hz(skel.get()));
        Store(maps).rewrite_vip_filter();  // a kept configuration of an older build: its NAT servers' bits
        spdlog::info("{}: attached in {} mode", ifaces[i], mode_name(mode));
    }
    if (opts.tun_src)
        set_tun_src(opts.pin_dir, *opts.tun_src);
}

void detach(const std::vector<std::string>& ifaces, const std::string& pin_dir) {
    std::vector<int> indexes;
    for (const auto& name : ifaces)
        indexes.push_back(ifindex_of(name));
    for (size_t i = 0; i < ifaces.size(); ++i) {
        Attached a;
        find_attached(indexes[i], a);
        if (!a.prog)
            throw UserError(ifaces[i] + ": lvs-xdp is not attached there");
        if (int err = xdp_program__detach(a.prog, indexes[i], xdp_multiprog__attach_mode(a.mp), 0))
            throw UserError("cannot detach from " + ifaces[i] + ": " + xdp_error(err));
        if (Maps::exist(pin_dir) && !Maps::old_layout(pin_dir)) {  // old maps: to be removed anyway
            Maps maps = Maps::open(pin_dir);
            uint32_t key = indexes[i];
            HashMap<uint32_t, lvs_iface>(maps.ifaces).erase(key);
            HashMap<uint32_t, bpf_devmap_val>(maps.tx_ports).erase(key);
        }
        spdlog::info("{}: detached", ifaces[i]);
    }
}

std::string status(const std::string& pin_dir) {
    Maps maps = Maps::open(pin_dir);
    std::ostringstream out;
    out << "pin directory: " << pin_dir << "\n";
    out << "connection table: " << maps.conn_slots4.max_entries() << " IPv4 slots, " << maps.conns6.max_entries()
        << " IPv6 entries\n";
    auto ifaces = HashMap<uint32_t, lvs_iface>(maps.ifaces).entries();
    if (ifaces.empty())
        out << "attached to no interface\n";
    for (const auto& [ifindex, info] : ifaces) {
        Attached a;
        find_attached(ifindex, a);
        out << "interface " << ifname_of(ifindex) << ": " << mode_name(info.mode) << " mode, ";
        if (a.prog)
            out << "program id " << xdp_program__id(a.prog) << "\n";
        else
            out << "program missing (re-run lvs-xdp attach)\n";
    }
    lvs_xdp_stats x = xdp_counters(maps);
    out << "frames: " << x.rx << " seen, " << x.pass << " passed to the kernel, " << x.tx << " sent back out, "
        << x.redirect << " redirected\n"
        << "connections: " << x.new_conns << " scheduled (" << x.sched_not_syn
        << " TCP on a packet other than a SYN: their entries were lost), " << x.resched << " rescheduled, "
        << x.conn_evicted
        << " evicted (their slots taken by new flows: the table is full), " << x.conn_store_fail
        << " not stored (their slots busy on other CPUs; scheduled again)\n"
        << "not forwarded: " << x.no_dest << " no server available (dropped), " << x.no_neigh
        << " server MAC unknown (passed), " << x.fullnat_no_port << " no FullNAT port (dropped), " << x.drop_error
        << " rewrite failed (dropped)\n"
        << "tunnels: " << x.pmtu_icmp << " fragmentation-needed sent, " << x.pmtu_pass
        << " too big without DF (passed)\n"
        << "NAT: " << x.icmp_nat << " ICMP errors translated, " << x.nat_reply_restored
        << " reply entries set up again (a full table had evicted them)\n"
        << "ICMP errors about DR/TUN flows: " << x.icmp_fwd << " forwarded to the server, " << x.icmp_bad_mtu
        << " with an MTU below 576 (dropped)\n"
        << "fragments: " << x.frag_first << " first fragments forwarded, " << x.frag_fwd
        << " later fragments followed them, " << x.frag_pass << " later fragments of no forwarded datagram (passed)\n"
        << "removed servers: " << x.nodest_drop << " packets of their connections (dropped)\n";
    return out.str();
}

}  // namespace lvs
