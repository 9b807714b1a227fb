// The connection table as the control plane sees it: one table of
// lvs_flow_key -> lvs_conn, stored (as the XDP program stores it, see
// bpf/conn_table.bpf.h) in two maps: IPv4 flows in the slots of
// lvs_conn_slots4 under the compact key, IPv6 flows in lvs_conns6 under the
// whole key.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/bpf_map.h"
#include "maps/conn_slots.h"

namespace lvs {

// The whole key of an IPv4 flow stored under k4.
lvs_flow_key flow_key_of(const lvs_flow_key4& k4);

class ConnMaps {
public:
    // seed: lvs_config.conn_seed.
    ConnMaps(std::shared_ptr<const MappedArray<lvs_conn_slot4>> v4, const MapFd& v6, uint64_t seed)
        : v4_(std::move(v4), seed), v6_(v6) {}

    std::optional<lvs_conn> get(const lvs_flow_key& k) const;
    // Throws UserError when an IPv4 flow's groups are both full.
    void put(const lvs_flow_key& k, const lvs_conn& c) const;
    void erase(const lvs_flow_key& k) const;
    // Every entry of both maps.
    std::vector<std::pair<lvs_flow_key, lvs_conn>> entries() const;
    const ConnSlots4& v4() const { return v4_; }

private:
    static bool is_v4(const lvs_flow_key& k) { return k.family == LVS_AF_INET; }
    ConnSlots4 v4_;
    const MapFd& v6_;
};

}  // namespace lvs
