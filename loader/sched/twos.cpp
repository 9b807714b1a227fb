// Weighted random twos choice (ip_vs_twos.c): two servers are drawn at random,
// each with probability proportional to its weight (walking the list and
// subtracting weights from a random number below their sum), and the one with
// the smaller overhead / weight (wlc's overhead) is taken. The XDP program
// draws and compares over the table (list_scheduler.h) with lvs_dest_conns.
#include "sched/list_scheduler.h"

namespace lvs {

const Scheduler& twos_scheduler() {
    static const ListScheduler s("twos", LVS_SCHED_TWOS);
    return s;
}

}  // namespace lvs
