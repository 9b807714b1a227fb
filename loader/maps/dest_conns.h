// lvs_dest_conns through shared memory: IPVS's per-server connection counters
// (activeconns, inactconns, persistconns and the OVERLOAD flag), which the XDP
// program changes with atomic adds. The map is mmapable, so the control plane
// reads and changes the very words the data plane changes, with the same
// atomic operations, instead of read-modify-write syscalls that would lose
// the data plane's updates in between.
#pragma once

#include <cstdint>

#include "lvs_xdp/abi.h"
#include "maps/bpf_map.h"
#include "maps/mapped_array.h"

namespace lvs {

// Which counter of a server a connection-table entry or template is counted in.
enum class DestCounter { Active, Inactive, Persist };

struct DestConnCounts {
    uint32_t active = 0;
    uint32_t inactive = 0;
    uint32_t persist = 0;
    bool overload = false;
};

class DestConns {
public:
    // Maps the whole array; throws UserError when the map can't be mapped.
    explicit DestConns(const MapFd& map) : counters_(map) {}

    // The counters of a destination id; a transiently negative count (the
    // data plane's add racing a take-out) reads as 0.
    DestConnCounts read(uint32_t dest_id) const;

    void increment(uint32_t dest_id, DestCounter c);
    void decrement(uint32_t dest_id, DestCounter c);
    void add(uint32_t dest_id, DestCounter c, int32_t delta);
    // The counter as stored, negative values included.
    int32_t raw(uint32_t dest_id, DestCounter c) const;

    // IPVS's ip_vs_unbind_dest: one connection (or template) of the server
    // `dest` ends. Decrements its counter, then clears OVERLOAD when the
    // server is below its thresholds again.
    void unbind(uint32_t dest_id, DestCounter c, const lvs_dest& dest);

    // Ends the server's overload at once (its upper threshold was removed or
    // raised: IPVS's __ip_vs_update_dest).
    void clear_overload(uint32_t dest_id);

private:
    lvs_dest_conns* slot(uint32_t dest_id) const { return &counters_.at(dest_id); }

    MappedArray<lvs_dest_conns> counters_;
};

// IPVS's rule for leaving overload when a connection ends: with a lower
// threshold (-y), below it; else with an upper threshold (-x), below 3/4 of
// it; with neither, always. total is active + inactive connections.
bool leaves_overload(int64_t total, const lvs_dest& dest);

}  // namespace lvs
