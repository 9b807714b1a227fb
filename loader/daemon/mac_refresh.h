// Real servers whose MAC was not known when they were added (the server was
// down, or slow to answer ARP) get it without another lvs-xdp command: each
// daemon pass asks the kernel's neighbour table again (starting ARP, without
// waiting for it) and writes what it learnt into lvs_dests. The XDP program
// learns MACs too (bpf_fib_lookup), but only once the kernel has them, which
// nothing else would make it ask for.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "maps/pinned_maps.h"

namespace lvs {

class MacRefresher {
public:
    explicit MacRefresher(std::string pin_dir) : pin_dir_(std::move(pin_dir)) {}

    // One pass over the servers still without L2; logs each server once when
    // it starts waiting and once when its MAC is found.
    void pass(const Maps& maps);

private:
    std::string pin_dir_;
    std::set<uint32_t> waiting_;  // dest ids already logged as waiting
};

}  // namespace lvs
