#include "store/conn_table.h"

#include <fstream>
#include <string>

#include "error.h"

namespace lvs {

uint64_t kernel_jiffies() {
    std::ifstream in("/proc/timer_list");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("jiffies: ", 0) == 0)
            return std::stoull(line.substr(9));
    throw UserError("cannot read the kernel's clock from /proc/timer_list (needs root)");
}

std::vector<LiveConn> live_connections(const Maps& maps) {
    uint32_t hz = ArrayMap<lvs_config>(maps.config).get(0).hz;
    if (hz == 0)
        hz = 250;
    uint64_t now = kernel_jiffies();
    std::vector<lvs_dest> dests = ArrayMap<lvs_dest>(maps.dests).all();
    std::vector<LiveConn> out;
    for (const auto& [key, c] : HashMap<lvs_flow_key, lvs_conn>(maps.conns).entries()) {
        if ((c.flags & LVS_CONN_F_REPLY) || c.expires <= now || c.dest_id >= dests.size())
            continue;
        const lvs_dest& d = dests[c.dest_id];
        if (!(d.flags & LVS_DEST_F_IN_USE) || d.gen != c.dest_gen)
            continue;  // its server was removed: the XDP program reschedules it
        out.push_back({key, c, static_cast<uint32_t>((c.expires - now + hz - 1) / hz)});
    }
    return out;
}

std::map<uint32_t, ConnCounts> count_connections(const std::vector<LiveConn>& conns) {
    std::map<uint32_t, ConnCounts> counts;
    for (const LiveConn& l : conns) {
        bool active = l.key.proto == 6 /* TCP */ && l.conn.state == LVS_TCP_S_ESTABLISHED;
        (active ? counts[l.conn.dest_id].active : counts[l.conn.dest_id].inactive)++;
    }
    return counts;
}

}  // namespace lvs
