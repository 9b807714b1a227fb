#include "testkit/director.h"

#include <bpf/libbpf.h>
#include <errno.h>  // program_invocation_short_name
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "attach/conn_tables.h"
#include "cli/command.h"
#include "cli/restore.h"
#include "lvs_xdp.skel.h"
#include "maps/counters.h"
#include "store/settings.h"
#include "store/store.h"

namespace lvs::testkit {
namespace {

// The loader resolves real servers' MACs through the kernel's routes and
// neighbours; an empty network namespace makes sure nothing on the host
// answers for the test addresses (or makes a run wait for ARP).
void enter_private_netns() {
    static const bool done = [] {
        if (unshare(CLONE_NEWNET) != 0)
            throw std::runtime_error(std::string("cannot enter a private network namespace (") +
                                     program_invocation_short_name + " must run as root)");
        return true;
    }();
    (void)done;
}

// Entries in a hash map, read in batches (the kernel has no counter for it).
template <class K>
uint64_t count_entries(const MapFd& map, size_t value_size) {
    constexpr uint32_t kBatch = 1 << 16;
    std::vector<K> keys(kBatch);
    std::vector<uint8_t> values(kBatch * value_size);
    uint64_t total = 0;
    uint32_t in_batch = 0, out_batch = 0;  // a hash map's batch position: a bucket index
    for (bool first = true;; first = false) {
        uint32_t count = kBatch;
        int rc = bpf_map_lookup_batch(map.fd(), first ? nullptr : &in_batch, &out_batch, keys.data(),
                                      values.data(), &count, nullptr);
        total += count;
        if (rc != 0) {
            if (errno == ENOENT)
                return total;
            throw std::runtime_error("reading " + map.name() + " failed: " + std::strerror(errno));
        }
        in_batch = out_batch;
    }
}

}  // namespace

lvs_flow_key flow_key(const Bytes& frame) {
    lvs_flow_key k{};
    std::memcpy(&k.src.ip4, &frame.at(kEth + 12), 4);
    std::memcpy(&k.dst.ip4, &frame.at(kEth + 16), 4);
    std::memcpy(&k.sport, &frame.at(kEth + 20), 2);
    std::memcpy(&k.dport, &frame.at(kEth + 22), 2);
    k.proto = frame.at(kEth + 9);
    k.family = LVS_AF_INET;
    return k;
}

void set_next_hop(lvs_dest& d, const Mac& mac, uint32_t egress_ifindex) {
    std::memcpy(d.dmac, mac.data(), 6);
    std::memcpy(d.smac, kDirectorMac.data(), 6);
    d.ifindex = egress_ifindex;
    d.vlan_id = d.vlan_outer = 0;  // the egress's untagged segment
    d.flags |= LVS_DEST_F_L2_VALID;
}

Director::Director(uint32_t conn_table_size) {
    enter_private_netns();
    LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = fs_.dir().c_str());
    skel_ = lvs_xdp__open_opts(&oo);
    const ConnTables tables = new_conn_tables(conn_table_size, std::nullopt);
    if (skel_)
        set_conn_tables(skel_, tables);
    if (!skel_ || lvs_xdp__load(skel_) != 0) {
        lvs_xdp__destroy(skel_);
        throw std::runtime_error("cannot load the lvs_xdp BPF object");
    }
    maps_ = std::make_unique<Maps>(Maps::open(fs_.dir()));
    ensure_default_settings(*maps_);
    record_conn_seed(*maps_, tables.seed);
}

Director::~Director() {
    maps_.reset();
    lvs_xdp__destroy(skel_);
}

void Director::ipvsadm(const std::string& line) {
    Store store(*maps_);
    Config before = store.load();
    Config after = before;
    apply_command(after, parse_ipvsadm(split_command_line(line)));
    store.commit(before, after);
}

void Director::ipvsadm_restore(const std::string& rules) {
    Store store(*maps_);
    Config before = store.load();
    Config after = before;
    std::istringstream in(rules);
    restore_into(after, in);
    store.commit(before, after);
}

std::vector<uint32_t> Director::dest_ids(const std::string& rip) {
    Addr a = parse_addr(rip);
    Config cfg = Store(*maps_).load();
    std::vector<uint32_t> ids;
    for (const auto& svc : cfg.services())
        for (const auto& d : svc.dests)
            if (d.addr == a)
                ids.push_back(d.id);
    if (ids.empty())
        throw std::runtime_error("no real server " + rip);
    return ids;
}

uint32_t Director::dest_id(const std::string& rip) { return dest_ids(rip).front(); }

void Director::set_mac(const std::string& rip, const Mac& mac, uint32_t egress_ifindex) {
    ArrayMap<lvs_dest> dests(maps_->dests);
    for (uint32_t id : dest_ids(rip)) {
        lvs_dest d = dests.get(id);
        set_next_hop(d, mac, egress_ifindex);
        dests.put(id, d);
    }
}

void Director::set_vlans(const std::string& rip, uint16_t vlan_id, uint16_t vlan_outer) {
    ArrayMap<lvs_dest> dests(maps_->dests);
    for (uint32_t id : dest_ids(rip)) {
        lvs_dest d = dests.get(id);
        d.vlan_id = vlan_id;
        d.vlan_outer = vlan_outer;
        dests.put(id, d);
    }
}

void Director::set_tunnel_path(const std::string& rip, const Mac& mac, const std::string& tun_src, uint32_t mtu) {
    ArrayMap<lvs_dest> dests(maps_->dests);
    for (uint32_t id : dest_ids(rip)) {
        lvs_dest d = dests.get(id);
        d.tun_src = parse_addr(tun_src).to_abi();
        d.mtu = mtu;
        dests.put(id, d);
    }
    set_mac(rip, mac);
}

RunResult Director::run(const Bytes& frame) const { return test_run(prog_fd(), frame); }

int Director::prog_fd() const { return bpf_program__fd(skel_->progs.lvs_xdp_main); }

std::optional<lvs_conn> Director::conn(const Bytes& frame) const {
    return maps_->conn_table().get(flow_key(frame));
}

void Director::put_conn(const FrameSpec& s, const lvs_conn& c) const {
    maps_->conn_table().put(flow_key(frame(s)), c);
}

void Director::forget(const Bytes& frame) const { maps_->conn_table().erase(flow_key(frame)); }

uint64_t Director::fill(uint32_t n, const std::function<lvs_flow_key(uint32_t)>& key_of,
                        const std::function<lvs_conn(uint32_t)>& value_of) const {
    const ConnMaps table = maps_->conn_table();
    for (uint32_t i = 0; i < n; ++i) {
        const lvs_flow_key k = key_of(i);
        if (k.family != LVS_AF_INET)
            throw std::runtime_error("Director::fill takes IPv4 flows (lvs_conn_slots4)");
        table.v4().put(lvs_flow_key4_of(&k), value_of(i));  // both groups full: not stored
    }
    return conn_entries();
}

uint64_t Director::conn_entries() const {
    return maps_->conn_table().v4().occupied() + count_entries<lvs_flow_key>(maps_->conns6, sizeof(lvs_conn));
}

uint32_t Director::table_size_for(uint32_t n) {
    uint32_t slots = LVS_MIN_CONN_TABLE_SIZE;
    while (slots < 4ull * n)
        slots *= 2;
    return slots;
}

uint64_t Director::now_jiffies() {
    std::ifstream in("/proc/timer_list");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("jiffies: ", 0) == 0)
            return std::stoull(line.substr(9));
    throw std::runtime_error("no jiffies in /proc/timer_list");
}

unsigned Director::hz() const { return skel_->kconfig->CONFIG_HZ; }

lvs_counters Director::service_counters(const std::string& vip_port, uint8_t proto) {
    Endpoint e = parse_endpoint(vip_port);
    ServiceKey key{.proto = static_cast<Proto>(proto), .addr = e.addr, .port = e.port};
    Config cfg = Store(*maps_).load();
    const Service* svc = cfg.find(key);
    if (!svc)
        throw std::runtime_error("no service " + vip_port);
    return lvs::service_counters(*maps_, svc->id);
}

lvs_counters Director::dest_counters(const std::string& rip) { return lvs::dest_counters(*maps_, dest_id(rip)); }

lvs_xdp_stats Director::xdp_stats() { return xdp_counters(*maps_); }

}  // namespace lvs::testkit
