// Weighted least connection (ip_vs_wlc.c), IPVS's default: the server with the
// smallest overhead / weight, overhead being active * 256 + inactive
// connections, compared as overhead1 * weight2 > overhead2 * weight1 so no
// division is needed; weight-0 and overloaded servers are skipped and the first
// of equals in list order wins. The XDP program runs that loop over the table
// (list_scheduler.h) with lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& wlc_scheduler() {
    static const ListScheduler s("wlc", LVS_SCHED_WLC);
    return s;
}

}  // namespace lvs
