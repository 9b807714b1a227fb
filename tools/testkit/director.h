// A director under test: the real compiled lvs_xdp object, loaded (not attached)
// with its maps pinned in a private bpffs inside a private network namespace,
// configured through the real loader code (ipvsadm parser, Config, Store), and
// run with BPF_PROG_TEST_RUN. The selftests and lvs-bench both drive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"
#include "testkit/bpffs.h"
#include "testkit/packet.h"
#include "testkit/test_run.h"

struct lvs_xdp;

namespace lvs::testkit {

class Director {
public:
    // conn_table_size: the IPv4 connection table's slots (lvs_conn_slots4, a
    // power of two; the IPv6 one keeps its default).
    explicit Director(uint32_t conn_table_size = LVS_DEFAULT_CONN_TABLE_SIZE);
    ~Director();
    Director(const Director&) = delete;
    Director& operator=(const Director&) = delete;

    // One ipvsadm command line, e.g. "-A -t 10.1.0.100:80 -s rr".
    void ipvsadm(const std::string& line);
    // ipvsadm -R input: one command per line, committed at once.
    void ipvsadm_restore(const std::string& rules);
    // Gives a real server (in every service it serves) a known MAC on the test interface (lo), as the loader's
    // neighbour lookup would in a real network.
    // egress_ifindex 1 (lo) is the ingress of test runs, so the frame is sent
    // back out (XDP_TX); another index makes the program redirect to it.
    // The server is on the egress's untagged segment, until set_vlans.
    void set_mac(const std::string& rip, const Mac& mac, uint32_t egress_ifindex = 1);
    // Puts a server (whose MAC is set) on a VLAN, as the loader finds it
    // behind a VLAN device: vlan_id the 802.1Q tag's, vlan_outer QinQ's
    // 802.1ad tag's (0: single-tagged).
    void set_vlans(const std::string& rip, uint16_t vlan_id, uint16_t vlan_outer = 0);
    // What the loader finds from the route for a tunnel server: the outer
    // source address and the path MTU, besides the next hop's MAC.
    void set_tunnel_path(const std::string& rip, const Mac& mac, const std::string& tun_src, uint32_t mtu);

    // One run of the program on frame, ingress on lo.
    RunResult run(const Bytes& frame) const;
    int prog_fd() const;

    // The connection-table entry keyed by the frame's 5-tuple, if any.
    std::optional<lvs_conn> conn(const Bytes& frame) const;
    std::optional<lvs_conn> conn(const FrameSpec& s) const { return conn(frame(s)); }
    void put_conn(const FrameSpec& s, const lvs_conn& c) const;
    void forget(const Bytes& frame) const;
    // Puts IPv4 flows key_of(0) .. key_of(n - 1) in the connection table with
    // the entries value_of(0) .. value_of(n - 1); a flow whose two groups are
    // full is left out (the control plane never evicts). Returns the entries
    // now held.
    uint64_t fill(uint32_t n, const std::function<lvs_flow_key(uint32_t)>& key_of,
                  const std::function<lvs_conn(uint32_t)>& value_of) const;
    // A connection table size (slots) at which fill() holds n flows: at a
    // quarter full no flow finds both its groups full (at half full about one
    // in 100,000 does).
    static uint32_t table_size_for(uint32_t n);
    // The entries the connection table holds now.
    uint64_t conn_entries() const;

    // The XDP program's clock: jiffies, and how many make a second.
    static uint64_t now_jiffies();
    unsigned hz() const;

    lvs_counters service_counters(const std::string& vip_port, uint8_t proto = 6);
    lvs_counters dest_counters(const std::string& rip);
    lvs_xdp_stats xdp_stats();
    // The lvs_dests id of rip (in the first service it serves).
    uint32_t dest_id(const std::string& rip);
    const Maps& maps() const { return *maps_; }
    // Where the maps are pinned: lvs-xdp's --pin-dir for this director.
    const std::string& pin_dir() const { return fs_.dir(); }

private:
    BpfFs fs_;
    lvs_xdp* skel_ = nullptr;
    std::unique_ptr<Maps> maps_;
    // The ids of rip's entries, one per service it serves.
    std::vector<uint32_t> dest_ids(const std::string& rip);
};

// What the loader writes into a real server's entry once it knows the next
// hop: its MAC, the director's MAC, and the interface to send through.
void set_next_hop(lvs_dest& d, const Mac& mac, uint32_t egress_ifindex);

// The flow key the program builds for a frame (TCP or UDP over IPv4 without
// options).
lvs_flow_key flow_key(const Bytes& frame);

}  // namespace lvs::testkit
