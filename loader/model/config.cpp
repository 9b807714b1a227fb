// Config operations. Each check, its order and its message follow what the IPVS
// kernel code checks and what ipvsadm then prints (libipvs's ipvs_strerror), so
// a script written against ipvsadm sees the same failures here, with the same
// exit status: 255, what ipvsadm returns when the kernel refuses a change.
#include "model/config.h"

#include <algorithm>

#include "error.h"
#include "sched/scheduler.h"

namespace lvs {

namespace {

[[noreturn]] void refuse(const std::string& why) { throw UserError(why, kExitKernel); }

Dest* find_dest(Service& svc, const Addr& addr, uint16_t port) {
    auto it = std::find_if(svc.dests.begin(), svc.dests.end(),
                           [&](const Dest& d) { return d.addr == addr && d.port == port; });
    return it == svc.dests.end() ? nullptr : &*it;
}

// A scheduler lvs-xdp lacks is what IPVS calls a scheduler that is not in the
// kernel: ENOENT, "Scheduler or persistence engine not found", status 255.
void check_scheduler(const std::string& name) {
    if (auto why = scheduler_error(name); !why.empty())
        refuse(why);
}

// IPVS refuses a lower threshold above the upper one, even when the upper one is
// 0 (no limit); ipvsadm then only shows strerror(ERANGE), so say what is wrong.
void check_thresholds(const Dest& d) {
    if (d.l_threshold > d.u_threshold)
        refuse("lower threshold -y " + std::to_string(d.l_threshold) +
                        " is higher than upper threshold -x " + std::to_string(d.u_threshold) +
                        "; give -x at least as large as -y");
}

// IPVS accepts only unicast (or local) real servers.
bool is_unicast(const Addr& a) {
    const auto& b = a.bytes;
    if (a.is_v6())
        return b[0] != 0xff && std::any_of(b.begin(), b.end(), [](uint8_t x) { return x != 0; });
    const bool zeronet = b[0] == 0;
    const bool multicast = (b[0] & 0xf0) == 0xe0;
    const bool broadcast = b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255;
    return !zeronet && !multicast && !broadcast;
}

}  // namespace

Service* Config::find(const ServiceKey& key) {
    auto it = std::find_if(services_.begin(), services_.end(),
                           [&](const Service& s) { return s.key == key; });
    return it == services_.end() ? nullptr : &*it;
}

const Service* Config::find(const ServiceKey& key) const {
    return const_cast<Config*>(this)->find(key);
}

void Config::add_service(const Service& svc) {
    if (find(svc.key))
        refuse("Service already exists");
    check_scheduler(svc.sched);
    services_.push_back(svc);
}

void Config::edit_service(const Service& svc) {
    Service* cur = find(svc.key);
    if (!cur)
        refuse("No such service");
    check_scheduler(svc.sched);
    cur->sched = svc.sched;
    cur->flags = svc.flags;
    cur->timeout = svc.timeout;
    cur->netmask = svc.netmask;
}

void Config::delete_service(const ServiceKey& key) {
    if (!find(key))
        refuse("No such service");
    std::erase_if(services_, [&](const Service& s) { return s.key == key; });
}

void Config::add_dest(const ServiceKey& key, const Dest& dest) {
    Service* svc = find(key);
    if (!svc)
        refuse("Service not defined");
    check_thresholds(dest);
    if (find_dest(*svc, dest.addr, dest.port))
        refuse("Destination already exists");
    if (!is_unicast(dest.addr))
        refuse("Invalid operation: real server address " + dest.addr.str() +
                        " is not a unicast address");
    svc->dests.push_back(dest);
    svc->dests.back().last_weight = dest.weight;
}

void Config::edit_dest(const ServiceKey& key, const Dest& dest) {
    Service* svc = find(key);
    if (!svc)
        refuse("Service not defined");
    check_thresholds(dest);
    Dest* cur = find_dest(*svc, dest.addr, dest.port);
    if (!cur)
        refuse("No such destination");
    const uint32_t id = cur->id;  // the slot stays the same server's
    // IPVS keeps the latest non-zero weight, so quiescing a server (weight 0)
    // leaves mh's table as it was.
    const uint32_t last_weight = dest.weight ? dest.weight : cur->last_weight;
    // ipvsadm sends the whole server on -e, so what the line leaves out (weight,
    // method, tunnel type, port and checksum) goes back to its default.
    *cur = dest;
    cur->id = id;
    cur->last_weight = last_weight;
}

void Config::delete_dest(const ServiceKey& key, const Addr& addr, uint16_t port) {
    Service* svc = find(key);
    if (!svc)
        refuse("Service not defined");
    if (!find_dest(*svc, addr, port))
        refuse("No such destination");
    std::erase_if(svc->dests, [&](const Dest& d) { return d.addr == addr && d.port == port; });
}

std::string proto_name(Proto p) {
    return p == Proto::Tcp ? "TCP" : "UDP";
}

}  // namespace lvs
