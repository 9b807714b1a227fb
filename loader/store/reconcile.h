// Makes the per-server connection counters agree with the tables again.
//
// The XDP program and the sweep keep lvs_dest_conns exact for every entry they
// see end. The LRU tables, though, drop entries silently when they need room
// (a full connection table, a SYN flood): such an entry is never taken out of
// its counter, and the count stays too high for good. This pass counts what
// the tables hold (entries still counted, acct != NONE, on a server still in
// its slot) and corrects each server's counter by the difference — but only
// for servers whose counters did not move while the tables were read, so a
// correction never races a connection starting or ending: a busy server is
// corrected on a later, quieter pass.
#pragma once

#include <cstdint>

#include "maps/pinned_maps.h"

namespace lvs {

// Returns how many counters were corrected.
uint64_t reconcile_counts(const Maps& maps);

}  // namespace lvs
