// Shortest expected delay (ip_vs_sed.c): as wlc, but the overhead is active
// connections + 1 (inactive ones are ignored), so with equal loads the
// heavier server is preferred. The XDP program runs that loop over the table
// (list_scheduler.h) with lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& sed_scheduler() {
    static const ListScheduler s("sed", LVS_SCHED_SED);
    return s;
}

}  // namespace lvs
