// Least connection (ip_vs_lc.c): IPVS takes the server with the smallest
// overhead, active * 256 + inactive connections, skipping weight-0 and
// overloaded servers; the first of equals in list order wins. The XDP program
// runs that loop over the table (list_scheduler.h) with lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& lc_scheduler() {
    static const ListScheduler s("lc", LVS_SCHED_LC);
    return s;
}

}  // namespace lvs
