// Two CPUs on one small connection table: the slot protocol of
// bpf/conn_table.bpf.h (claim with a compare-and-swap of the key's second
// word, write, publish) under real concurrency, which the one-CPU selftests
// cannot reach. Each CPU runs the real program on SYNs and data packets of
// flows that far outnumber the slots, so that new flows evict, entries
// expire (each CPU also ends random entries' lives, as time would) and dead
// entries are taken over, all on slots the other CPU is using at that moment.
// Required afterwards, as docs/robustness.md ("SYN floods") promises:
//   - every packet was forwarded;
//   - no slot is left being written, and no flow is in two slots;
//   - every entry the table holds is counted on its server, and each server's
//     active and inactive counters equal the entries counted in them: no CPU
//     took out of the counters (or killed) an entry another CPU had just put
//     in the slot it was looking at.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lvs_xdp/conn_slots.h"
#include "maps/dest_conns.h"
#include "maps/mapped_array.h"
#include "testkit/cpu.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr uint32_t kSlots = 64;      // 16 groups of four
constexpr uint16_t kFlows = 512;     // eight times the slots
constexpr int kRunsPerCpu = 300000;  // about a second per CPU
constexpr int kExpireEvery = 2;      // one entry ended per this many packets
constexpr int kServers = 3;

std::string rip(int i) { return "10.1.0." + std::to_string(11 + i); }

// xorshift64: a fast, repeatable stream per CPU.
struct Rng {
    uint64_t s;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

// One CPU's share: its own frames and output buffers (a test run writes the
// output into them), pinned to its CPU.
class Runner {
public:
    Runner(const Director& d, int cpu, uint64_t seed) : d_(d), cpu_(cpu), rng_{seed} {
        for (uint16_t f = 0; f < kFlows; ++f) {
            FrameSpec s;
            s.sport = static_cast<uint16_t>(20000 + f);
            frames_.push_back(frame(s));  // SYN
            s.tcp_flags = 0x18;           // PSH ACK
            s.payload = "data";
            frames_.push_back(frame(s));
        }
        for (const Bytes& f : frames_)
            runs_.push_back(std::make_unique<XdpTestRun>(f, 1));
    }

    void operator()(MappedArray<lvs_conn_slot4>& slots) {
        pin_to_cpu(cpu_);
        for (int i = 0; i < kRunsPerCpu; ++i) {
            XdpTestRun& r = *runs_[rng_.next() % runs_.size()];
            r.run(d_.prog_fd());
            not_forwarded_ += r.result().action != XDP_TX;
            if (i % kExpireEvery == 0)
                std::atomic_ref<__u64>(slots.at(rng_.next() % kSlots).conn.expires).store(0);
        }
    }
    int not_forwarded() const { return not_forwarded_; }

private:
    const Director& d_;
    int cpu_;
    Rng rng_;
    std::vector<Bytes> frames_;
    std::vector<std::unique_ptr<XdpTestRun>> runs_;
    int not_forwarded_ = 0;
};

TEST(ConnRace, TwoCpusOnOneSmallTableKeepEverySlotWholeAndEveryCountRight) {
    const std::vector<int> cpus = online_cpus();
    if (cpus.size() < 2)
        GTEST_SKIP() << "needs two CPUs";
    CpuPin restore;
    Director d{kSlots};
    d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
    for (int i = 0; i < kServers; ++i) {
        d.ipvsadm("-a -t 10.1.0.100:80 -r " + rip(i) + ":80 -g");
        d.set_mac(rip(i), Mac{0x02, 0, 0, 0, 0, static_cast<uint8_t>(0x11 + i)});
    }
    MappedArray<lvs_conn_slot4> slots(d.maps().conn_slots4);

    Runner a(d, cpus[0], 0x9e3779b97f4a7c15ULL);
    Runner b(d, cpus[1], 0xc2b2ae3d27d4eb4fULL);
    std::thread ta([&] { a(slots); });
    std::thread tb([&] { b(slots); });
    ta.join();
    tb.join();
    EXPECT_EQ(a.not_forwarded() + b.not_forwarded(), 0);

    std::set<std::pair<uint64_t, uint64_t>> keys;
    std::map<uint32_t, std::pair<int32_t, int32_t>> counted;  // dest id: active, inactive entries
    uint32_t held = 0;
    for (uint32_t i = 0; i < kSlots; ++i) {
        const lvs_conn_slot4& s = slots.at(i);
        const uint64_t w0 = lvs_key4_word(&s.key, 0), w1 = lvs_key4_word(&s.key, 1);
        EXPECT_EQ(w1 & LVS_SLOT_BUSY, 0u) << "slot " << i << " left being written";
        if (w0 == 0 && w1 == 0)
            continue;
        ++held;
        EXPECT_TRUE(keys.insert({w0, w1}).second) << "port " << ntohs(s.key.sport) << " is in two slots";
        EXPECT_NE(s.conn.acct, static_cast<uint32_t>(LVS_ACCT_NONE))
            << "slot " << i << " (port " << ntohs(s.key.sport) << ") holds an entry its server does not count";
        auto& [active, inactive] = counted[s.conn.dest_id];
        active += s.conn.acct == LVS_ACCT_ACTIVE;
        inactive += s.conn.acct == LVS_ACCT_INACTIVE;
    }
    EXPECT_GT(held, kSlots / 2) << "the flows should keep the table busy";
    DestConns counters(d.maps().dest_conns);
    for (int i = 0; i < kServers; ++i) {
        const uint32_t id = d.dest_id(rip(i));
        EXPECT_EQ(counters.raw(id, DestCounter::Active), counted[id].first) << rip(i) << " active";
        EXPECT_EQ(counters.raw(id, DestCounter::Inactive), counted[id].second) << rip(i) << " inactive";
    }
    const lvs_xdp_stats x = d.xdp_stats();
    EXPECT_EQ(x.tx, 2u * kRunsPerCpu) << "passed " << x.pass << ", no server " << x.no_dest << ", removed server "
                                      << x.nodest_drop << ", rewrite failed " << x.drop_error;
    EXPECT_GT(x.resched, 0u) << "no dead entry was taken over";
    EXPECT_GT(x.conn_evicted, 0u) << "no live entry was evicted";
}

}  // namespace
}  // namespace lvs::test
