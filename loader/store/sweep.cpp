#include "store/sweep.h"

#include <cerrno>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "maps/dest_conns.h"
#include "store/conn_table.h"
#include "store/settings.h"

namespace lvs {
namespace {

// The lvs_dests entries the removed entries name, each read once per sweep
// (a sweep usually touches a few servers; reading all 131,072 would cost more).
class DestLookup {
public:
    explicit DestLookup(const MapFd& dests) : dests_(dests), max_(dests.max_entries()) {}

    // The server in slot id if it is still the one an entry of generation gen
    // was scheduled to; nullptr when the slot was freed or reused since.
    const lvs_dest* current(uint32_t id, uint32_t gen) {
        if (id >= max_)
            return nullptr;
        auto [it, fresh] = cache_.try_emplace(id);
        if (fresh)
            it->second = ArrayMap<lvs_dest>(dests_).get(id);
        const lvs_dest& d = it->second;
        return (d.flags & LVS_DEST_F_IN_USE) && d.gen == gen ? &d : nullptr;
    }

private:
    const MapFd& dests_;
    uint32_t max_;
    std::unordered_map<uint32_t, lvs_dest> cache_;
};

// Removes the entry at key, which the walk saw expired. Returns what was
// removed, or nothing when another sweep (or the LRU) removed it first. A
// packet may have brought the entry back to life between the walk's read and
// the removal; such an entry is put back, unless a new entry for the same key
// took its place meanwhile: then the removed one has ended after all and is
// returned to be accounted for.
template <class K, class V, class Alive>
std::optional<V> remove_expired(const MapFd& map, const K& key, Alive alive) {
    V v;
    if (bpf_map_lookup_and_delete_elem(map.fd(), &key, &v) != 0) {
        if (errno == ENOENT)
            return std::nullopt;
        map.fail("lookup and delete");
    }
    if (!alive(v))
        return v;
    if (bpf_map_update_elem(map.fd(), &key, &v, BPF_NOEXIST) == 0)
        return std::nullopt;
    if (errno != EEXIST)
        map.fail("update");
    return v;
}

// Walks map and removes each entry expired(value) says has expired; returns
// the removed values.
template <class K, class V, class Expired>
std::vector<V> remove_all_expired(const MapFd& map, Expired expired) {
    std::vector<V> removed;
    for (const auto& [key, value] : HashMap<K, V>(map).entries()) {
        if (!expired(value))
            continue;
        if (auto v = remove_expired<K, V>(map, key, [&](const V& now) { return !expired(now); }))
            removed.push_back(*v);
    }
    return removed;
}

std::optional<DestCounter> counted_in(uint32_t acct) {
    switch (acct) {
    case LVS_ACCT_ACTIVE: return DestCounter::Active;
    case LVS_ACCT_INACTIVE: return DestCounter::Inactive;
    default: return std::nullopt;  // LVS_ACCT_NONE: taken out already, or never counted
    }
}

// IPVS's lblc(r)_expiration; 0 in lvs_config means maps from before the
// setting existed, which get IPVS's default.
uint64_t expiration_jiffies(uint32_t seconds, uint32_t hz) {
    return uint64_t{seconds ? seconds : kDefaultLblcExpiration} * hz;
}

// How long a slot must stay busy to count as left by a killed process: a
// claim lasts microseconds, and one wrongly taken for abandoned would be a
// preempted lvs-xdp's.
constexpr std::chrono::milliseconds kClaimPatience{1000};

}  // namespace

SweepResult sweep_expired(const Maps& maps) {
    const lvs_config cfg = read_settings(maps);
    const uint32_t hz = jiffies_per_second(cfg);
    const uint64_t now = kernel_jiffies();
    DestLookup dests(maps.dests);
    DestConns counters(maps.dest_conns);
    SweepResult r;

    // expire_nodest_conn: IPVS's ip_vs_expire_nodest_conn_flush ends the
    // connections of a removed server at once; so do the sweeps after its -d.
    const bool expire_nodest = cfg.flags & LVS_CFG_F_EXPIRE_NODEST;
    auto conn_ended = [&](const lvs_conn& c) {
        return c.expires <= now || (expire_nodest && !dests.current(c.dest_id, c.dest_gen));
    };
    std::vector<lvs_conn> ended = maps.conn_table().v4().remove_ended(conn_ended);
    r.abandoned = maps.conn_table().v4().free_abandoned(kClaimPatience);
    for (const lvs_conn& c : remove_all_expired<lvs_flow_key, lvs_conn>(maps.conns6, conn_ended))
        ended.push_back(c);
    for (const lvs_conn& c : ended) {
        ++r.conns;
        const auto counter = counted_in(c.acct);
        if (const lvs_dest* d = counter ? dests.current(c.dest_id, c.dest_gen) : nullptr)
            counters.unbind(c.dest_id, *counter, *d);
    }

    for (const lvs_persist& t : remove_all_expired<lvs_persist_key, lvs_persist>(
             maps.persist, [&](const lvs_persist& t) { return t.expires <= now; })) {
        ++r.templates;
        if (const lvs_dest* d = t.acct ? dests.current(t.dest_id, t.dest_gen) : nullptr)
            counters.unbind(t.dest_id, DestCounter::Persist, *d);
    }

    // IPVS frees a cache entry once now is after lastuse + expiration.
    const uint64_t lblc_exp = expiration_jiffies(cfg.lblc_expiration, hz);
    r.lblc = remove_all_expired<lvs_lblc_key, lvs_lblc>(
                 maps.lblc, [&](const lvs_lblc& e) { return e.lastuse + lblc_exp < now; })
                 .size();
    const uint64_t lblcr_exp = expiration_jiffies(cfg.lblcr_expiration, hz);
    r.lblcr = remove_all_expired<lvs_lblc_key, lvs_lblcr>(
                  maps.lblcr, [&](const lvs_lblcr& e) { return e.lastuse + lblcr_exp < now; })
                  .size();
    return r;
}

}  // namespace lvs
