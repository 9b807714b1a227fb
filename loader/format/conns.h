// -L -c: the connection listing, in ipvsadm's layout (list_conn in ipvsadm.c:
// "IPVS connection entries", then one row per connection with IPVS's state
// names and the time left as mm:ss). Persistence templates are rows too, as
// in IPVS's /proc/net/ip_vs_conn: state NONE, client port 0.
#pragma once

#include <string>
#include <vector>

#include "model/config.h"
#include "store/conn_table.h"

namespace lvs {

struct ConnRow {
    Proto proto;
    uint32_t expires_in_s;
    const char* state;  // IPVS's name of it
    Addr client, vip, server;
    uint16_t cport, vport, sport;
    bool persistence_template = false;  // a template row (state NONE, client port 0)
};

// Rows for the connections, then the templates, resolved against the
// configuration (their services and servers); entries of servers no longer
// configured are left out.
std::vector<ConnRow> conn_rows(const std::vector<LiveConn>& live, const std::vector<LiveTemplate>& templates,
                               const Config& cfg);
// persistent_conn: -c --persistent-conn, whose header adds ipvsadm's "pe name"
// and "pe_data" columns (rows keep the short layout: no entry has a
// persistence engine).
std::string format_conns(const std::vector<ConnRow>& rows, bool numeric, bool persistent_conn);
// IPVS's name of a connection state: TCP's states, "UDP" for UDP.
const char* conn_state_name(Proto proto, uint8_t state);

}  // namespace lvs
