// The scheduler names: IPVS's 14, each defined in a file of its own.
#include <array>
#include <string>

#include "sched/scheduler.h"

namespace lvs {

const Scheduler& rr_scheduler();
const Scheduler& wrr_scheduler();
const Scheduler& lc_scheduler();
const Scheduler& wlc_scheduler();
const Scheduler& lblc_scheduler();
const Scheduler& lblcr_scheduler();
const Scheduler& dh_scheduler();
const Scheduler& sh_scheduler();
const Scheduler& sed_scheduler();
const Scheduler& nq_scheduler();
const Scheduler& fo_scheduler();
const Scheduler& ovf_scheduler();
const Scheduler& mh_scheduler();
const Scheduler& twos_scheduler();

namespace {

// In IPVS's enum order (abi.h), which is the order the error message lists.
const std::array<const Scheduler*, 14>& all_schedulers() {
    static const std::array<const Scheduler*, 14> all = {
        &rr_scheduler(),  &wrr_scheduler(), &lc_scheduler(),  &wlc_scheduler(), &lblc_scheduler(),
        &lblcr_scheduler(), &dh_scheduler(), &sh_scheduler(),  &sed_scheduler(), &nq_scheduler(),
        &fo_scheduler(),  &ovf_scheduler(), &mh_scheduler(),  &twos_scheduler()};
    return all;
}

}  // namespace

const Scheduler* find_scheduler(std::string_view name) {
    for (const Scheduler* s : all_schedulers())
        if (s->name() == name)
            return s;
    return nullptr;
}

const Scheduler* find_scheduler(uint32_t id) {
    for (const Scheduler* s : all_schedulers())
        if (static_cast<uint32_t>(s->id()) == id)
            return s;
    return nullptr;
}

std::string scheduler_error(std::string_view name) {
    if (find_scheduler(name))
        return "";
    std::string available;
    for (const Scheduler* s : all_schedulers())
        available += (available.empty() ? "" : ", ") + std::string(s->name());
    return "Scheduler not found: '" + std::string(name) + "' (available: " + available + ")";
}

}  // namespace lvs
