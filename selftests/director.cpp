#include "selftests/director.h"

#include <arpa/inet.h>
#include <sched.h>
#include <time.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "cli/command.h"
#include "cli/restore.h"
#include "lvs_xdp.skel.h"
#include "maps/counters.h"
#include "store/settings.h"
#include "store/store.h"

namespace lvs::test {
namespace {

// The loader resolves real servers' MACs through the kernel's routes and
// neighbours; the selftests give it an empty network namespace so nothing on
// the host answers for the test addresses.
void enter_private_netns() {
    static const bool done = [] {
        if (unshare(CLONE_NEWNET) != 0)
            throw std::runtime_error("unshare(CLONE_NEWNET) failed (selftests must run as root)");
        return true;
    }();
    (void)done;
}

}  // namespace

Director::PinFs::PinFs() {
    enter_private_netns();
    char tmpl[] = "/tmp/lvs-selftest-XXXXXX";
    if (!mkdtemp(tmpl))
        throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    if (mount("bpf", dir.c_str(), "bpf", 0, "mode=0700") != 0) {
        rmdir(dir.c_str());
        throw std::runtime_error("cannot mount bpffs on " + dir + " (selftests must run as root)");
    }
}

Director::PinFs::~PinFs() {
    umount(dir.c_str());
    rmdir(dir.c_str());
}

Director::Director() {
    LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = fs_.dir.c_str());
    skel_ = lvs_xdp__open_opts(&oo);
    if (!skel_ || lvs_xdp__load(skel_) != 0) {
        lvs_xdp__destroy(skel_);
        throw std::runtime_error("cannot load the BPF object");
    }
    maps_ = std::make_unique<Maps>(Maps::open(fs_.dir));
    ensure_default_settings(*maps_);
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
        std::memcpy(d.dmac, mac.data(), 6);
        std::memcpy(d.smac, kDirectorMac.data(), 6);
        d.ifindex = egress_ifindex;
        d.flags |= LVS_DEST_F_L2_VALID;
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

RunResult Director::run(const Bytes& frame) {
    RunResult r{.action = -1, .out = Bytes(frame.size() + 256)};
    xdp_md ctx{};
    ctx.data_end = frame.size();
    ctx.ingress_ifindex = 1;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = r.out.data(),
                .data_size_in = static_cast<uint32_t>(frame.size()),
                .data_size_out = static_cast<uint32_t>(r.out.size()), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
                .repeat = 1);
    if (bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.lvs_xdp_main), &opts) != 0)
        throw std::runtime_error(std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno));
    r.action = opts.retval;
    r.out.resize(opts.data_size_out);
    return r;
}

namespace {

lvs_flow_key flow_key_of(const FrameSpec& s) {
    lvs_flow_key k{};
    k.src = parse_addr(s.saddr).to_abi();
    k.dst = parse_addr(s.daddr).to_abi();
    k.sport = htons(s.sport);
    k.dport = htons(s.dport);
    k.proto = s.proto;
    k.family = LVS_AF_INET;
    return k;
}

}  // namespace

std::optional<lvs_conn> Director::conn(const FrameSpec& s) {
    return HashMap<lvs_flow_key, lvs_conn>(maps_->conns).get(flow_key_of(s));
}

void Director::put_conn(const FrameSpec& s, const lvs_conn& c) {
    HashMap<lvs_flow_key, lvs_conn>(maps_->conns).put(flow_key_of(s), c);
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

}  // namespace lvs::test
