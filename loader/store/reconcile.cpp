#include "store/reconcile.h"

#include <array>
#include <unordered_map>
#include <vector>

#include "maps/dest_conns.h"

namespace lvs {
namespace {

constexpr std::array<DestCounter, 3> kCounters = {DestCounter::Active, DestCounter::Inactive, DestCounter::Persist};

using Counts = std::array<int64_t, 3>;  // indexed as kCounters

Counts stored(const DestConns& conns, uint32_t id) {
    Counts c{};
    for (size_t i = 0; i < kCounters.size(); ++i)
        c[i] = conns.raw(id, kCounters[i]);
    return c;
}

}  // namespace

uint64_t reconcile_counts(const Maps& maps) {
    const std::vector<lvs_dest> dests = ArrayMap<lvs_dest>(maps.dests).all();
    auto current = [&](uint32_t id, uint32_t gen) {
        return id < dests.size() && (dests[id].flags & LVS_DEST_F_IN_USE) && dests[id].gen == gen;
    };
    DestConns conns(maps.dest_conns);
    std::unordered_map<uint32_t, Counts> before;
    for (uint32_t id = 0; id < dests.size(); ++id)
        if (dests[id].flags & LVS_DEST_F_IN_USE)
            before[id] = stored(conns, id);

    std::unordered_map<uint32_t, Counts> held;  // what the tables say
    for (const auto& [key, c] : maps.conn_table().entries())
        if (c.acct != LVS_ACCT_NONE && current(c.dest_id, c.dest_gen))
            ++held[c.dest_id][c.acct == LVS_ACCT_ACTIVE ? 0 : 1];
    for (const auto& [key, t] : HashMap<lvs_persist_key, lvs_persist>(maps.persist).entries())
        if (t.acct && current(t.dest_id, t.dest_gen))
            ++held[t.dest_id][2];

    uint64_t corrected = 0;
    for (const auto& [id, was] : before) {
        const Counts now = stored(conns, id);
        if (now != was)
            continue;  // connections started or ended meanwhile: next pass
        const Counts want = held[id];
        for (size_t i = 0; i < kCounters.size(); ++i)
            if (want[i] != now[i]) {
                conns.add(id, kCounters[i], static_cast<int32_t>(want[i] - now[i]));
                ++corrected;
            }
        if (conns.read(id).overload && leaves_overload(want[0] + want[1], dests[id]))
            conns.clear_overload(id);
    }
    return corrected;
}

}  // namespace lvs
