// A director for the benchmark: the real lvs_xdp object, loaded (not attached)
// with its maps pinned in a private bpffs inside private network and mount
// namespaces, configured through the loader's own code (-R parser, Config,
// Store) as the selftests do, with a connection table of a chosen size.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frames.h"
#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"

struct lvs_xdp;

namespace lvs::bench {

class Director {
public:
    explicit Director(uint32_t conn_table_size);
    ~Director();
    Director(const Director&) = delete;
    Director& operator=(const Director&) = delete;

    // ipvsadm -R input: one command per line, committed at once.
    void configure(const std::string& rules);
    // Gives every real server what the loader would find in a real network:
    // a MAC (mac_of its address), lo as egress (the ingress of the test runs,
    // so frames go back out with XDP_TX) and, for tunnels, kTunSrc and MTU 1500.
    void set_paths();

    int prog_fd() const;
    const Maps& maps() const { return *maps_; }

    // The connection table entry of the frame's flow as the program wrote it.
    Bytes conn_value(const Bytes& frame) const;
    void forget(const Bytes& frame) const;
    // Puts flows 0..n-1 of base (with_flow_index) in the connection table with
    // the given value, spread evenly over the CPUs: the table's LRU lists are
    // per CPU and each holds max_entries / CPUs. Returns the entries now held.
    uint64_t fill(const Bytes& base, uint32_t n, const Bytes& value) const;

    // The connection table size at which fill() can hold n flows.
    static uint32_t table_size_for(uint32_t n);

    static constexpr const char* kTunSrc = "10.1.0.2";

private:
    struct PinFs {
        PinFs();
        ~PinFs();
        std::string dir;
    } fs_;
    lvs_xdp* skel_ = nullptr;
    std::unique_ptr<Maps> maps_;
};

// The flow key the program builds for a frame (TCP over IPv4).
lvs_flow_key flow_key(const Bytes& frame);

}  // namespace lvs::bench
