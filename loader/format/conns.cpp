#include "format/conns.h"

#include <arpa/inet.h>

#include <cstdio>
#include <map>

#include "format/names.h"

namespace lvs {
namespace {

constexpr uint16_t kFtpPort = 21;

struct Placed {
    const Service* svc;
    const Dest* dest;
};

std::map<uint32_t, Placed> dests_by_id(const Config& cfg) {
    std::map<uint32_t, Placed> by_id;
    for (const Service& svc : cfg.services())
        for (const Dest& d : svc.dests)
            by_id[d.id] = {&svc, &d};
    return by_id;
}

// ip_vs_sched_persist's template: <proto, client net, 0, VIP, vport, server,
// dport>, with vport and dport 0 for port-0 and FTP services (one template
// covers all their ports).
ConnRow template_row(const LiveTemplate& t, const Service& svc, const Dest& d) {
    const bool all_ports = svc.key.port == 0 || svc.key.port == kFtpPort;
    return {.proto = svc.key.proto,
            .expires_in_s = t.expires_in_s,
            .state = "NONE",
            .client = Addr::from_abi(t.key.client, svc.key.addr.family),
            .vip = svc.key.addr,
            .server = d.addr,
            .cport = 0,
            .vport = all_ports ? uint16_t{0} : svc.key.port,
            .sport = all_ports ? uint16_t{0} : d.port,
            .persistence_template = true};
}

}  // namespace

const char* conn_state_name(Proto proto, uint8_t state) {
    static const char* const kTcp[LVS_TCP_S_LAST] = {"NONE",      "ESTABLISHED", "SYN_SENT",   "SYN_RECV",
                                                    "FIN_WAIT",  "TIME_WAIT",   "CLOSE",      "CLOSE_WAIT",
                                                    "LAST_ACK",  "LISTEN",      "SYNACK"};
    if (proto == Proto::Udp)
        return "UDP";
    return state < LVS_TCP_S_LAST ? kTcp[state] : "ERR!";
}

std::vector<ConnRow> conn_rows(const std::vector<LiveConn>& live, const std::vector<LiveTemplate>& templates,
                               const Config& cfg) {
    const std::map<uint32_t, Placed> by_id = dests_by_id(cfg);
    std::vector<ConnRow> rows;
    for (const LiveConn& l : live) {
        auto it = by_id.find(l.conn.dest_id);
        if (it == by_id.end())
            continue;
        const Proto proto = static_cast<Proto>(l.key.proto);
        rows.push_back({.proto = proto,
                        .expires_in_s = l.expires_in_s,
                        .state = conn_state_name(proto, l.conn.state),
                        .client = Addr::from_abi(l.key.src, l.key.family),
                        .vip = Addr::from_abi(l.key.dst, l.key.family),
                        .server = it->second.dest->addr,
                        .cport = ntohs(l.key.sport),
                        .vport = ntohs(l.key.dport),
                        .sport = it->second.dest->port});
    }
    for (const LiveTemplate& t : templates) {
        auto it = by_id.find(t.tpl.dest_id);
        if (it != by_id.end() && it->second.svc->id == t.key.svc_id)
            rows.push_back(template_row(t, *it->second.svc, *it->second.dest));
    }
    return rows;
}

std::string format_conns(const std::vector<ConnRow>& rows, bool numeric, bool persistent_conn) {
    std::string out = "IPVS connection entries\n";
    char line[512];
    if (persistent_conn)
        std::snprintf(line, sizeof(line), "pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source",
                      "virtual", "destination", "pe name", "pe_data");
    else
        std::snprintf(line, sizeof(line), "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual",
                      "destination");
    out += line;
    for (const ConnRow& r : rows) {
        char expire[16];
        std::snprintf(expire, sizeof(expire), "%02u:%02u", r.expires_in_s / 60, r.expires_in_s % 60);
        std::snprintf(line, sizeof(line), "%-3s %-6s %-11s %-18s %-18s %s\n", proto_name(r.proto).c_str(), expire,
                      r.state, addrport_text(r.client, r.cport, r.proto, numeric).c_str(),
                      addrport_text(r.vip, r.vport, r.proto, numeric).c_str(),
                      addrport_text(r.server, r.sport, r.proto, numeric).c_str());
        out += line;
    }
    return out;
}

}  // namespace lvs
