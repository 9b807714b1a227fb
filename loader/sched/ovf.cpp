// Weighted overflow (ip_vs_ovf.c): the server with the highest weight whose
// active connections are still below its weight, not overloaded; the first of
// equals in list order wins. The XDP program runs that loop over the table
// (list_scheduler.h) with lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& ovf_scheduler() {
    static const ListScheduler s("ovf", LVS_SCHED_OVF);
    return s;
}

}  // namespace lvs
