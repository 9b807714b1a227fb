// SYN floods against the connection table (issue 8, "Floods and exhaustion"):
// what the real object's IPv4 table (lvs_conn_slots4: a fixed array of slots
// in groups of four, each flow in one of the two groups its hash names) does
// when new 5-tuples arrive far faster than it can hold them.
// docs/robustness.md, "SYN floods", states the rules these tests hold:
//   - a flow's entry counts as used from its second packet on, and a new
//     flow whose eight candidate slots are all taken displaces an entry that
//     expired, else one never used (a flood's own, or a half-open
//     connection's), soonest-expiring first, and a used one only when all
//     eight are used;
//   - so a connection that talked keeps its entry and its server however
//     long the flood lasts and however long it is silent, while half-open
//     connections go the way of the flood's entries;
//   - the table never holds more than its slots, every flood SYN is
//     forwarded and counted (new_conns, the service's conns), and every live
//     entry displaced is counted in conn_evicted.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr uint32_t kSlots = 8192;          // the table: 2,048 groups of four
constexpr uint32_t kBurst = kSlots;          // new flows between two packets of a held flow
constexpr uint32_t kBursts = 16;             // 16 times the table: it overflows many times
constexpr uint16_t kHeld = 64;               // flows that keep sending
constexpr uint16_t kIdle = 64;               // flows that talked once, then go quiet
constexpr uint16_t kHalfOpen = 64;           // flows that sent their SYN only
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
    Director d{kSlots};

    void SetUp() override { configure(d); }
};

TEST_F(FloodTest, ConnectionsThatTalkedKeepTheirServerWhileTheFloodOverflowsTheTable) {
    ASSERT_EQ(d.maps().conn_slots4.max_entries(), kSlots);
    const Flows held(d, 10000, kHeld, true);
    const Flows idle(d, 20000, kIdle, true);
    const Flows half_open(d, 40000, kHalfOpen, false);
    const uint64_t entries_before = d.conn_entries();
    ASSERT_EQ(entries_before, uint64_t{kHeld} + kIdle + kHalfOpen);
    const lvs_xdp_stats before = d.xdp_stats();
    const lvs_counters svc_before = d.service_counters(kVip);

    SynFlood flood(0);
    uint64_t forwarded = 0;
    uint64_t most_entries = 0;
    for (uint32_t burst = 0; burst < kBursts; ++burst) {
        forwarded += flood.send(d, kBurst);
        for (uint16_t i = 0; i < kHeld; ++i) {
            const RunResult r = d.run(held.data(i));
            ASSERT_EQ(r.action, XDP_TX) << "held flow " << i << " after burst " << burst;
            ASSERT_EQ(dst_mac(r.out), held.server[i]) << "held flow " << i << " changed server after burst " << burst;
        }
        most_entries = std::max(most_entries, d.conn_entries());
    }

    const uint64_t flood_syns = uint64_t{kBurst} * kBursts;
    EXPECT_EQ(forwarded, flood_syns) << "every SYN of the flood is scheduled and forwarded";
    EXPECT_EQ(most_entries, kSlots) << "the flood fills the table, and no more";
    // The flood is visible: one new connection per flood SYN and not one more
    // (a held flow scheduled anew would add one), and every SYN that found
    // no free slot displaced a live entry, counted.
    const lvs_xdp_stats after = d.xdp_stats();
    EXPECT_EQ(after.new_conns - before.new_conns, flood_syns);
    EXPECT_EQ(after.resched - before.resched, 0u);
    EXPECT_EQ(d.service_counters(kVip).conns - svc_before.conns, flood_syns);
    EXPECT_EQ(after.conn_evicted - before.conn_evicted, flood_syns - (kSlots - entries_before));
    EXPECT_EQ(held.held(d), size_t{kHeld});

    // The idle flows, silent through 16 tables' worth of new flows, kept
    // their entries and servers: no new connection for their packets.
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

}  // namespace
}  // namespace lvs::test
