#include "store/store.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "maps/dest_conns.h"
#include "sched/rr_position.h"
#include "sched/scheduler.h"
#include "store/l2.h"
#include "store/settings.h"
#include "store/slices.h"

namespace lvs {
namespace {

lvs_svc_key svc_key_of(const ServiceKey& k) {
    lvs_svc_key key{};
    key.addr = k.addr.to_abi();
    key.port = htons(k.port);
    key.proto = static_cast<uint8_t>(k.proto);
    key.family = k.addr.family;
    return key;
}

ServiceKey service_key_of(const lvs_svc_key& key) {
    return ServiceKey{.proto = static_cast<Proto>(key.proto),
                      .addr = Addr::from_abi(key.addr, key.family),
                      .port = ntohs(key.port)};
}

bool same_bytes(const auto& a, const auto& b) { return std::memcmp(&a, &b, sizeof(a)) == 0; }

// Lowest ids not taken, handed out in order; spare ones only when no other is left.
class IdPool {
public:
    IdPool(uint32_t capacity, const char* what) : taken_(capacity), spare_(capacity), what_(what) {}
    void take(uint32_t id) { taken_.at(id) = true; }
    bool taken(uint32_t id) const { return taken_.at(id); }
    // A free id handed out only once no other is left (a removed server's).
    void spare(uint32_t id) { spare_.at(id) = true; }
    uint32_t next() {
        while (next_ < taken_.size() && (taken_[next_] || spare_[next_]))
            ++next_;
        uint32_t id = next_;
        if (id == taken_.size())
            id = std::find(taken_.begin(), taken_.end(), false) - taken_.begin();
        if (id == taken_.size())
            throw UserError(std::string("too many ") + what_ + " (at most " + std::to_string(taken_.size()) + ")");
        taken_[id] = true;
        return id;
    }

private:
    std::vector<bool> taken_;
    std::vector<bool> spare_;
    uint32_t next_ = 0;
    const char* what_;
};

// The slot of server d as removed from service sid (LVS_DEST_F_REMOVED), if
// it is still there and free.
std::optional<uint32_t> removed_slot(const std::vector<lvs_dest>& slots, const IdPool& ids, uint32_t sid,
                                     const Dest& d) {
    const lvs_dest want{.addr = d.addr.to_abi(), .port = htons(d.port), .family = static_cast<__u8>(d.addr.family)};
    for (uint32_t id = 0; id < slots.size(); ++id) {
        const lvs_dest& e = slots[id];
        if ((e.flags & LVS_DEST_F_REMOVED) && e.svc_id == sid && e.family == want.family && e.port == want.port &&
            same_bytes(e.addr, want.addr) && !ids.taken(id))
            return id;
    }
    return std::nullopt;
}

const Dest* find_dest(const Service* svc, const Dest& d) {
    if (!svc)
        return nullptr;
    for (const auto& x : svc->dests)
        if (x.addr == d.addr && x.port == d.port)
            return &x;
    return nullptr;
}

std::vector<uint32_t> ids_of(const Service& svc) {
    std::vector<uint32_t> ids;
    for (const Dest& d : svc.dests)
        ids.push_back(d.id);
    return ids;
}

// Sets the VIP-filter bit of every service of the given configurations, and
// of every NAT server's address (abi.h: the packets that may be replies).
void write_vip_filter(const Maps& maps, std::initializer_list<const Config*> configs) {
    std::vector<uint64_t> words(LVS_VIP_FILTER_WORDS);
    auto set = [&](const lvs_addr& a, uint16_t port, uint8_t proto) {
        uint32_t bit = lvs_vip_filter_bit(&a, port, proto);
        words[bit / 64] |= uint64_t(1) << (bit % 64);
    };
    for (const Config* cfg : configs)
        for (const Service& svc : cfg->services()) {
            lvs_svc_key k = svc_key_of(svc.key);
            set(k.addr, k.port, k.proto);
            for (const Dest& d : svc.dests)
                if (d.fwd == Fwd::Masq)
                    set(d.addr.to_abi(), 0, LVS_FILTER_NAT_SERVER);
        }
    ArrayMap<uint64_t>(maps.vip_filter).put_range(0, words);
}

std::optional<Addr> configured_tun_src(const Maps& maps) {
    lvs_config c = ArrayMap<lvs_config>(maps.config).get(0);
    if (!c.tun_src.ip4)
        return std::nullopt;
    return Addr::from_abi(c.tun_src, LVS_AF_INET);
}

// The scheduler table of svc as destination ids.
std::vector<uint32_t> table_of(const Service& svc, const std::vector<uint32_t>& dest_ids) {
    const Scheduler* sched = find_scheduler(svc.sched);
    if (!sched)
        throw UserError(scheduler_error(svc.sched));
    std::vector<uint32_t> t = sched->table(svc.dests);
    for (uint32_t& i : t)
        i = i == kNoDestIndex ? LVS_TABLE_NO_DEST : dest_ids[i];
    return t;
}

// Moves each CPU's rr position to the same place in the new table (before the
// service is switched to it; a pick in between lands one step off at worst).
void carry_rr_positions(const PerCpuArray<uint32_t>& positions, uint32_t sid, const std::vector<uint32_t>& old_table,
                        const std::vector<uint32_t>& new_table) {
    std::vector<uint32_t> pos = positions.per_cpu(sid);
    for (uint32_t& p : pos)
        p = carried_rr_position(p, old_table, new_table);
    positions.set_per_cpu(sid, pos);
}

}  // namespace

Config Store::load() const {
    Config cfg;
    std::map<uint32_t, Service> by_id;
    for (const auto& [key, v] : HashMap<lvs_svc_key, lvs_svc>(maps_.services).entries()) {
        Service s;
        s.key = service_key_of(key);
        const Scheduler* sched = find_scheduler(v.sched);
        s.sched = sched ? std::string(sched->name()) : "?";
        s.flags = v.flags;
        s.timeout = v.timeout;
        s.netmask = v.netmask;
        s.id = v.id;
        by_id[v.id] = s;
    }
    std::vector<lvs_dest> raw = ArrayMap<lvs_dest>(maps_.dests).all();
    std::map<uint32_t, std::vector<std::pair<uint32_t, Dest>>> dests_of;  // svc id -> (order, dest)
    for (uint32_t id = 0; id < raw.size(); ++id) {
        const lvs_dest& d = raw[id];
        if (!(d.flags & LVS_DEST_F_IN_USE) || !by_id.count(d.svc_id))
            continue;
        Dest x;
        x.addr = Addr::from_abi(d.addr, d.family);
        x.port = ntohs(d.port);
        x.fwd = static_cast<Fwd>(d.fwd);
        x.weight = d.weight;
        x.last_weight = d.last_weight;
        x.u_threshold = d.u_threshold;
        x.l_threshold = d.l_threshold;
        x.tun_type = static_cast<TunType>(d.tun_type);
        x.tun_port = ntohs(d.tun_port);
        x.tun_csum = static_cast<TunCsum>(d.tun_csum);
        x.fullnat = d.flags & LVS_DEST_F_FULLNAT;
        x.id = id;
        dests_of[d.svc_id].emplace_back(d.order, x);
    }
    for (auto& [id, svc] : by_id) {
        auto& list = dests_of[id];
        // By id within one position: an interrupted commit may leave two servers at one.
        std::sort(list.begin(), list.end(),
                  [](const auto& a, const auto& b) { return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id); });
        for (auto& [order, d] : list)
            svc.dests.push_back(d);
        cfg.services().push_back(std::move(svc));
    }
    return cfg;
}

bool Store::interrupted() const { return read_settings(maps_).flags & LVS_CFG_F_COMMIT_OPEN; }

void Store::set_commit_open(bool open) const {
    lvs_config c = read_settings(maps_);
    c.flags = open ? c.flags | LVS_CFG_F_COMMIT_OPEN : c.flags & ~LVS_CFG_F_COMMIT_OPEN;
    write_settings(maps_, c);
}

void Store::repair() const {
    const Config now = load();  // servers of no service are left out, so cleared
    commit(now, now, true);
}

void Store::commit(const Config& before, const Config& after, bool verify_tables) const {
    HashMap<lvs_svc_key, lvs_svc> services(maps_.services);
    ArrayMap<lvs_dest> dest_map(maps_.dests);
    ArrayMap<uint32_t> tables(maps_.sched_table);
    PerCpuArray<lvs_counters> svc_stats(maps_.svc_stats), dest_stats(maps_.dest_stats);
    PerCpuArray<uint32_t> sched_pos(maps_.sched_pos);
    ArrayMap<lvs_dest_conns> dest_conns(maps_.dest_conns);
    ArrayMap<lvs_rates> svc_rates(maps_.svc_rates), dest_rates(maps_.dest_rates);

    const auto old_entries = services.entries();
    const std::vector<lvs_dest> original = dest_map.all();
    std::vector<lvs_dest> dests = original;

    // Ids in use now stay taken for this commit, so nothing removed here is reused
    // while packets may still name it.
    IdPool svc_ids(LVS_MAX_SERVICES, "virtual services"), dest_ids(LVS_MAX_DESTS, "real servers");
    std::vector<std::pair<uint32_t, uint32_t>> slices_in_use;
    for (const auto& [k, v] : old_entries) {
        svc_ids.take(v.id);
        slices_in_use.emplace_back(v.table_off, v.table_len);
    }
    for (uint32_t id = 0; id < original.size(); ++id) {
        if (original[id].flags & LVS_DEST_F_IN_USE)
            dest_ids.take(id);
        if (original[id].flags & LVS_DEST_F_REMOVED)
            dest_ids.spare(id);
    }
    SliceAllocator slices(LVS_SCHED_SLOTS, slices_in_use);

    std::vector<bool> configured(original.size());  // dest ids that `after` names
    std::vector<uint32_t> relaxed;                  // dest ids whose overload ends
    std::vector<std::pair<lvs_svc_key, lvs_svc>> svc_writes;

    for (const Service& svc : after.services()) {
        const Service* old = before.find(svc.key);
        uint32_t sid = old ? old->id : svc_ids.next();
        if (!old) {
            svc_stats.set_all(sid, lvs_counters{});
            svc_rates.put(sid, lvs_rates{});
            sched_pos.set_all(sid, 0);
        }

        std::vector<uint32_t> ids;
        for (uint32_t i = 0; i < svc.dests.size(); ++i) {
            const Dest& d = svc.dests[i];
            const Dest* od = find_dest(old, d);
            // A server added back to its service takes its old slot back, with its
            // generation and counters: its connections go on.
            std::optional<uint32_t> back = od || !old ? std::nullopt : removed_slot(original, dest_ids, sid, d);
            if (back)
                dest_ids.take(*back);
            uint32_t did = od ? od->id : back ? *back : dest_ids.next();
            ids.push_back(did);
            configured[did] = true;
            lvs_dest& e = dests[did];
            if (back) {
                e.flags = 0;  // L2 resolved again, as for a new server
            } else if (!od) {  // a fresh slot: new generation, counters from zero, L2 unknown
                e = lvs_dest{.gen = original[did].gen + 1};
                dest_stats.set_all(did, lvs_counters{});
                dest_conns.put(did, lvs_dest_conns{});
                dest_rates.put(did, lvs_rates{});
            } else if (od->fwd != d.fwd) {
                e.flags &= ~LVS_DEST_F_L2_VALID;  // a tunnel needs more than DR knew
            }
            e.addr = d.addr.to_abi();
            e.family = d.addr.family;
            e.port = htons(d.port);
            e.fwd = static_cast<uint8_t>(d.fwd);
            e.svc_id = sid;
            e.order = i;
            e.flags |= LVS_DEST_F_IN_USE;
            e.weight = d.weight;
            e.last_weight = d.last_weight;
            e.u_threshold = d.u_threshold;
            e.l_threshold = d.l_threshold;
            e.tun_type = static_cast<uint8_t>(d.tun_type);
            e.tun_port = htons(d.tun_port);
            e.tun_csum = static_cast<uint8_t>(d.tun_csum);
            e.flags = d.fullnat ? e.flags | LVS_DEST_F_FULLNAT : e.flags & ~LVS_DEST_F_FULLNAT;
        }

        lvs_svc v{.id = sid,
                  .sched = static_cast<uint32_t>(find_scheduler(svc.sched)->id()),
                  .flags = svc.flags,
                  .timeout = svc.timeout,
                  .netmask = svc.netmask};
        std::vector<uint32_t> table = table_of(svc, ids);
        auto old_entry = services.get(svc_key_of(svc.key));
        const auto kept_table = [&] {
            return verify_tables ? tables.get_range(old_entry->table_off, old_entry->table_len)
                                 : table_of(*old, ids_of(*old));
        };
        if (old && old_entry && kept_table() == table) {
            v.table_off = old_entry->table_off;
            v.table_len = old_entry->table_len;
        } else if (!table.empty()) {
            auto off = slices.allocate(table.size());
            if (!off)
                throw UserError("scheduler tables are full (" + std::to_string(LVS_SCHED_SLOTS) +
                                " slots); remove services or servers");
            v.table_off = *off;
            v.table_len = table.size();
            tables.put_range(*off, table);
            if (old && old->sched == "rr" && svc.sched == "rr" && old_entry)
                carry_rr_positions(sched_pos, sid, tables.get_range(old_entry->table_off, old_entry->table_len),
                                   table);
        }
        if (!old_entry || !same_bytes(*old_entry, v))
            svc_writes.emplace_back(svc_key_of(svc.key), v);
    }

    // New servers get a moment to answer ARP; older unresolved ones are only
    // asked again (the XDP program picks their MAC up once the kernel has it).
    std::optional<Addr> tun_src = configured_tun_src(maps_);
    auto needs_l2 = [&](const lvs_dest& e) {
        bool src_changed = e.fwd == LVS_FWD_TUNNEL && tun_src && !same_bytes(e.tun_src, tun_src->to_abi());
        return !(e.flags & LVS_DEST_F_L2_VALID) || src_changed;
    };
    std::vector<lvs_dest*> fresh, stale;
    for (uint32_t id = 0; id < dests.size(); ++id)
        if (configured[id] && needs_l2(dests[id]))
            (original[id].flags & LVS_DEST_F_IN_USE ? stale : fresh).push_back(&dests[id]);
    resolve_l2(fresh, tun_src);
    resolve_l2(stale, tun_src, std::chrono::milliseconds(0));

    // Until here only free space was written (new ids' counters, new table
    // slices no service names yet); from here on a kill leaves a mix.
    set_commit_open(true);
    // Servers first: the tables and services written next point at them.
    for (uint32_t id = 0; id < dests.size(); ++id)
        if (configured[id] && !same_bytes(dests[id], original[id]))
            dest_map.put(id, dests[id]);
    update_service_flags(maps_, after);  // before a NAT service appears, so its replies are seen
    // The filter lets both the old and the new services through while the
    // service table changes, then only the new ones.
    write_vip_filter(maps_, {&before, &after});
    for (const auto& [k, v] : svc_writes)
        services.put(k, v);
    for (const auto& [k, v] : old_entries)
        if (!after.find(service_key_of(k)))
            services.erase(k);
    write_vip_filter(maps_, {&after});
    // A server whose upper threshold went away or up leaves overload, as in IPVS.
    for (const Service& svc : after.services())
        for (const Dest& d : svc.dests)
            if (const Dest* od = find_dest(before.find(svc.key), d);
                od && od->u_threshold && (d.u_threshold == 0 || d.u_threshold > od->u_threshold))
                relaxed.push_back(od->id);
    if (!relaxed.empty()) {
        DestConns conns(maps_.dest_conns);
        for (uint32_t id : relaxed)
            conns.clear_overload(id);
    }
    // Removed servers last, once no service names them: kept for their service
    // while it exists (LVS_DEST_F_REMOVED), else only the generation stays, so
    // connections still naming the slot are rescheduled.
    std::vector<bool> service_kept(LVS_MAX_SERVICES);
    for (const Service& svc : after.services())
        if (const Service* old = before.find(svc.key))
            service_kept[old->id] = true;
    for (uint32_t id = 0; id < original.size(); ++id) {
        const lvs_dest& o = original[id];
        if (configured[id] || !(o.flags & (LVS_DEST_F_IN_USE | LVS_DEST_F_REMOVED)))
            continue;
        lvs_dest left = o;
        left.flags = LVS_DEST_F_REMOVED;
        if (o.svc_id >= service_kept.size() || !service_kept[o.svc_id])
            left = lvs_dest{.gen = o.gen};
        if (!same_bytes(left, o))
            dest_map.put(id, left);
    }
    set_commit_open(false);
}

void Store::rewrite_vip_filter() const {
    const Config cfg = load();
    write_vip_filter(maps_, {&cfg});
}

}  // namespace lvs
