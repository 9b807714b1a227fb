#include "format/list_json.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "cli/command.h"
#include "format/ipvsadm_order.h"
#include "format/json.h"
#include "format/names.h"

namespace lvs {
namespace {

// An object of named numbers, in the order given.
void write_numbers(JsonWriter& w, std::string_view name,
                   std::initializer_list<std::pair<std::string_view, uint64_t>> fields) {
    w.key(name).begin_object();
    for (const auto& [field, n] : fields)
        w.key(field).value(n);
    w.end_object();
}

// IPVS's names of the counters (struct ip_vs_stats_user) and rates.
void write_stats(JsonWriter& w, const lvs_counters& c) {
    write_numbers(w, "stats", {{"conns", c.conns}, {"inpkts", c.inpkts}, {"outpkts", c.outpkts},
                               {"inbytes", c.inbytes}, {"outbytes", c.outbytes}});
}

void write_rates(JsonWriter& w, const lvs_rates& r) {
    write_numbers(w, "rates", {{"cps", r.cps}, {"inpps", r.inpps}, {"outpps", r.outpps},
                               {"inbps", r.inbps}, {"outbps", r.outbps}});
}

// -b's flags under the names the listing gives them, one string each.
void write_sched_flags(JsonWriter& w, const Service& svc) {
    w.key("sched_flags").begin_array();
    const std::string flags = sched_flags_text(svc);
    for (size_t pos = 0; pos < flags.size();) {
        const size_t comma = std::min(flags.find(',', pos), flags.size());
        w.value(std::string_view(flags).substr(pos, comma - pos));
        pos = comma + 1;
    }
    w.end_array();
}

// null unless -p; the netmask in full even where the listing leaves the
// default out, so scripts need not know the default.
void write_persistence(JsonWriter& w, const Service& svc) {
    w.key("persistent");
    if (!(svc.flags & LVS_SVC_F_PERSISTENT)) {
        w.null();
        return;
    }
    const std::string mask = netmask_text(svc);
    w.begin_object();
    w.key("timeout").value(svc.timeout);
    w.key("netmask").value(!mask.empty() ? mask : svc.key.addr.is_v6() ? "128" : "255.255.255.255");
    w.end_object();
}

// null unless -i: --tun-type's value, GUE's port, the checksum option without
// its "--tun-" ("nocsum", "csum", "remcsum").
void write_tunnel(JsonWriter& w, const Dest& d) {
    w.key("tunnel");
    if (d.fwd != Fwd::Tunnel) {
        w.null();
        return;
    }
    w.begin_object();
    w.key("type").value(tun_type_name(d.tun_type));
    w.key("port").value(d.tun_port);
    w.key("checksum").value(tun_csum_option(d.tun_csum).substr(sizeof("--tun-") - 1));
    w.end_object();
}

void write_server(JsonWriter& w, const Dest& d, const ListData& data) {
    const DestConnCounts c = data.conn_counts ? data.conn_counts(d.id) : DestConnCounts{};
    w.begin_object();
    w.key("address").value(d.addr.str());
    w.key("port").value(d.port);
    w.key("forward").value(fwd_name(d));
    w.key("weight").value(d.weight);
    w.key("u_threshold").value(d.u_threshold);
    w.key("l_threshold").value(d.l_threshold);
    w.key("activeconns").value(c.active);
    w.key("inactconns").value(c.inactive);
    w.key("persistconns").value(c.persist);
    write_tunnel(w, d);
    write_stats(w, data.dest_stats ? data.dest_stats(d.id) : lvs_counters{});
    write_rates(w, data.dest_rates ? data.dest_rates(d.id) : lvs_rates{});
    w.end_object();
}

void write_service(JsonWriter& w, const Service& svc, const ListData& data, const ListOptions& o) {
    w.begin_object();
    w.key("protocol").value(proto_name(svc.key.proto));
    w.key("address").value(svc.key.addr.str());
    w.key("port").value(svc.key.port);
    w.key("scheduler").value(svc.sched);
    write_sched_flags(w, svc);
    write_persistence(w, svc);
    write_stats(w, data.service_stats ? data.service_stats(svc.id) : lvs_counters{});
    write_rates(w, data.service_rates ? data.service_rates(svc.id) : lvs_rates{});
    w.key("servers").begin_array();
    for (const Dest* d : ordered_dests(svc, !o.nosort))
        write_server(w, *d, data);
    w.end_array();
    w.end_object();
}

void write_endpoint(JsonWriter& w, std::string_view name, const Addr& addr, uint16_t port) {
    w.key(name).begin_object();
    w.key("address").value(addr.str());
    w.key("port").value(port);
    w.end_object();
}

}  // namespace

std::string format_list_json(const ListData& data, const ListOptions& o) {
    JsonWriter w;
    w.begin_object();
    if (o.timeout) {
        const Timeouts& t = data.timeouts;
        write_numbers(w, "timeout", {{"tcp", t.tcp}, {"tcpfin", t.tcpfin}, {"udp", t.udp}});
        return w.end_object().finish();
    }
    const std::vector<const Service*> services = listed_services(data, o);
    w.key("ipvs_version").value("1.2.1");
    w.key("conn_table_size").value(data.conn_table_size);
    w.key("services").begin_array();
    for (const Service* svc : services)
        write_service(w, *svc, data, o);
    w.end_array();
    return w.end_object().finish();
}

std::string format_conns_json(const std::vector<ConnRow>& rows) {
    JsonWriter w;
    w.begin_object().key("connections").begin_array();
    for (const ConnRow& r : rows) {
        w.begin_object();
        w.key("protocol").value(proto_name(r.proto));
        w.key("expires_in_seconds").value(r.expires_in_s);
        w.key("state").value(r.state);
        w.key("template").value(r.persistence_template);
        write_endpoint(w, "client", r.client, r.cport);
        write_endpoint(w, "virtual", r.vip, r.vport);
        write_endpoint(w, "server", r.server, r.sport);
        w.end_object();
    }
    w.end_array();
    return w.end_object().finish();
}

}  // namespace lvs
