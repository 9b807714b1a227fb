// Many services and servers (issue 8): 1,000 services of 100 servers each are
// configured, then removed, and leave no stale map entries behind, so the
// data plane treats their VIPs as if they had never been there. Nor does a
// new service or server given a removed one's id inherit anything of it:
// counters, rates, connection counts, rr position, scheduler table. And with
// every server slot taken, a removed server's slot (kept for it to come back)
// goes to a new server rather than refusing it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "maps/counters.h"
#include "maps/dest_conns.h"
#include "store/settings.h"
#include "store/store.h"
#include "store/sweep.h"
#include "store/sysctls.h"

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr int kServices = 1000;
constexpr int kServers = 100;

std::string vip_addr(int s) { return ip4_text(0x0a040000 + s + 1); }  // 10.4.0.1 ...
std::string vip(int s) { return vip_addr(s) + ":80"; }

// The services traffic goes to before they are removed: the first, two in the
// middle (in the -d/-D test one loses its servers by -d first, one does not)
// and the last. rr, so that their scheduler position moves.
constexpr int kProbed[] = {0, kServices / 2 - 1, kServices / 2, kServices - 1};
bool probed(int s) { return std::find(std::begin(kProbed), std::end(kProbed), s) != std::end(kProbed); }

std::string rules() {
    std::string r;
    for (int s = 0; s < kServices; ++s) {
        // mh: the biggest table, 4,093 slots each (the probed rr ones: 100)
        r += "-A -t " + vip(s) + (probed(s) ? " -s rr\n" : " -s mh\n");
        for (int d = 0; d < kServers; ++d)
            r += "-a -t " + vip(s) + " -r " + ip4_text(0x0a100000 + s * kServers + d + 1) + ":80 -g -w 1\n";
    }
    return r;
}

// A probed service as the maps hold it: its id, its servers' ids in list
// order, and its scheduler table's slice.
struct Probe {
    uint32_t svc_id;
    std::vector<uint32_t> dest_ids;
    uint32_t table_off, table_len;
};

std::vector<Probe> probes(const Maps& m) {
    const Config cfg = Store(m).load();
    HashMap<lvs_svc_key, lvs_svc> services(m.services);
    std::vector<Probe> out;
    for (int s : kProbed) {
        const Endpoint e = parse_endpoint(vip(s));
        const Service* svc = cfg.find(ServiceKey{.proto = Proto::Tcp, .addr = e.addr, .port = e.port});
        if (!svc)
            throw std::runtime_error("no service " + vip(s));
        Probe p{.svc_id = svc->id};
        for (const Dest& d : svc->dests)
            p.dest_ids.push_back(d.id);
        lvs_svc_key key{};
        key.addr = e.addr.to_abi();
        key.port = htons(e.port);
        key.proto = IPPROTO_TCP;
        key.family = e.addr.family;
        const lvs_svc v = services.get(key).value();
        p.table_off = v.table_off;
        p.table_len = v.table_len;
        out.push_back(p);
    }
    return out;
}

constexpr int kSyns = 3;  // per probed service: fewer than its servers, so its rr position does not wrap
constexpr lvs_rates kSomeRates{.cps = 1, .inpps = 2, .outpps = 3, .inbps = 4, .outbps = 5};
constexpr uint32_t kPoison = LVS_MAX_DESTS - 1;  // a server id no probed service has

FrameSpec syn(int s, uint16_t sport) {
    FrameSpec f;
    f.daddr = vip_addr(s);
    f.sport = sport;
    return f;
}

// What the loader's resolve_l2 would find for the probed services' servers
// (there is no network here), so their SYNs are sent on.
void give_next_hops(const Maps& m, const std::vector<Probe>& ps) {
    ArrayMap<lvs_dest> dests(m.dests);
    for (const Probe& p : ps)
        for (uint32_t id : p.dest_ids) {
            lvs_dest e = dests.get(id);
            set_next_hop(e, Mac{0x02, 0, 0, 0, 0xee, 1}, 1);
            dests.put(id, e);
        }
}

bool is_zero(const auto& v) {
    const auto zero = std::remove_cvref_t<decltype(v)>{};
    return std::memcmp(&v, &zero, sizeof(v)) == 0;
}

uint32_t sum(const std::vector<uint32_t>& v) { return std::accumulate(v.begin(), v.end(), 0u); }

// Sends kSyns SYNs to each probed service and gives their services and
// servers rates (as the daemon's estimator would): everything a removal must
// not pass on to whoever gets the ids next is non-zero. Returns the probes.
std::vector<Probe> leave_traces(Director& d) {
    const Maps& m = d.maps();
    const std::vector<Probe> ps = probes(m);
    give_next_hops(m, ps);
    for (int s : kProbed)
        for (int k = 0; k < kSyns; ++k)
            EXPECT_EQ(d.run(frame(syn(s, 20000 + k))).action, XDP_TX) << vip(s);
    ArrayMap<lvs_rates> svc_rates(m.svc_rates), dest_rates(m.dest_rates);
    PerCpuArray<uint32_t> sched_pos(m.sched_pos);
    DestConns conns(m.dest_conns);
    for (const Probe& p : ps) {
        svc_rates.put(p.svc_id, kSomeRates);
        uint64_t dest_conns_total = 0, inactive = 0;
        for (uint32_t id : p.dest_ids) {
            dest_rates.put(id, kSomeRates);
            dest_conns_total += dest_counters(m, id).conns;
            inactive += conns.raw(id, DestCounter::Inactive);
        }
        EXPECT_EQ(service_counters(m, p.svc_id).conns, uint64_t{kSyns});
        EXPECT_EQ(dest_conns_total, uint64_t{kSyns});
        EXPECT_EQ(inactive, uint64_t{kSyns});
        EXPECT_EQ(sum(sched_pos.per_cpu(p.svc_id)), uint32_t{kSyns});  // one step per pick, on whichever CPU
        EXPECT_EQ(p.table_len, uint32_t{kServers});
    }
    return ps;
}

// After the probed services were removed: their table slices are given
// content none of their tables had, standing for whatever another service may
// leave there, so that a re-added service reading its slice unwritten shows.
void poison_slices(const Maps& m, const std::vector<Probe>& removed) {
    ArrayMap<uint32_t> tables(m.sched_table);
    for (const Probe& p : removed)
        tables.put_range(p.table_off, std::vector<uint32_t>(p.table_len, kPoison));
}

// The probed services configured again after their removal: the store
// promises (Store::commit) a new service's id and a fresh server slot zeroed
// counters, rates, connection counts and rr position, and a new table
// written into its slice; the old connections, still in the table, naming
// the old servers' slots, must not count on the new servers when they end.
void expect_fresh(Director& d, const std::vector<Probe>& before) {
    const Maps& m = d.maps();
    const std::vector<Probe> ps = probes(m);
    ArrayMap<lvs_rates> svc_rates(m.svc_rates), dest_rates(m.dest_rates);
    ArrayMap<uint32_t> tables(m.sched_table);
    PerCpuArray<uint32_t> sched_pos(m.sched_pos);
    DestConns conns(m.dest_conns);
    // The servers of p for which bad(id) holds (none, when all is well).
    auto servers_where = [](const Probe& p, auto bad) {
        std::vector<uint32_t> ids;
        for (uint32_t id : p.dest_ids)
            if (bad(id))
                ids.push_back(id);
        return ids;
    };
    auto counted = [&](uint32_t id) {
        return conns.raw(id, DestCounter::Active) != 0 || conns.raw(id, DestCounter::Inactive) != 0 ||
               conns.raw(id, DestCounter::Persist) != 0 || conns.read(id).overload;
    };
    const std::vector<uint32_t> none;
    for (size_t i = 0; i < ps.size(); ++i) {
        const Probe& p = ps[i];
        // Else nothing would be inherited, and this would test nothing.
        ASSERT_EQ(p.svc_id, before[i].svc_id) << "the test expects the removed service's id to be reused";
        ASSERT_EQ(p.dest_ids, before[i].dest_ids) << "the test expects the removed servers' ids to be reused";
        EXPECT_TRUE(is_zero(service_counters(m, p.svc_id))) << vip(kProbed[i]) << " inherits service counters";
        EXPECT_TRUE(is_zero(svc_rates.get(p.svc_id))) << vip(kProbed[i]) << " inherits service rates";
        for (uint32_t pos : sched_pos.per_cpu(p.svc_id))
            EXPECT_EQ(pos, 0u) << vip(kProbed[i]) << " inherits an rr position";
        EXPECT_EQ(servers_where(p, [&](uint32_t id) { return !is_zero(dest_counters(m, id)); }), none)
            << "these servers of " << vip(kProbed[i]) << " inherit counters";
        EXPECT_EQ(servers_where(p, [&](uint32_t id) { return !is_zero(dest_rates.get(id)); }), none)
            << "these servers of " << vip(kProbed[i]) << " inherit rates";
        EXPECT_EQ(servers_where(p, counted), none)
            << "these servers of " << vip(kProbed[i]) << " inherit connection counts";
        // rr's table: every server in IPVS's list order, newest first.
        std::vector<uint32_t> want(p.dest_ids.rbegin(), p.dest_ids.rend());
        EXPECT_EQ(p.table_len, want.size());
        EXPECT_EQ(tables.get_range(p.table_off, p.table_len), want) << vip(kProbed[i]) << "'s table is stale";
    }

    // The removed servers' connections end (with expire_nodest_conn the sweep
    // ends them now): the new servers in their slots keep their counts.
    for (int s : kProbed)
        ASSERT_TRUE(d.conn(syn(s, 20000)).has_value()) << "the old connections are expected to be there still";
    lvs_config c = read_settings(m);
    set_sysctl(c, parse_sysctl_assignment("expire_nodest_conn=1"));
    write_settings(m, c);
    sweep_expired(m);
    for (int s : kProbed)
        EXPECT_FALSE(d.conn(syn(s, 20000)).has_value()) << "the sweep left a removed server's connection";
    for (size_t i = 0; i < ps.size(); ++i)
        EXPECT_EQ(servers_where(ps[i], counted), none)
            << "these servers of " << vip(kProbed[i]) << " count a removed server's connection";

    // A new connection starts the round afresh: on the server ipvsadm -L lists first.
    give_next_hops(m, ps);
    for (size_t i = 0; i < ps.size(); ++i) {
        const FrameSpec f = syn(kProbed[i], 30000);
        EXPECT_EQ(d.run(frame(f)).action, XDP_TX);
        const auto conn = d.conn(f);
        ASSERT_TRUE(conn.has_value());
        EXPECT_EQ(conn->dest_id, ps[i].dest_ids.back()) << vip(kProbed[i]) << " goes on from an old rr position";
        EXPECT_EQ(service_counters(m, ps[i].svc_id).conns, 1u);
        EXPECT_EQ(conns.raw(conn->dest_id, DestCounter::Inactive), 1);
    }
}

// After every service was removed (by `how`): no service, no server slot in
// use, no VIP-filter bit, a removed VIP's packet not ours; then the space is
// free again (the same configuration fits a second time) and what it gets is
// fresh.
void expect_gone_then_fresh(Director& d, const std::vector<Probe>& traced, const std::string& how) {
    const Maps& m = d.maps();
    EXPECT_TRUE((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().empty())) << how;
    for (const lvs_dest& x : ArrayMap<lvs_dest>(m.dests).all())
        ASSERT_FALSE(x.flags & LVS_DEST_F_IN_USE) << "a server slot is still in use after " << how;
    for (uint64_t word : ArrayMap<uint64_t>(m.vip_filter).all())
        ASSERT_EQ(word, 0u) << "the VIP filter still lets a removed service's packets in after " << how;
    FrameSpec s;
    s.daddr = "10.4.0.1";
    EXPECT_EQ(d.run(frame(s)).action, XDP_PASS) << how;
    poison_slices(m, traced);
    d.ipvsadm_restore(rules());
    EXPECT_EQ((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().size()), size_t{kServices}) << how;
    expect_fresh(d, traced);
}

TEST(Scale, ThousandServicesOfHundredServersLeaveNothingBehind) {
    Director d;
    d.ipvsadm_restore(rules());
    const Maps& m = d.maps();
    ASSERT_EQ((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().size()), size_t{kServices});
    size_t in_use = 0;
    for (const lvs_dest& x : ArrayMap<lvs_dest>(m.dests).all())
        in_use += (x.flags & LVS_DEST_F_IN_USE) != 0;
    ASSERT_EQ(in_use, size_t{kServices * kServers});
    const std::vector<Probe> traced = leave_traces(d);

    d.ipvsadm("-C");
    expect_gone_then_fresh(d, traced, "-C");
}

// The same removal by -d and -D (issue 8): half the services lose every
// server by -d and are then deleted by -D, the other half are deleted by -D
// directly. Nothing may stay behind that -C would have cleared.
TEST(Scale, DeletingServersAndServicesOneByOneLeavesNothingBehind) {
    Director d;
    d.ipvsadm_restore(rules());
    const std::vector<Probe> traced = leave_traces(d);
    std::string removal;
    for (int s = 0; s < kServices; ++s) {
        if (s % 2 == 0)
            for (int x = 0; x < kServers; ++x)
                removal += "-d -t " + vip(s) + " -r " + ip4_text(0x0a100000 + s * kServers + x + 1) + ":80\n";
        removal += "-D -t " + vip(s) + "\n";
    }
    d.ipvsadm_restore(removal);
    expect_gone_then_fresh(d, traced, "-d/-D");
}

// Every slot taken (LVS_MAX_DESTS servers, rr: small tables), one server
// removed: its slot is kept for it, yet a new server elsewhere gets it, as no
// other is free, under a new generation (the old connections are not its).
TEST(Scale, ARemovedServersSlotGoesToANewServerWhenNoOtherIsFree) {
    constexpr int kPer = 128;
    static_assert(LVS_MAX_DESTS % kPer == 0);
    std::string r;
    for (int s = 0; s < LVS_MAX_DESTS / kPer; ++s) {
        r += "-A -t " + vip(s) + " -s rr\n";
        for (int d = 0; d < kPer; ++d)
            r += "-a -t " + vip(s) + " -r " + ip4_text(0x0a100000 + s * kPer + d + 1) + ":80 -g\n";
    }
    Director d;
    d.ipvsadm_restore(r);
    auto find = [&](const std::string& rip) {
        const Config cfg = Store(d.maps()).load();  // a named copy: the loop outlives a temporary's
        for (const Service& svc : cfg.services())
            for (const Dest& dest : svc.dests)
                if (dest.addr.str() == rip)
                    return dest;
        throw std::runtime_error("no server " + rip);
    };
    const std::string removed = ip4_text(0x0a100000 + 1);
    const uint32_t slot = find(removed).id;
    const uint32_t gen = ArrayMap<lvs_dest>(d.maps().dests).get(slot).gen;
    EXPECT_THROW(d.ipvsadm("-a -t " + vip(1) + " -r 10.200.0.1:80 -g"), std::exception) << "every slot is taken";
    d.ipvsadm("-d -t " + vip(0) + " -r " + removed + ":80");
    EXPECT_TRUE(ArrayMap<lvs_dest>(d.maps().dests).get(slot).flags & LVS_DEST_F_REMOVED);

    d.ipvsadm("-a -t " + vip(1) + " -r 10.200.0.1:80 -g");
    EXPECT_EQ(find("10.200.0.1").id, slot);
    EXPECT_EQ(ArrayMap<lvs_dest>(d.maps().dests).get(slot).gen, gen + 1);
}

}  // namespace
}  // namespace lvs::test
