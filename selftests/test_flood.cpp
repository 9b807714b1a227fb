// SYN floods against the connection table (issue 8, "Floods and exhaustion"):
// what the real object's table (an LRU hash with BPF_F_NO_COMMON_LRU, i.e.
// one LRU list per CPU, each max_entries / possible CPUs long) does when new
// 5-tuples arrive far faster than it can hold them. docs/robustness.md,
// "SYN floods", states the rules these tests hold:
//   - a flow's entry counts as used from its second packet on (the program
//     stores a new flow's entry without looking it up again), and the LRU
//     evicts entries not used since it last looked at them first: the
//     flood's own entries, one packet each, oldest first;
//   - so a connection that passes a packet while its CPU inserts a list's
//     worth of new flows keeps its entry and its server, and once the
//     flood's entries outnumber the used ones it keeps them however long it
//     is silent;
//   - a flow that sent one packet only (a half-open connection, like the
//     flood's own) is evicted once its CPU inserts a list's worth;
//   - a flood received on one CPU evicts only entries that CPU inserted;
//   - the table never holds more than max_entries, and every flood SYN is
//     forwarded and counted (new_conns, the service's conns).
// BPF_PROG_TEST_RUN runs on the caller's CPU, so the tests pin themselves.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <cstring>
#include <string>
#include <vector>

#include "testkit/cpu.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr uint32_t kListPerCpu = 4096;       // each CPU's LRU list
constexpr uint32_t kFirstBurst = kListPerCpu / 4;  // the flood's first list: everyone talks
constexpr uint32_t kBurst = kListPerCpu * 2;       // later: new flows between two packets of a held flow
constexpr uint32_t kBursts = 16;                   // 32 times a CPU's list: the table overflows many times
constexpr uint16_t kHeld = 64;                     // flows that keep sending
constexpr uint16_t kIdle = 64;                     // flows that talk in the flood's first list, then go quiet
constexpr uint16_t kHalfOpen = 64;            // flows that sent their SYN only
const char* kVip = "10.1.0.100:80";

Mac server_mac(int i) { return Mac{0x02, 0, 0, 0, 0, static_cast<uint8_t>(0x11 + i)}; }

// rr over three servers, and bursts that are no multiple of three: a held
// flow scheduled anew would change server, so a kept server shows a kept
// entry (with four servers and bursts of 1,024, rr gave evicted flows their
// old server back by chance).
void configure(Director& d) {
    d.ipvsadm(std::string("-A -t ") + kVip + " -s rr");
    for (int i = 0; i < 3; ++i) {
        const std::string rip = "10.1.0." + std::to_string(11 + i);
        d.ipvsadm(std::string("-a -t ") + kVip + " -r " + rip + ":80 -g");
        d.set_mac(rip, server_mac(i));
    }
}

FrameSpec client_flow(uint16_t sport, uint8_t flags) {
    FrameSpec s;
    s.sport = sport;
    s.tcp_flags = flags;
    s.payload = flags == 0x02 ? "" : "data";
    return s;
}

Mac dst_mac(const Bytes& out) {
    Mac m;
    std::copy(out.begin(), out.begin() + 6, m.begin());
    return m;
}

// SYNs of new 5-tuples: flow i comes from 172.16.0.0 + i / 65536, port
// i % 65536. The bytes are patched in a template; the checksums are left as
// they are, as no DR path verifies them (a flood's checksums are the
// attacker's to choose anyway).
class SynFlood {
public:
    explicit SynFlood(uint32_t first) : next_(first), frame_(frame(client_flow(0, 0x02))) {}

    // Runs n new SYNs; returns how many were forwarded (XDP_TX).
    uint32_t send(const Director& d, uint32_t n) {
        uint32_t forwarded = 0;
        for (uint32_t k = 0; k < n; ++k, ++next_) {
            const uint32_t saddr = htonl(0xac100000u + (next_ >> 16));
            std::memcpy(&frame_[kEth + 12], &saddr, 4);
            put16(frame_, kEth + 20, static_cast<uint16_t>(next_));
            forwarded += d.run(frame_).action == XDP_TX;
        }
        return forwarded;
    }

private:
    uint32_t next_;
    Bytes frame_;
};

// Flows opened by a SYN each, and answered by a data packet each when they
// talk (a handshake's last ACK would do as well); remembers each one's server.
struct Flows {
    uint16_t first_port;
    std::vector<Mac> server;

    Flows(const Director& d, uint16_t first, uint16_t n, bool talk) : first_port(first) {
        for (uint16_t i = 0; i < n; ++i) {
            server.push_back(dst_mac(d.run(frame(client_flow(first + i, 0x02))).out));
            if (talk) {
                EXPECT_EQ(dst_mac(d.run(data(i)).out), server.back());
            }
        }
    }
    Bytes data(uint16_t i) const { return frame(client_flow(first_port + i, 0x18)); }  // PSH ACK
    // How many of the flows still have an entry.
    size_t held(const Director& d) const {
        size_t n = 0;
        for (uint16_t i = 0; i < server.size(); ++i)
            n += d.conn(data(i)).has_value();
        return n;
    }
    // How many of the flows' next packets go to the server they had.
    size_t on_first_server(const Director& d) const {
        size_t n = 0;
        for (uint16_t i = 0; i < server.size(); ++i)
            n += dst_mac(d.run(data(i)).out) == server[i];
        return n;
    }
};

class FloodTest : public ::testing::Test {
protected:
    Director d{Director::table_size_for(kListPerCpu * online_cpus().size())};
    CpuPin restore_affinity_at_exit;
    int flood_cpu = online_cpus().front();

    void SetUp() override {
        configure(d);
        pin_to_cpu(flood_cpu);
    }
};

// Without the rule (an entry looked up right after it was stored counts as
// used, as every flood SYN's would), held flows sending once per two lists'
// worth and the idle ones are evicted and rescheduled.
TEST_F(FloodTest, ConnectionsThatTalkedKeepTheirServerWhileTheFloodOverflowsTheTable) {
    const uint64_t max_entries = d.maps().conns4.max_entries();
    const Flows held(d, 10000, kHeld, true);
    const Flows idle(d, 20000, kIdle, true);
    const Flows half_open(d, 40000, kHalfOpen, false);
    const lvs_xdp_stats before = d.xdp_stats();
    const lvs_counters svc_before = d.service_counters(kVip);

    SynFlood flood(0);
    uint32_t forwarded = 0;
    uint64_t most_entries = 0;
    auto expect_kept = [&](const Flows& f, const std::string& what) {
        for (uint16_t i = 0; i < f.server.size(); ++i) {
            const RunResult r = d.run(f.data(i));
            ASSERT_EQ(r.action, XDP_TX) << what << " flow " << i;
            ASSERT_EQ(dst_mac(r.out), f.server[i]) << what << " flow " << i << " changed server";
        }
    };
    // The flood's first list: the table fills, and the held and idle flows
    // pass a packet now and then (their entries, the only used ones, are all
    // the LRU has to rotate until the flood's outnumber them).
    for (uint32_t sent = 0; sent < kListPerCpu; sent += kFirstBurst) {
        forwarded += flood.send(d, kFirstBurst);
        expect_kept(held, "held");
        expect_kept(idle, "idle");
    }
    // Then 30 lists' worth in bursts of two lists; only the held flows talk,
    // once between bursts.
    for (uint32_t burst = 0; burst < kBursts - 1; ++burst) {
        forwarded += flood.send(d, kBurst);
        expect_kept(held, "held after burst " + std::to_string(burst));
        most_entries = std::max(most_entries, d.conn_entries());
    }

    const uint64_t flood_syns = uint64_t{kBurst} * (kBursts - 1) + kListPerCpu;
    EXPECT_EQ(forwarded, flood_syns) << "every SYN of the flood is scheduled and forwarded";
    EXPECT_LE(most_entries, max_entries);
    EXPECT_GE(most_entries, max_entries / 2) << "the flood should have filled the table";
    // The flood is visible: one new connection per flood SYN and not one more
    // (a held flow scheduled anew would add one), and no held entry was dead.
    const lvs_xdp_stats after = d.xdp_stats();
    EXPECT_EQ(after.new_conns - before.new_conns, flood_syns);
    EXPECT_EQ(after.resched - before.resched, 0u);
    EXPECT_EQ(d.service_counters(kVip).conns - svc_before.conns, flood_syns);
    EXPECT_EQ(held.held(d), size_t{kHeld});

    // The idle flows, silent through 30 lists' worth of inserts on their CPU,
    // kept their entries and servers: no new connection for their packets.
    EXPECT_EQ(idle.held(d), size_t{kIdle});
    EXPECT_EQ(idle.on_first_server(d), size_t{kIdle});
    EXPECT_EQ(d.xdp_stats().new_conns, after.new_conns);

    // The half-open ones went the way of the flood's entries: their next
    // packets are new flows to the scheduler.
    EXPECT_EQ(half_open.held(d), 0u);
    for (uint16_t i = 0; i < kHalfOpen; ++i)
        EXPECT_EQ(d.run(half_open.data(i)).action, XDP_TX);
    EXPECT_EQ(d.xdp_stats().new_conns - after.new_conns, uint64_t{kHalfOpen});
}

// Each CPU evicts from its own list only: flows inserted on another CPU, even
// half-open ones, outlive a flood received on this one; the same half-open
// flows on the flood's CPU do not.
TEST_F(FloodTest, AFloodOnOneCpuEvictsOnlyThatCpusEntries) {
    const std::vector<int> cpus = online_cpus();
    if (cpus.size() < 2)
        GTEST_SKIP() << "needs two online CPUs";
    pin_to_cpu(cpus[1]);
    const Flows other_cpu(d, 30000, kHalfOpen, false);
    pin_to_cpu(flood_cpu);
    const Flows same_cpu(d, 20000, kHalfOpen, false);

    SynFlood(0).send(d, 4 * kListPerCpu);

    EXPECT_EQ(other_cpu.held(d), size_t{kHalfOpen});
    EXPECT_EQ(same_cpu.held(d), 0u);
    EXPECT_EQ(other_cpu.on_first_server(d), size_t{kHalfOpen});
}

}  // namespace
}  // namespace lvs::test
