// A director under test: the real compiled XDP object, loaded (not attached)
// with its maps pinned in a private bpffs, configured through the real loader
// code (ipvsadm parser, Config, Store), and run with BPF_PROG_TEST_RUN.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"
#include "selftests/packet.h"

struct lvs_xdp;

namespace lvs::test {

struct RunResult {
    int action;  // XDP_PASS, XDP_TX, ...
    Bytes out;
};

inline const Mac kDirectorMac{0x02, 0, 0, 0, 0, 0xd1};

class Director {
public:
    Director();
    ~Director();

    // One ipvsadm command line, e.g. "-A -t 10.1.0.100:80 -s rr".
    void ipvsadm(const std::string& line);
    // Gives a real server (in every service it serves) a known MAC on the test interface (lo), as the loader's
    // neighbour lookup would in a real network.
    // egress_ifindex 1 (lo) is the ingress of test runs, so the frame is sent
    // back out (XDP_TX); another index makes the program redirect to it.
    void set_mac(const std::string& rip, const Mac& mac, uint32_t egress_ifindex = 1);
    // What the loader finds from the route for a tunnel server: the outer
    // source address and the path MTU, besides the next hop's MAC.
    void set_tunnel_path(const std::string& rip, const Mac& mac, const std::string& tun_src, uint32_t mtu);
    // One run of the program on frame (repeat = 1), ingress on lo.
    RunResult run(const Bytes& frame);

    // The connection-table entry keyed by this frame's 5-tuple, if any.
    std::optional<lvs_conn> conn(const FrameSpec& s);
    void put_conn(const FrameSpec& s, const lvs_conn& c);
    // The XDP program's clock: jiffies, and how many make a second.
    static uint64_t now_jiffies();
    unsigned hz() const;

    lvs_counters service_counters(const std::string& vip_port, uint8_t proto = 6);
    lvs_counters dest_counters(const std::string& rip);
    lvs_xdp_stats xdp_stats();
    const Maps& maps() const { return *maps_; }

private:
    // A private bpffs for the pins, unmounted however the director goes
    // (also when its constructor throws).
    struct PinFs {
        std::string dir;
        PinFs();
        ~PinFs();
    } fs_;
    lvs_xdp* skel_ = nullptr;
    std::unique_ptr<Maps> maps_;
    // The ids of rip's entries, one per service it serves.
    std::vector<uint32_t> dest_ids(const std::string& rip);
    uint32_t dest_id(const std::string& rip);
};

}  // namespace lvs::test
