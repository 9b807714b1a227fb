// -L -c: the connection listing, in ipvsadm's layout (list_conn in ipvsadm.c:
// "IPVS connection entries", then one row per connection with IPVS's state
// names and the time left as mm:ss).
#pragma once

#include <string>
#include <vector>

#include "model/config.h"
#include "store/conn_table.h"

namespace lvs {

struct ConnRow {
    Proto proto;
    uint32_t expires_in_s;
    uint8_t state;
    Addr client, vip, server;
    uint16_t cport, vport, sport;
};

// Rows for live, resolved against the configuration (its servers' addresses).
std::vector<ConnRow> conn_rows(const std::vector<LiveConn>& live, const Config& cfg);
std::string format_conns(const std::vector<ConnRow>& rows, bool numeric);
// IPVS's name of a connection state: TCP's states, "UDP" for UDP.
const char* conn_state_name(Proto proto, uint8_t state);

}  // namespace lvs
