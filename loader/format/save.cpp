// ipvsadm's save lines (print_service_entry with FMT_RULE): always sorted, the
// scheduler, persistence timeout and weight always written, the netmask only
// when it is not the default, and thresholds never (ipvsadm 1.31 leaves them out).
#include "format/save.h"

#include "format/ipvsadm_order.h"
#include "format/names.h"

namespace lvs {
namespace {

const char* fwd_switch(Fwd fwd) {
    switch (fwd) {
    case Fwd::Masq: return "-m";
    case Fwd::Tunnel: return "-i";
    case Fwd::Local:
    case Fwd::Route: return "-g";
    }
    return "-g";
}

std::string service_lines(const Service& svc, bool numeric) {
    const std::string name = std::string(svc.key.proto == Proto::Tcp ? "-t " : "-u ") +
                             addrport_text(svc.key.addr, svc.key.port, svc.key.proto, numeric);
    std::string out = "-A " + name + " -s " + svc.sched;
    if (svc.flags & LVS_SVC_F_PERSISTENT) {
        out += " -p " + std::to_string(svc.timeout);
        if (auto mask = netmask_text(svc); !mask.empty())
            out += " -M " + mask;
    }
    out += "\n";
    for (const Dest* d : ordered_dests(svc, true)) {
        out += "-a " + name + " -r " + addrport_text(d->addr, d->port, svc.key.proto, numeric) + " " +
               fwd_switch(d->fwd) + " -w " + std::to_string(d->weight);
        // ipvsadm names the tunnel type of every tunnel server; ipip is the only one modelled.
        out += d->fwd == Fwd::Tunnel ? " --tun-type ipip\n" : "\n";
    }
    return out;
}

}  // namespace

std::string format_save(const Config& cfg, bool numeric) {
    std::string out;
    for (const Service* svc : ordered_services(cfg, true))
        out += service_lines(*svc, numeric);
    return out;
}

}  // namespace lvs
