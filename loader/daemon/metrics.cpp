#include "daemon/metrics.h"

#include <cstdint>
#include <functional>
#include <sstream>

namespace lvs {
namespace {

struct Family {
    const char* name;
    const char* type;  // "counter" or "gauge"
    const char* help;
};

// Labels hold only addresses, ports and protocol names that lvs-xdp itself
// formats, never a backslash, quote or newline, so they need no escaping.
std::string svc_labels(const ServiceMetrics& s) { return "{service=\"" + s.service + "\"}"; }
std::string dest_labels(const ServiceMetrics& s, const ServerMetrics& d) {
    return "{service=\"" + s.service + "\",server=\"" + d.server + "\"}";
}

class Writer {
public:
    void family(const Family& f) {
        out_ << "# HELP " << f.name << ' ' << f.help << '\n' << "# TYPE " << f.name << ' ' << f.type << '\n';
    }
    void sample(const char* name, const std::string& labels, uint64_t v) { out_ << name << labels << ' ' << v << '\n'; }
    std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
};

// A family with one sample per service.
void per_service(Writer& w, const MetricsSnapshot& snap, const Family& f,
                 const std::function<uint64_t(const ServiceMetrics&)>& value) {
    w.family(f);
    for (const ServiceMetrics& s : snap.services)
        w.sample(f.name, svc_labels(s), value(s));
}

// A family with one sample per server of every service.
void per_server(Writer& w, const MetricsSnapshot& snap, const Family& f,
                const std::function<uint64_t(const ServerMetrics&)>& value) {
    w.family(f);
    for (const ServiceMetrics& s : snap.services)
        for (const ServerMetrics& d : s.servers)
            w.sample(f.name, dest_labels(s, d), value(d));
}

// The five counters and five rates, which services and servers both have.
struct Measure {
    const char* counter;
    const char* rate;
    const char* what;
    __u64 lvs_counters::*total;
    __u64 lvs_rates::*per_second;
};

const Measure kMeasures[] = {
    {"connections_total", "connections_per_second", "connections scheduled", &lvs_counters::conns, &lvs_rates::cps},
    {"in_packets_total", "in_packets_per_second", "packets from clients", &lvs_counters::inpkts, &lvs_rates::inpps},
    {"out_packets_total", "out_packets_per_second", "packets to clients (NAT)", &lvs_counters::outpkts,
     &lvs_rates::outpps},
    {"in_bytes_total", "in_bytes_per_second", "bytes from clients", &lvs_counters::inbytes, &lvs_rates::inbps},
    {"out_bytes_total", "out_bytes_per_second", "bytes to clients (NAT)", &lvs_counters::outbytes,
     &lvs_rates::outbps},
};

void measures(Writer& w, const MetricsSnapshot& snap, const std::string& prefix, bool servers) {
    for (const Measure& m : kMeasures) {
        const std::string counter = prefix + m.counter, rate = prefix + m.rate;
        const std::string counter_help = std::string(m.what) + ", in total";
        const std::string rate_help = std::string(m.what) + " per second (IPVS's 2-second estimator)";
        const Family fc{counter.c_str(), "counter", counter_help.c_str()};
        const Family fr{rate.c_str(), "gauge", rate_help.c_str()};
        if (servers) {
            per_server(w, snap, fc, [&](const ServerMetrics& d) { return d.counters.*m.total; });
            per_server(w, snap, fr, [&](const ServerMetrics& d) { return d.rates.*m.per_second; });
        } else {
            per_service(w, snap, fc, [&](const ServiceMetrics& s) { return s.counters.*m.total; });
            per_service(w, snap, fr, [&](const ServiceMetrics& s) { return s.rates.*m.per_second; });
        }
    }
}

struct XdpCounter {
    const char* name;
    const char* help;
    __u64 lvs_xdp_stats::*field;
};

const XdpCounter kXdpCounters[] = {
    {"lvs_xdp_rx_total", "frames the XDP program saw", &lvs_xdp_stats::rx},
    {"lvs_xdp_pass_total", "frames handed to the kernel untouched (not for a service)", &lvs_xdp_stats::pass},
    {"lvs_xdp_tx_total", "frames forwarded out of the interface they came in on", &lvs_xdp_stats::tx},
    {"lvs_xdp_redirect_total", "frames forwarded out of another attached interface", &lvs_xdp_stats::redirect},
    {"lvs_xdp_new_conns_total", "flows scheduled to a server", &lvs_xdp_stats::new_conns},
    {"lvs_xdp_no_dest_total", "frames dropped: the service had no available server", &lvs_xdp_stats::no_dest},
    {"lvs_xdp_no_neigh_total", "frames passed to the kernel: the server's MAC was not known yet",
     &lvs_xdp_stats::no_neigh},
    {"lvs_xdp_resched_total", "flows whose entry was dead scheduled anew", &lvs_xdp_stats::resched},
    {"lvs_xdp_sched_not_syn_total", "TCP flows scheduled on a packet other than a SYN (their entry was lost)",
     &lvs_xdp_stats::sched_not_syn},
    {"lvs_xdp_conn_evicted_total", "live IPv4 connections whose slot a new flow took (the table is full)",
     &lvs_xdp_stats::conn_evicted},
    {"lvs_xdp_conn_store_fail_total", "IPv4 entries not stored: their slots were busy on other CPUs",
     &lvs_xdp_stats::conn_store_fail},
    {"lvs_xdp_pmtu_icmp_total", "too big for the tunnel with DF set: ICMP fragmentation needed sent",
     &lvs_xdp_stats::pmtu_icmp},
    {"lvs_xdp_pmtu_pass_total", "too big for the tunnel without DF: handed to the kernel", &lvs_xdp_stats::pmtu_pass},
    {"lvs_xdp_fullnat_no_port_total", "new flows dropped: no free FullNAT local port",
     &lvs_xdp_stats::fullnat_no_port},
    {"lvs_xdp_icmp_nat_total", "ICMP errors about NAT flows translated and forwarded", &lvs_xdp_stats::icmp_nat},
    {"lvs_xdp_nat_reply_restored_total", "NAT reply entries a full table evicted, set up again",
     &lvs_xdp_stats::nat_reply_restored},
    {"lvs_xdp_drop_error_total", "frames dropped: a rewrite could not be finished", &lvs_xdp_stats::drop_error},
    {"lvs_xdp_icmp_fwd_total", "ICMP errors about DR/TUN flows forwarded to the flow's server",
     &lvs_xdp_stats::icmp_fwd},
    {"lvs_xdp_icmp_bad_mtu_total", "ICMP fragmentation needed with an MTU below 576 dropped",
     &lvs_xdp_stats::icmp_bad_mtu},
    {"lvs_xdp_frag_first_total", "first fragments forwarded; their datagram's later fragments follow",
     &lvs_xdp_stats::frag_first},
    {"lvs_xdp_frag_fwd_total", "later fragments forwarded after their first fragment", &lvs_xdp_stats::frag_fwd},
    {"lvs_xdp_frag_pass_total", "later fragments of no forwarded datagram handed to the kernel",
     &lvs_xdp_stats::frag_pass},
    {"lvs_xdp_nodest_drop_total", "packets of connections whose server was removed dropped (expire_nodest_conn 0)",
     &lvs_xdp_stats::nodest_drop},
};

}  // namespace

std::string render_metrics(const MetricsSnapshot& snap) {
    Writer w;
    measures(w, snap, "lvs_service_", false);
    measures(w, snap, "lvs_server_", true);
    per_server(w, snap, {"lvs_server_active_connections", "gauge", "connections in ESTABLISHED (ActiveConn)"},
               [](const ServerMetrics& d) { return d.conns.active; });
    per_server(w, snap, {"lvs_server_inactive_connections", "gauge", "connections in any other state (InActConn)"},
               [](const ServerMetrics& d) { return d.conns.inactive; });
    per_server(w, snap, {"lvs_server_persistent_connections", "gauge", "persistence templates (PersistConn)"},
               [](const ServerMetrics& d) { return d.conns.persist; });
    per_server(w, snap, {"lvs_server_weight", "gauge", "the server's weight (0: takes no new connections)"},
               [](const ServerMetrics& d) { return d.weight; });
    for (const XdpCounter& c : kXdpCounters) {
        w.family({c.name, "counter", c.help});
        w.sample(c.name, "", snap.xdp.*c.field);
    }
    return w.text();
}

}  // namespace lvs
