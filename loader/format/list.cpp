// -L output. The layouts are ipvsadm's printf formats (print_title and
// print_service_entry in ipvsadm.c, see docs/notes-ipvsadm.md section 1),
// including its quirks: the padding spaces at the end of server lines, IPv4
// service names cut at 33 characters and server names at 28. One word is
// lvs-xdp's own: FullNAT servers (-m --fullnat) forward as "FullNat", DPVS's
// name for them, where IPVS's NAT servers show "Masq".
#include "format/list.h"

#include <cstdarg>
#include <cstdio>
#include <initializer_list>

#include "error.h"
#include "format/ipvsadm_order.h"
#include "format/names.h"

namespace lvs {
namespace {

[[gnu::format(printf, 1, 2)]] std::string printf_string(const char* fmt, ...) {
    va_list args, again;
    va_start(args, fmt);
    va_copy(again, args);
    const int n = std::vsnprintf(nullptr, 0, fmt, args);
    va_end(args);
    std::string s(static_cast<size_t>(n), '\0');
    std::vsnprintf(s.data(), s.size() + 1, fmt, again);
    va_end(again);
    return s;
}

std::string title(const ListOptions& o) {
    if (o.stats)
        return printf_string("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
                             "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes");
    if (o.rate)
        return printf_string("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
                             "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
    if (o.thresholds)
        return printf_string("%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
                             "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn",
                             "InActConn");
    if (o.persistent_conn)
        return printf_string("%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
                             "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn");
    if (o.tun_info)
        return "Prot LocalAddress:Port Scheduler Flags\n"
               "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
    return "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
}

// Counters or rates, each through print_largenum, ending the line.
std::string largenum_columns(std::initializer_list<uint64_t> values, const ListOptions& o) {
    std::string s;
    for (uint64_t v : values)
        s += largenum(v, o.exact);
    return s + "\n";
}

std::string stats_columns(const lvs_counters& c, const ListOptions& o) {
    return largenum_columns({c.conns, c.inpkts, c.outpkts, c.inbytes, c.outbytes}, o);
}

std::string service_line(const Service& svc, const ListData& data, const ListOptions& o) {
    std::string name = proto_name(svc.key.proto);
    name.resize(4, ' ');  // "%-4s %s"
    name += " " + addrport_text(svc.key.addr, svc.key.port, svc.key.proto, o.numeric);
    if (!svc.key.addr.is_v6())
        name = name.substr(0, 33);
    if (o.stats)  // "%-33s" then print_largenum five times
        return printf_string("%-33s", name.c_str()) +
               stats_columns(data.service_stats ? data.service_stats(svc.id) : lvs_counters{}, o);
    if (o.rate) {  // the same shape as --stats
        const lvs_rates r = data.service_rates ? data.service_rates(svc.id) : lvs_rates{};
        return printf_string("%-33s", name.c_str()) +
               largenum_columns({r.cps, r.inpps, r.outpps, r.inbps, r.outbps}, o);
    }
    std::string line = name + " " + svc.sched;
    if (svc.flags & (LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED2 | LVS_SVC_F_SCHED3))
        line += " (" + sched_flags_text(svc) + ")";
    if (svc.flags & LVS_SVC_F_PERSISTENT) {
        line += " persistent " + std::to_string(svc.timeout);
        if (auto mask = netmask_text(svc); !mask.empty())
            line += " mask " + mask;
    }
    return line + "\n";
}

std::string dest_line(const Service& svc, const Dest& d, const ListData& data, const ListOptions& o) {
    std::string name = addrport_text(d.addr, d.port, svc.key.proto, o.numeric);
    if (!d.addr.is_v6())
        name = name.substr(0, 28);
    if (o.stats)  // "  -> %-28s" then print_largenum five times
        return printf_string("  -> %-28s", name.c_str()) +
               stats_columns(data.dest_stats ? data.dest_stats(d.id) : lvs_counters{}, o);
    if (o.rate) {  // ipvsadm prints a server's CPS, InPPS and OutPPS as plain %8llu, never abbreviated
        const lvs_rates r = data.dest_rates ? data.dest_rates(d.id) : lvs_rates{};
        return printf_string("  -> %-28s %8llu %8llu %8llu", name.c_str(), static_cast<unsigned long long>(r.cps),
                             static_cast<unsigned long long>(r.inpps), static_cast<unsigned long long>(r.outpps)) +
               largenum_columns({r.inbps, r.outbps}, o);
    }
    const DestConnCounts c = data.conn_counts ? data.conn_counts(d.id) : DestConnCounts{};
    const int weight = static_cast<int>(d.weight);
    if (o.thresholds)
        return printf_string("  -> %-28s %-10u %-10u %-10u %-10u\n", name.c_str(), d.u_threshold,
                             d.l_threshold, c.active, c.inactive);
    if (o.persistent_conn)  // ipvsadm's %-9u: the weight unsigned here
        return printf_string("  -> %-28s %-9u %-11u %-10u %-10u\n", name.c_str(), d.weight, c.persist, c.active,
                             c.inactive);
    if (o.tun_info)
        return printf_string("  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", name.c_str(), fwd_name(d),
                             tunnel_info(d).c_str(), weight, c.active, c.inactive);
    return printf_string("  -> %-28s %-7s %-6d %-10u %-10u\n", name.c_str(), fwd_name(d), weight,
                         c.active, c.inactive);
}

}  // namespace

std::string largenum(uint64_t n, bool exact) {
    const auto u = static_cast<unsigned long long>(n);
    if (exact) {  // "%*llu": 9 columns up to 8 digits, else the digits + 1
        const int len = std::snprintf(nullptr, 0, "%llu", u);
        return printf_string("%*llu", len <= 8 ? 9 : len + 1, u);
    }
    if (n < 100000000ULL)
        return printf_string("%9llu", u);
    if (n < 1000000000ULL)
        return printf_string("%8lluK", u / 1000ULL);
    if (n < 100000000000ULL)
        return printf_string("%8lluM", u / 1000000ULL);
    if (n < 100000000000000ULL)
        return printf_string("%8lluG", u / 1000000000ULL);
    return printf_string("%8lluT", u / 1000000000000ULL);
}

Timeouts ipvsadm_timeouts(const lvs_config& c) {
    return Timeouts{.tcp = c.tcp_timeout[LVS_TCP_S_ESTABLISHED],
                    .tcpfin = c.tcp_timeout[LVS_TCP_S_FIN_WAIT],
                    .udp = c.udp_timeout};
}

std::vector<const Service*> listed_services(const ListData& data, const ListOptions& o) {
    if (!data.only)
        return ordered_services(*data.cfg, !o.nosort);
    const Service* svc = data.cfg->find(*data.only);
    if (!svc)
        throw UserError("No such service");
    return {svc};
}

std::string format_list(const ListData& data, const ListOptions& o) {
    if (o.timeout)  // ipvsadm's list_timeout: this line alone
        return printf_string("Timeout (tcp tcpfin udp): %d %d %d\n", static_cast<int>(data.timeouts.tcp),
                             static_cast<int>(data.timeouts.tcpfin), static_cast<int>(data.timeouts.udp));
    const std::vector<const Service*> services = listed_services(data, o);
    std::string out;
    if (!data.only)  // list_service prints no version line
        out = "IP Virtual Server version 1.2.1 (size=" + std::to_string(data.conn_table_size) + ")\n";
    out += title(o);
    for (const Service* svc : services) {
        out += service_line(*svc, data, o);
        for (const Dest* d : ordered_dests(*svc, !o.nosort))
            out += dest_line(*svc, *d, data, o);
    }
    return out;
}

}  // namespace lvs
