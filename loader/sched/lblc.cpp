// Locality-based least connection (ip_vs_lblc.c): each destination address is
// cached on one server; the cached server is kept unless it is gone, weight 0,
// or busier than its weight while some server is below half of its own. Else
// the server is chosen as wlc chooses (list order breaks ties) and cached.
// The XDP program keeps the cache in lvs_lblc and runs the wlc loop over the
// table (list_scheduler.h) with lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& lblc_scheduler() {
    static const ListScheduler s("lblc", LVS_SCHED_LBLC);
    return s;
}

}  // namespace lvs
