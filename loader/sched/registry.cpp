// Scheduler names: the ones lvs-xdp implements, and IPVS's others, which are
// recognised so the error can say "not yet" instead of "unknown".
#include <array>
#include <string>

#include "sched/scheduler.h"

namespace lvs {

const Scheduler& rr_scheduler();
const Scheduler& wrr_scheduler();

namespace {

constexpr std::array<std::string_view, 12> kIpvsOnly = {
    "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"};

const std::array<const Scheduler*, 2>& all_schedulers() {
    static const std::array<const Scheduler*, 2> all = {&rr_scheduler(), &wrr_scheduler()};
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
    for (auto n : kIpvsOnly)
        if (n == name)
            return "Scheduler '" + std::string(name) +
                   "' is not available in this version of lvs-xdp (available: rr, wrr); use -s rr or -s wrr";
    return "Scheduler not found: '" + std::string(name) + "' (available: rr, wrr)";
}

}  // namespace lvs
