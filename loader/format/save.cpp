// ipvsadm's save lines (print_service_entry with FMT_RULE): always sorted, the
// scheduler, persistence timeout and weight always written, the netmask only
// when it is not the default, -b when a scheduler flag is set, and thresholds
// never (ipvsadm 1.31 leaves them out).
// FullNAT servers get lvs-xdp's --fullnat after ipvsadm's -m line, so -R (here)
// rebuilds them; ipvsadm itself does not take that option.
#include "format/save.h"

#include "cli/command.h"
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

// ipvsadm's print_tunnel_rule: every tunnel server names its type, GUE its
// port, GUE and GRE their checksum option, so -R rebuilds the same tunnel.
std::string tunnel_options(const Dest& d) {
    if (d.fwd != Fwd::Tunnel)
        return "";
    std::string out = " --tun-type " + std::string(tun_type_name(d.tun_type));
    if (d.tun_type == TunType::Gue)
        out += " --tun-port " + std::to_string(d.tun_port);
    if (d.tun_type != TunType::Ipip)
        out += " " + tun_csum_option(d.tun_csum);
    return out;
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
    // As ipvsadm: any of the bits writes -b, even when none has a name under
    // this scheduler (-s sh -b flag-3 saves a bare "-b ").
    if (svc.flags & (LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED2 | LVS_SVC_F_SCHED3))
        out += " -b " + sched_flags_text(svc);
    out += "\n";
    for (const Dest* d : ordered_dests(svc, true)) {
        out += "-a " + name + " -r " + addrport_text(d->addr, d->port, svc.key.proto, numeric) + " " +
               fwd_switch(d->fwd) + " -w " + std::to_string(d->weight) + tunnel_options(*d) +
               (d->fullnat ? " --fullnat" : "") + "\n";
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
