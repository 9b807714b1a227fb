#include "director.h"

#include <bpf/libbpf.h>

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

#include "cli/restore.h"
#include "cpu.h"
#include "lvs_xdp.skel.h"
#include "maps/bpf_map.h"
#include "store/settings.h"
#include "store/store.h"

namespace lvs::bench {
namespace {

// An empty network namespace: the loader asks routes and neighbours for the
// real servers' MACs, and nothing on the host should answer for the bench's
// addresses (or make it wait for ARP). And a private mount namespace, so the
// bpffs mounts vanish with the process even when it is killed.
void enter_private_namespaces() {
    static const bool done = [] {
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            throw std::runtime_error("cannot enter private namespaces (lvs-bench must run as root)");
        return true;
    }();
    (void)done;
}

// Entries in a hash map, read in batches (the kernel has no counter for it).
uint64_t count_entries(int fd, size_t value_size) {
    constexpr uint32_t kBatch = 1 << 16;
    std::vector<lvs_flow_key> keys(kBatch);
    std::vector<uint8_t> values(kBatch * value_size);
    uint64_t total = 0;
    uint32_t in_batch = 0, out_batch = 0;  // a hash map's batch position: a bucket index
    for (bool first = true;; first = false) {
        uint32_t count = kBatch;
        int rc = bpf_map_lookup_batch(fd, first ? nullptr : &in_batch, &out_batch, keys.data(), values.data(),
                                      &count, nullptr);
        total += count;
        if (rc != 0) {
            if (errno == ENOENT)
                return total;
            throw std::runtime_error(std::string("reading lvs_conns failed: ") + std::strerror(errno));
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

Director::PinFs::PinFs() {
    enter_private_namespaces();
    char tmpl[] = "/tmp/lvs-bench-XXXXXX";
    if (!mkdtemp(tmpl))
        throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    if (mount("bpf", dir.c_str(), "bpf", 0, "mode=0700") != 0) {
        rmdir(dir.c_str());
        throw std::runtime_error("cannot mount a bpffs on " + dir + " (lvs-bench must run as root)");
    }
}

Director::PinFs::~PinFs() {
    umount(dir.c_str());
    rmdir(dir.c_str());
}

Director::Director(uint32_t conn_table_size) {
    LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = fs_.dir.c_str());
    skel_ = lvs_xdp__open_opts(&oo);
    if (!skel_ || bpf_map__set_max_entries(skel_->maps.lvs_conns, conn_table_size) != 0 ||
        lvs_xdp__load(skel_) != 0) {
        lvs_xdp__destroy(skel_);
        throw std::runtime_error("cannot load the lvs_xdp BPF object");
    }
    maps_ = std::make_unique<Maps>(Maps::open(fs_.dir));
    ensure_default_settings(*maps_);
}

Director::~Director() {
    maps_.reset();
    lvs_xdp__destroy(skel_);
}

int Director::prog_fd() const { return bpf_program__fd(skel_->progs.lvs_xdp_main); }

void Director::configure(const std::string& rules) {
    Store store(*maps_);
    Config before = store.load();
    Config after = before;
    std::istringstream in(rules);
    restore_into(after, in);
    store.commit(before, after);
}

void Director::set_paths() {
    ArrayMap<lvs_dest> dests(maps_->dests);
    std::vector<lvs_dest> all = dests.all();
    for (lvs_dest& d : all) {
        if (!(d.flags & LVS_DEST_F_IN_USE))
            continue;
        Mac m = mac_of(d.addr.ip4);
        std::memcpy(d.dmac, m.data(), 6);
        std::memcpy(d.smac, kDirectorMac.data(), 6);
        d.ifindex = 1;  // lo
        d.mtu = 1500;
        if (d.fwd == LVS_FWD_TUNNEL)
            d.tun_src.ip4 = ip4(kTunSrc);
        d.flags |= LVS_DEST_F_L2_VALID;
    }
    dests.put_range(0, all);
}

Bytes Director::conn_value(const Bytes& frame) const {
    Bytes v(bpf_map__value_size(skel_->maps.lvs_conns));
    lvs_flow_key k = flow_key(frame);
    if (bpf_map_lookup_elem(maps_->conns.fd(), &k, v.data()) != 0)
        throw std::runtime_error("the flow has no connection entry");
    return v;
}

void Director::forget(const Bytes& frame) const {
    lvs_flow_key k = flow_key(frame);
    bpf_map_delete_elem(maps_->conns.fd(), &k);
}

uint64_t Director::fill(const Bytes& base, uint32_t n, const Bytes& value) const {
    constexpr uint32_t kBatch = 1 << 16;
    std::vector<lvs_flow_key> keys(kBatch);
    std::vector<uint8_t> values(kBatch * value.size());
    for (uint32_t i = 0; i < kBatch; ++i)
        std::memcpy(&values[i * value.size()], value.data(), value.size());
    std::vector<int> cpus = online_cpus();
    uint32_t share = (n + cpus.size() - 1) / cpus.size();
    CpuPin restore_affinity_at_exit;
    for (size_t c = 0; c < cpus.size(); ++c) {
        pin_to_cpu(cpus[c]);  // an insert takes a free entry from its own CPU's list
        uint32_t end = std::min<uint64_t>(n, (c + 1) * uint64_t(share));
        for (uint32_t first = c * share; first < end; first += kBatch) {
            uint32_t count = std::min(kBatch, end - first);
            for (uint32_t i = 0; i < count; ++i)
                keys[i] = flow_key(with_flow_index(base, first + i));
            uint32_t done = count;
            if (bpf_map_update_batch(maps_->conns.fd(), keys.data(), values.data(), &done, nullptr) != 0)
                throw std::runtime_error(std::string("filling lvs_conns failed: ") + std::strerror(errno));
        }
    }
    return count_entries(maps_->conns.fd(), value.size());
}

uint32_t Director::table_size_for(uint32_t n) {
    uint64_t share = (n + online_cpus().size() - 1) / online_cpus().size();
    return share * libbpf_num_possible_cpus();
}

}  // namespace lvs::bench
