// IPVS's list order (scheduler.h): every scheduler that walks svc->destinations
// walks it this way.
#include "sched/scheduler.h"

namespace lvs {

std::vector<uint32_t> ipvs_list_order(const std::vector<Dest>& dests) {
    std::vector<uint32_t> order;
    order.reserve(dests.size());
    for (uint32_t i = static_cast<uint32_t>(dests.size()); i-- > 0;)
        order.push_back(i);
    return order;
}

}  // namespace lvs
