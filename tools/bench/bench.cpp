#include "bench.h"

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>

#include "maps/counters.h"
#include "testkit/director.h"

namespace lvs::bench {
namespace {

using testkit::Director;
using testkit::test_run;

// Timed rounds of: the subject through the reset (subject_run(n) times n
// packets and checks them), then the reset alone, XDP_DROP and the MAC-swap
// floor, back to back. Returns the subject's ns per packet, reset subtracted
// round by round, and adds the references to f. One untimed round first warms
// caches, branch predictors and the LRU lists.
Series rounds(Harness& h, const Options& o, Vary v, const Bytes& frame, Floors& f,
              const std::function<double(uint32_t)>& subject_run) {
    Series subject;
    for (uint32_t r = 0; r <= o.runs; ++r) {
        uint32_t n = r ? o.repeat : std::max<uint32_t>(o.repeat / 10, 1);
        double through_reset = subject_run(n);
        if (o.profile) {  // the subject alone, reset included
            if (r)
                subject.add(through_reset);
            continue;
        }
        h.set_target(h.drop_fd());
        double reset = time_per_run(h.reset_fd(), frame, n);
        double drop = time_per_run(h.drop_fd(), frame, n);
        double mac_swap = time_per_run(h.mac_swap_fd(), frame, n);
        if (!r)
            continue;
        f.drop.add(drop);
        f.mac_swap.add(mac_swap);
        f.reset[v].add(reset - drop);
        subject.add(through_reset - (reset - drop));
    }
    return subject;
}

Vary vary_of(Traffic t) {
    switch (t) {
    case Traffic::FlowPool:
        return Vary::Pool;
    case Traffic::NewIntoFull:
        return Vary::New;
    case Traffic::ReplyPool:
        return Vary::PoolDst;
    default:
        return Vary::None;
    }
}

void expect(bool ok, const std::string& what) {
    if (!ok)
        throw std::runtime_error("harness check failed: " + what);
}

// What every packet of a case must have done, from the program's own counters:
// so a number never comes from a run in which the path changed (an evicted
// flow rescheduled, a new flow found in the table, a packet not forwarded).
std::string path_error(Traffic t, const lvs_xdp_stats& a, const lvs_xdp_stats& b, uint64_t n) {
    auto delta = [&](__u64 lvs_xdp_stats::*f) -> uint64_t { return b.*f - a.*f; };
    if (delta(&lvs_xdp_stats::rx) != n)
        return "the program did not see every packet";
    // FullNAT into a full table of one-packet flows: a new flow may find all
    // of its FULLNAT_PORT_TRIES ports taken (the probes mark the flows they
    // meet as used, so more of them live on than traffic would keep: a few
    // in a million here). Dropped and counted, as documented; tolerated up
    // to one in 100,000 packets.
    const uint64_t no_port = delta(&lvs_xdp_stats::fullnat_no_port);
    const uint64_t tolerated = t == Traffic::NewIntoFull && no_port <= n / 100000 ? no_port : 0;
    if (t == Traffic::NoService ? delta(&lvs_xdp_stats::pass) != n : delta(&lvs_xdp_stats::tx) + tolerated != n) {
        // Where the others went: the counters every frame lands in (abi.h).
        std::string where;
        for (auto [name, f] : {std::pair{"pass", &lvs_xdp_stats::pass}, {"tx", &lvs_xdp_stats::tx},
                               {"redirect", &lvs_xdp_stats::redirect}, {"no_dest", &lvs_xdp_stats::no_dest},
                               {"fullnat_no_port", &lvs_xdp_stats::fullnat_no_port},
                               {"drop_error", &lvs_xdp_stats::drop_error}})
            if (uint64_t d = delta(f))
                where += std::string(where.empty() ? "" : ", ") + name + " " + std::to_string(d);
        return std::string(t == Traffic::NoService ? "not every packet was passed" : "not every packet was forwarded") +
               " (" + where + " of " + std::to_string(n) + ")";
    }
    uint64_t new_conns = delta(&lvs_xdp_stats::new_conns);
    if (new_conns != (t == Traffic::NewIntoFull ? n : 0))
        return std::to_string(new_conns) + " of " + std::to_string(n) + " packets scheduled a new connection";
    return "";
}

// Gives every real server what the loader would find in a real network: a MAC
// (mac_of its address), lo as egress (the ingress of the test runs, so frames
// go back out with XDP_TX) and, for tunnels, kTunSrc and MTU 1500.
void set_paths(const Director& d) {
    ArrayMap<lvs_dest> dests(d.maps().dests);
    std::vector<lvs_dest> all = dests.all();
    for (lvs_dest& dest : all) {
        if (!(dest.flags & LVS_DEST_F_IN_USE))
            continue;
        testkit::set_next_hop(dest, mac_of(dest.addr.ip4), 1);  // lo
        dest.mtu = 1500;
        if (dest.fwd == LVS_FWD_TUNNEL)
            dest.tun_src.ip4 = testkit::ip4(kTunSrc);
    }
    dests.put_range(0, all);
}

// A client's handshake as a DR/TUN director sees it: SYN, then ACK. The entry
// is then ESTABLISHED, as IPVS would have it.
void establish(const Director& d, const Case& c) {
    for (uint8_t flags : {kSyn, kAck}) {
        Bytes in = tcp_frame(c.flow, flags);
        std::string err = c.check(in, d.run(in));
        if (!err.empty())
            throw std::runtime_error("handshake: " + err);
    }
}

// kTableFlows entries as the program wrote one for `of`'s flow, keyed by
// base's flows 0 .. kTableFlows - 1 (with_flow_index at `end`). With
// own_peers, flow i's copy names flow i's other side, as with_flow_index
// numbers it: a FullNAT client entry its local address and port, a FullNAT
// reply entry its client (which the reply's client entry is looked up by).
struct Copies {
    Bytes of, base;
    FlowEnd end = FlowEnd::Source;
    bool own_peers = false;
};

// The address + i / 65536 and the port i % 65536, as with_flow_index.
void at_flow_index(__be32& a, __be16& port, uint32_t i) {
    a = htonl(ntohl(a) + (i >> 16));
    port = htons(i & 0xffff);
}

lvs_conn copy_for_flow(lvs_conn c, uint32_t i) {
    if ((c.flags & LVS_CONN_F_REPLY) && (c.flags & LVS_CONN_F_DNAT))
        at_flow_index(c.nat_daddr, c.nat_dport, i);
    else if (!(c.flags & LVS_CONN_F_REPLY) && (c.flags & LVS_CONN_F_SNAT))
        at_flow_index(c.nat_saddr, c.nat_sport, i);
    return c;
}

// Fills the connection table with established flows' entries, copies of each
// of `all`. The handshake's entries go first (a NAT reply entry would take a
// pool flow's place): the table then holds exactly the copies.
// flows per copy (kTableFlows but for a full table); least: the entries the
// table must then hold (all of them unless said otherwise).
void fill_table(const Director& d, const std::vector<Copies>& all, uint32_t flows = kTableFlows, uint64_t least = 0) {
    std::vector<lvs_conn> entries;
    for (const Copies& c : all) {
        std::optional<lvs_conn> entry = d.conn(c.of);
        if (!entry)
            throw std::runtime_error("the flow has no connection entry");
        entries.push_back(*entry);
    }
    const ConnMaps table = d.maps().conn_table();
    for (const auto& [key, c] : table.entries())
        table.erase(key);
    uint64_t held = 0;
    for (size_t k = 0; k < all.size(); ++k)
        held = d.fill(
            flows, [&](uint32_t i) { return testkit::flow_key(with_flow_index(all[k].base, i, all[k].end)); },
            [&](uint32_t i) {
                lvs_conn e = all[k].own_peers ? copy_for_flow(entries[k], i) : entries[k];
                e.acct = LVS_ACCT_NONE;  // no server counts the copies: evicting one must not uncount
                return e;
            });
    if (!least)
        least = all.size() * flows;
    if (held < least)
        throw std::runtime_error("the connection table holds " + std::to_string(held) + " entries, not " +
                                 std::to_string(least));
}

// The case's input, run through the reset `repeat` times: the last output
// must be what the path produces, and every run must have taken the path.
void verify(Harness& h, const Director& d, const Case& c, const Check& check, const Bytes& frame, uint32_t repeat) {
    uint32_t first = h.counter();
    lvs_xdp_stats before = xdp_counters(d.maps());
    RunResult out = test_run(h.reset_fd(), frame, repeat);
    std::string err = check(h.input_at(first + repeat - 1), out);
    if (err.empty())
        err = path_error(c.traffic, before, xdp_counters(d.maps()), repeat);
    if (!err.empty())
        throw std::runtime_error(err + " (verification, repeat " + std::to_string(repeat) + ")");
}

}  // namespace

double Series::median() const {
    std::vector<double> v = v_;
    std::sort(v.begin(), v.end());
    size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

double Series::spread() const {
    auto [lo, hi] = std::minmax_element(v_.begin(), v_.end());
    return *hi - *lo;
}

uint32_t pool_table_slots(const Options& o) {
    return o.pool_table ? o.pool_table : Director::table_size_for(kTableFlows);
}

void measure_floors(Harness& h, const Options& o, Floors& f) {
    Bytes frame = tcp_frame(Flow{}, kAck);
    Bytes swapped = frame;
    std::swap_ranges(swapped.begin(), swapped.begin() + 6, swapped.begin() + 6);
    expect(test_run(h.drop_fd(), frame).action == XDP_DROP, "the XDP_DROP floor drops");
    RunResult swap = test_run(h.mac_swap_fd(), frame);
    expect(swap.action == XDP_TX && swap.out == swapped, "the MAC-swap floor swaps the MACs");

    h.set_target(h.drop_fd());
    for (Vary v : {Vary::None, Vary::Pool, Vary::New, Vary::PoolDst}) {
        h.set_input(frame, v, kTableFlows - 1);
        uint32_t first = h.counter();
        RunResult out = test_run(h.reset_fd(), frame, 3);
        expect(out.action == XDP_DROP && out.out == h.input_at(first + 2), "the reset writes the expected input");
    }
    h.set_input(frame, Vary::None);
    h.set_target(h.mac_swap_fd());
    swap = test_run(h.reset_fd(), frame, 3);
    expect(swap.action == XDP_TX && swap.out == swapped, "the reset restores the frame the MAC swap changed");

    f.mac_swap_via_reset = rounds(h, o, Vary::None, frame, f, [&](uint32_t n) {
        h.set_target(h.mac_swap_fd());
        return time_per_run(h.reset_fd(), frame, n);
    });

    h.set_input(frame, Vary::Pool, kTableFlows - 1);
    h.set_target(h.mac_swap_read_fd());
    uint32_t first = h.counter();
    swap = test_run(h.reset_fd(), frame, 3);
    Bytes last = h.input_at(first + 2);
    std::swap_ranges(last.begin(), last.begin() + 6, last.begin() + 6);
    expect(swap.action == XDP_TX && swap.out == last, "the memory floor reads its line and swaps the MACs");
    f.mac_swap_read = rounds(h, o, Vary::Pool, frame, f, [&](uint32_t n) {
        h.set_target(h.mac_swap_read_fd());
        return time_per_run(h.reset_fd(), frame, n);
    });
}

Result measure_case(const Case& c, Harness& h, const Options& o, Floors& f) {
    Result r{.c = &c};
    try {
        bool full = c.traffic != Traffic::NoService && c.traffic != Traffic::Established;
        // ReplyPool: each flow has two entries, the client's and the reply's.
        const uint32_t entries = c.traffic == Traffic::ReplyPool ? 2 * kTableFlows : kTableFlows;
        const bool pool = c.traffic == Traffic::FlowPool || c.traffic == Traffic::ReplyPool;
        // A full table has kFullTableSlots slots; a pool's --pool-table slots
        // per kTableFlows entries (by default a quarter full, where no flow
        // is left out); the others the attach default.
        const uint32_t pool_slots = pool_table_slots(o) / kTableFlows * entries;
        Director d(c.traffic == Traffic::NewIntoFull ? kFullTableSlots
                   : pool                            ? pool_slots
                   : full                            ? Director::table_size_for(entries)
                                                     : LVS_DEFAULT_CONN_TABLE_SIZE);
        if (c.before_rules)
            c.before_rules(d);
        d.ipvsadm_restore(c.rules);
        set_paths(d);

        Bytes ack = tcp_frame(c.flow, kAck);
        Check check = c.check;
        if (c.handshake) {
            Prepared p = c.handshake(d);
            ack = p.frame;
            if (!check)  // a check of its own covers every flow of the case
                check = p.check;
        } else if (c.traffic != Traffic::NoService)
            establish(d, c);
        if (c.traffic == Traffic::FlowPool)
            fill_table(d, {{ack, ack}});
        if (c.traffic == Traffic::ReplyPool) {  // ack is the server's: flow i's reply goes to its client's
            Bytes client = tcp_frame(c.flow, kAck);  // (NAT) or local (FullNAT) address and port
            fill_table(d, {{client, client, FlowEnd::Source, true}, {ack, ack, FlowEnd::Destination, true}});
        }
        if (c.traffic == Traffic::NewIntoFull) {
            Flow filler = c.flow;
            filler.saddr = "10.64.0.0";  // apart from the new flows' addresses
            // Twice the slots offered, as fill() leaves out a flow whose groups
            // are full: nearly every slot is taken, and the timed run's first
            // new flows take the rest.
            fill_table(d, {{ack, tcp_frame(filler, kAck)}}, 2 * kFullTableSlots,
                       uint64_t{kFullTableSlots} * 97 / 100);
        }
        Bytes frame = c.traffic == Traffic::NewIntoFull ? tcp_frame(c.flow, kSyn) : ack;

        h.set_target(d.prog_fd());
        h.set_input(frame, vary_of(c.traffic), kTableFlows - 1);
        verify(h, d, c, check, frame, 1);
        verify(h, d, c, check, frame, 2);  // the reset undid the first run's rewrite

        // Every timed run, too: the last packet's output bytes, and the
        // counters for all of them.
        r.ns = rounds(h, o, vary_of(c.traffic), frame, f, [&](uint32_t n) {
            h.set_target(d.prog_fd());
            const uint32_t first = h.counter();
            lvs_xdp_stats before = xdp_counters(d.maps());
            RunResult last;
            double ns = time_per_run(h.reset_fd(), frame, n, &last);
            std::string err = check(h.input_at(first + n - 1), last);
            if (err.empty())
                err = path_error(c.traffic, before, xdp_counters(d.maps()), n);
            if (!err.empty())
                throw std::runtime_error(err + " (timed run)");
            return ns;
        });
    } catch (const std::exception& e) {  // this case has no figure; the others still do
        r.error = e.what();
    }
    h.set_target(h.drop_fd());  // the prog array holds the director's program (and its maps) until replaced
    return r;
}

}  // namespace lvs::bench
