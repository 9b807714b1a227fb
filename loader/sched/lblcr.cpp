// Locality-based least connection with replication (ip_vs_lblcr.c): each
// destination address maps to a set of servers; the least loaded member is
// used, and when it is overloaded the wlc choice over the whole list (table
// order, list_scheduler.h) joins the set. Sets that have not changed for
// lblcr_expiration lose their most loaded member. The XDP program keeps the
// sets in lvs_lblcr and reads lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& lblcr_scheduler() {
    static const ListScheduler s("lblcr", LVS_SCHED_LBLCR);
    return s;
}

}  // namespace lvs
