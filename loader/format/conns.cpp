#include "format/conns.h"

#include <arpa/inet.h>

#include <cstdio>
#include <map>

#include "format/names.h"

namespace lvs {

const char* conn_state_name(Proto proto, uint8_t state) {
    static const char* const kTcp[LVS_TCP_S_LAST] = {"NONE",      "ESTABLISHED", "SYN_SENT",   "SYN_RECV",
                                                    "FIN_WAIT",  "TIME_WAIT",   "CLOSE",      "CLOSE_WAIT",
                                                    "LAST_ACK",  "LISTEN",      "SYNACK"};
    if (proto == Proto::Udp)
        return "UDP";
    return state < LVS_TCP_S_LAST ? kTcp[state] : "ERR!";
}

std::vector<ConnRow> conn_rows(const std::vector<LiveConn>& live, const Config& cfg) {
    std::map<uint32_t, const Dest*> by_id;
    for (const Service& svc : cfg.services())
        for (const Dest& d : svc.dests)
            by_id[d.id] = &d;
    std::vector<ConnRow> rows;
    for (const LiveConn& l : live) {
        auto it = by_id.find(l.conn.dest_id);
        if (it == by_id.end())
            continue;
        rows.push_back({.proto = static_cast<Proto>(l.key.proto),
                        .expires_in_s = l.expires_in_s,
                        .state = l.conn.state,
                        .client = Addr::from_abi(l.key.src, l.key.family),
                        .vip = Addr::from_abi(l.key.dst, l.key.family),
                        .server = it->second->addr,
                        .cport = ntohs(l.key.sport),
                        .vport = ntohs(l.key.dport),
                        .sport = it->second->port});
    }
    return rows;
}

std::string format_conns(const std::vector<ConnRow>& rows, bool numeric) {
    std::string out = "IPVS connection entries\n";
    char line[512];
    std::snprintf(line, sizeof(line), "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual",
                  "destination");
    out += line;
    for (const ConnRow& r : rows) {
        char expire[16];
        std::snprintf(expire, sizeof(expire), "%02u:%02u", r.expires_in_s / 60, r.expires_in_s % 60);
        std::snprintf(line, sizeof(line), "%-3s %-6s %-11s %-18s %-18s %s\n", proto_name(r.proto).c_str(), expire,
                      conn_state_name(r.proto, r.state), addrport_text(r.client, r.cport, r.proto, numeric).c_str(),
                      addrport_text(r.vip, r.vport, r.proto, numeric).c_str(),
                      addrport_text(r.server, r.sport, r.proto, numeric).c_str());
        out += line;
    }
    return out;
}

}  // namespace lvs
