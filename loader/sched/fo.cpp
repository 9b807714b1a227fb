// Weighted failover (ip_vs_fo.c): the server with the highest weight that is
// not overloaded; the first of equal weights in list order wins. No connection
// counts are read, but overload (-x/-y) changes with them, so the XDP program
// does the pick over the table (list_scheduler.h).
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& fo_scheduler() {
    static const ListScheduler s("fo", LVS_SCHED_FO);
    return s;
}

}  // namespace lvs
