// Which slot a new IPv4 flow takes when its eight candidate slots (two groups
// of four in lvs_conn_slots4, include/lvs_xdp/conn_slots.h) are taken: the
// real object's choice, one rule of lvs_conn_slot_rank at a time. Each test
// writes the eight slots directly (foreign flows, whose keys need not hash
// there: only the slots' contents decide), sends one SYN of the new flow and
// looks where it landed, what was displaced, and what was counted.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <array>
#include <cstring>

#include "lvs_xdp/conn_slots.h"
#include "maps/bpf_map.h"
#include "maps/dest_conns.h"
#include "maps/mapped_array.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr uint32_t kSlots = 1024;
constexpr int kCandidates = 2 * LVS_CONN_WAYS;
const char* kRs1 = "10.1.0.11";

class EvictTest : public ::testing::Test {
protected:
    Director d{kSlots};
    MappedArray<lvs_conn_slot4> slots{d.maps().conn_slots4};
    uint64_t now = Director::now_jiffies();
    uint64_t hz = d.hz();
    FrameSpec syn;  // the new flow: client 10.1.0.10:40000 to the VIP
    lvs_flow_key4 key{};
    std::array<uint32_t, kCandidates> candidate{};  // its group a's slots, then group b's

    void SetUp() override {
        d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
        d.ipvsadm(std::string("-a -t 10.1.0.100:80 -r ") + kRs1 + ":80 -g");
        d.set_mac(kRs1, Mac{0x02, 0, 0, 0, 0, 0x11});
        const lvs_flow_key k = flow_key(frame(syn));
        key = lvs_flow_key4_of(&k);
        const uint64_t seed = ArrayMap<lvs_config>(d.maps().config).get(0).conn_seed;
        uint32_t a = 0;
        uint32_t b = 0;
        lvs_conn_groups4(&key, seed, kSlots / LVS_CONN_WAYS - 1, &a, &b);
        for (int i = 0; i < LVS_CONN_WAYS; ++i) {
            candidate[i] = a + i;
            candidate[LVS_CONN_WAYS + i] = b + i;
        }
    }

    lvs_conn_slot4& at(int i) const { return slots.at(candidate[i]); }
    // Candidate i holds a foreign flow (client 192.0.2.1, port 1000 + i),
    // counted nowhere, expiring in_s seconds from now (negative: ended).
    void occupy(int i, int64_t in_s, bool used) const {
        lvs_conn_slot4& s = at(i);
        s = lvs_conn_slot4{};
        s.key.saddr = htonl(0xc0000201);
        s.key.daddr = key.daddr;
        s.key.sport = htons(static_cast<uint16_t>(1000 + i));
        s.key.dport = key.dport;
        s.key.proto = key.proto;
        s.conn.expires = now + in_s * static_cast<int64_t>(hz);
        s.conn.flags = used ? LVS_CONN_F_USED : 0;
        s.conn.state = LVS_TCP_S_ESTABLISHED;
    }
    bool holds_new_flow(int i) const { return std::memcmp(&at(i).key, &key, sizeof(key)) == 0; }
    bool holds_foreign(int i) const { return ntohs(at(i).key.sport) == 1000 + i; }
    // Sends the new flow's SYN; returns the candidate it landed in (-1: none)
    // after checking it was forwarded and every other candidate is unchanged.
    int send_syn() const {
        EXPECT_EQ(d.run(frame(syn)).action, XDP_TX);
        int landed = -1;
        for (int i = 0; i < kCandidates; ++i) {
            if (holds_new_flow(i)) {
                EXPECT_EQ(landed, -1) << "the flow is in two slots";
                landed = i;
            }
        }
        return landed;
    }
    uint64_t evicted() { return d.xdp_stats().conn_evicted; }
    uint64_t store_fails() { return d.xdp_stats().conn_store_fail; }
    // Candidate i as another CPU leaves it while it writes the slot: the
    // busy bit in its key's second word (conn_slots.h).
    void mark_busy(int i) const { at(i).key.pad[2] |= static_cast<uint8_t>(LVS_SLOT_BUSY >> 56); }
    uint32_t rs1_inactive() { return DestConns(d.maps().dest_conns).read(d.dest_id(kRs1)).inactive; }
};

TEST_F(EvictTest, AnEndedEntryIsTakenBeforeAnyLiveOneAndNoEvictionIsCounted) {
    for (int i = 0; i < kCandidates; ++i)
        occupy(i, i == 1 ? 60 : 30 + i, i != 1);  // 1: live and never used
    occupy(6, -1, true);
    const uint64_t before = evicted();
    EXPECT_EQ(send_syn(), 6);
    EXPECT_EQ(evicted(), before);
    for (int i = 0; i < kCandidates; ++i) {
        if (i != 6) {
            EXPECT_TRUE(holds_foreign(i)) << "candidate " << i;
        }
    }
}

TEST_F(EvictTest, ALiveEntryNeverUsedGoesBeforeAUsedOneThatExpiresSooner) {
    for (int i = 0; i < kCandidates; ++i)
        occupy(i, 10 + i, true);
    occupy(5, 300, false);
    const uint64_t before = evicted();
    EXPECT_EQ(send_syn(), 5);
    EXPECT_EQ(evicted(), before + 1);
}

TEST_F(EvictTest, AmongNeverUsedEntriesTheSoonestExpiringGoes) {
    for (int i = 0; i < kCandidates; ++i)
        occupy(i, 10, true);
    occupy(2, 200, false);
    occupy(7, 100, false);
    EXPECT_EQ(send_syn(), 7);
    EXPECT_TRUE(holds_foreign(2));
}

TEST_F(EvictTest, WhenAllAreUsedTheSoonestExpiringGoes) {
    for (int i = 0; i < kCandidates; ++i)
        occupy(i, 100 + 10 * i, true);
    occupy(3, 20, true);
    const uint64_t before = evicted();
    EXPECT_EQ(send_syn(), 3);
    EXPECT_EQ(evicted(), before + 1);
}

// Two choices: the group with more free slots takes the flow, whichever of
// the two it is.
TEST_F(EvictTest, AFreeSlotOfTheEmptierGroupIsTaken) {
    for (int emptier : {0, 1}) {
        for (int i = 0; i < kCandidates; ++i)
            at(i) = lvs_conn_slot4{};
        // The fuller group keeps one free slot, the emptier three.
        const int fuller_first = (1 - emptier) * LVS_CONN_WAYS;
        for (int i = 0; i < LVS_CONN_WAYS - 1; ++i)
            occupy(fuller_first + i, 60, true);
        occupy(emptier * LVS_CONN_WAYS, 60, true);
        const uint64_t before = evicted();
        const int landed = send_syn();
        EXPECT_EQ(landed / LVS_CONN_WAYS, emptier) << "landed in candidate " << landed;
        EXPECT_EQ(evicted(), before);
        d.forget(frame(syn));
    }
}

// A flow displaced from its slot leaves its server's counters, as a flow that
// ends does: the server counts the new flow and not the one that went.
TEST_F(EvictTest, TheDisplacedFlowLeavesItsServersCount) {
    FrameSpec other = syn;
    other.sport = 41000;
    ASSERT_EQ(d.run(frame(other)).action, XDP_TX);  // counted inactive on rs1
    const lvs_flow_key ok = flow_key(frame(other));
    const lvs_flow_key4 other_key = lvs_flow_key4_of(&ok);
    // Move it into candidate 0, the only one of the eight that was never used.
    for (uint32_t i = 0; i < kSlots; ++i) {
        if (std::memcmp(&slots.at(i).key, &other_key, sizeof(other_key)) == 0) {
            const lvs_conn_slot4 moved = slots.at(i);
            slots.at(i) = lvs_conn_slot4{};
            for (int c = 1; c < kCandidates; ++c)
                occupy(c, 60, true);
            at(0) = moved;
            break;
        }
    }
    ASSERT_EQ(std::memcmp(&at(0).key, &other_key, sizeof(other_key)), 0) << "the first flow's entry was not found";
    DestConns counters(d.maps().dest_conns);
    const uint32_t rs1 = d.dest_id(kRs1);
    ASSERT_EQ(counters.read(rs1).inactive, 1u);
    const uint64_t before = evicted();
    EXPECT_EQ(send_syn(), 0);
    EXPECT_EQ(evicted(), before + 1);
    EXPECT_EQ(counters.read(rs1).inactive, 1u) << "the new flow is counted, the displaced one no longer";
}

// Slots being written by other CPUs are never taken; when all eight are, the
// packet still goes to its server, the entry is not stored, the server does
// not keep counting it, and the failure is counted. Once the writers are done
// the flow's next packet is stored.
TEST_F(EvictTest, WhenAllEightSlotsAreBeingWrittenTheFlowGoesOnUnstoredAndIsCounted) {
    for (int i = 0; i < kCandidates; ++i) {
        occupy(i, -1, true);
        mark_busy(i);
    }
    const uint64_t fails = store_fails();
    EXPECT_EQ(send_syn(), -1);
    EXPECT_EQ(store_fails(), fails + 1);
    EXPECT_EQ(rs1_inactive(), 0u) << "a flow without an entry is not counted on its server";
    for (int i = 0; i < kCandidates; ++i) {
        EXPECT_TRUE(holds_foreign(i)) << "candidate " << i << " was written while busy";
        at(i).key.pad[2] = 0;  // the writers publish
    }
    EXPECT_GE(send_syn(), 0);
    EXPECT_EQ(store_fails(), fails + 1);
    EXPECT_EQ(rs1_inactive(), 1u);
}

// Another CPU writing the flow's own slot decides its entry: the flow must
// not take a second slot, where one copy would shadow the other.
TEST_F(EvictTest, AFlowWhoseOwnSlotIsBeingWrittenTakesNoOtherSlot) {
    at(5) = lvs_conn_slot4{};
    at(5).key = key;
    at(5).conn.expires = now + 60 * hz;
    mark_busy(5);
    const uint64_t fails = store_fails();
    EXPECT_EQ(send_syn(), -1) << "a second slot holds the flow";
    EXPECT_EQ(store_fails(), fails + 1);
    EXPECT_EQ(rs1_inactive(), 0u);
}

}  // namespace
}  // namespace lvs::test
