#include "maps/conn_maps.h"

#include "error.h"

namespace lvs {

lvs_flow_key flow_key_of(const lvs_flow_key4& k4) {
    lvs_flow_key k{};
    k.src.ip4 = k4.saddr;
    k.dst.ip4 = k4.daddr;
    k.sport = k4.sport;
    k.dport = k4.dport;
    k.proto = k4.proto;
    k.family = LVS_AF_INET;
    return k;
}

std::optional<lvs_conn> ConnMaps::get(const lvs_flow_key& k) const {
    if (is_v4(k))
        return v4_.get(lvs_flow_key4_of(&k));
    return HashMap<lvs_flow_key, lvs_conn>(v6_).get(k);
}

void ConnMaps::put(const lvs_flow_key& k, const lvs_conn& c) const {
    if (!is_v4(k))
        HashMap<lvs_flow_key, lvs_conn>(v6_).put(k, c);
    else if (!v4_.put(lvs_flow_key4_of(&k), c))
        throw UserError("lvs_conn_slots4: both groups of the flow are full");
}

void ConnMaps::erase(const lvs_flow_key& k) const {
    if (is_v4(k))
        v4_.erase(lvs_flow_key4_of(&k));
    else
        HashMap<lvs_flow_key, lvs_conn>(v6_).erase(k);
}

std::vector<std::pair<lvs_flow_key, lvs_conn>> ConnMaps::entries() const {
    std::vector<std::pair<lvs_flow_key, lvs_conn>> out = HashMap<lvs_flow_key, lvs_conn>(v6_).entries();
    for (const auto& [k4, c] : v4_.entries())
        out.emplace_back(flow_key_of(k4), c);
    return out;
}

}  // namespace lvs
