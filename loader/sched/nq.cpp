// Never queue (ip_vs_nq.c): the first server in list order with no active
// connection is taken at once; when every server has some, the choice is
// sed's (active + 1) / weight. Weight-0 and overloaded servers are skipped. The
// XDP program runs that loop over the table (list_scheduler.h) with
// lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& nq_scheduler() {
    static const ListScheduler s("nq", LVS_SCHED_NQ);
    return s;
}

}  // namespace lvs
