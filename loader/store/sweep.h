// The expiry sweep: what kernel IPVS's per-connection timers do, done in
// passes. The XDP program only notices a dead entry when a packet of its flow
// comes back or a new flow takes its slot, so without a sweep an ended
// connection would stay counted in its server's ActiveConn/InActConn (and in
// lc/wlc/... decisions) until then. The sweep removes every client entry
// whose time has passed and takes it out of its server's counters as IPVS's
// ip_vs_unbind_dest does (OVERLOAD included). NAT reply entries are never
// counted and stay: the program reuses their slots once they expire.
//
// Any number of sweeps may run at once (every -L runs one, the daemon runs
// one a second): an entry's slot is claimed with a compare-and-swap (IPv4)
// or removed with BPF_MAP_LOOKUP_AND_DELETE_ELEM (IPv6, templates, caches),
// so exactly one of them gets it and accounts for it.
#pragma once

#include <cstdint>

#include "maps/pinned_maps.h"

namespace lvs {

struct SweepResult {
    uint64_t conns = 0;      // client connection entries
    uint64_t templates = 0;  // persistence templates
    uint64_t lblc = 0;       // lblc cache entries
    uint64_t lblcr = 0;      // lblcr cache entries
    uint64_t abandoned = 0;  // connection slots a killed lvs-xdp left busy, freed

    uint64_t total() const { return conns + templates + lblc + lblcr + abandoned; }
};

// Removes what has expired by the kernel's clock now: connection entries and
// templates past their expiry, lblc/lblcr entries unused for longer than
// lvs_config's lblc_expiration / lblcr_expiration. A removed entry that was
// counted (acct) on a server still in its slot (same gen) is taken out of that
// server's counter; one whose server was removed is just deleted. With
// expire_nodest_conn (LVS_CFG_F_EXPIRE_NODEST) the entries of removed servers
// are removed too, expired or not. Connection slots left busy by a killed
// lvs-xdp are freed (ConnSlots4::free_abandoned); reconcile_counts, run after
// every sweep, corrects what they were counted in.
SweepResult sweep_expired(const Maps& maps);

}  // namespace lvs
