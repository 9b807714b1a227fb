// 802.1Q and QinQ on the real XDP object: a tagged frame to a VIP is balanced
// as the untagged one to a server on its VLAN, and leaves with its tags where
// they were (behind the MACs: after DR's MAC rewrite, in front of TUN's outer
// header, around NAT's rewritten packet and its reply, and ICMP answers). The
// expected frames are the untagged expectation with the same tags put in. A
// frame never goes to a server of another VLAN (or untagged to one on a VLAN):
// it would keep its tags and reach the wrong segment.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs{0x02, 0, 0, 0, 0, 0x11};
const char* kVip = "10.1.0.100";
const Bytes kDot1q = {0x81, 0x00, 0x20, 0x64};                          // VLAN 100, priority 1
const Bytes kQinQ = {0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64};  // S-VLAN 10, C-VLAN 100
const Bytes kVlan200 = {0x81, 0x00, 0x00, 0xc8};

// A tag stack, and the server's VLANs it belongs to.
struct Stack {
    Bytes tags;
    uint16_t vlan_id, vlan_outer;
};
const Stack kStacks[] = {{kDot1q, 100, 0}, {kQinQ, 100, 10}};

// A frame as DR sends it on to the server: only the MACs rewritten.
Bytes to_server(Bytes f) {
    std::copy(kRs.begin(), kRs.end(), f.begin());
    std::copy(kDirectorMac.begin(), kDirectorMac.end(), f.begin() + 6);
    return f;
}

class VlanTest : public ::testing::Test {
protected:
    Director d;
    void add_dr_service() {
        d.ipvsadm(std::string("-A -t ") + kVip + ":80 -s rr");
        d.ipvsadm(std::string("-a -t ") + kVip + ":80 -r 10.1.0.11 -g");
        d.set_mac("10.1.0.11", kRs);
    }
    void expect_passed(const Bytes& in) {
        RunResult r = d.run(in);
        EXPECT_EQ(r.action, XDP_PASS);
        EXPECT_EQ(r.out, in);
    }
    void expect_tx(const Bytes& in, const Bytes& want) {
        RunResult r = d.run(in);
        EXPECT_EQ(r.action, XDP_TX);
        EXPECT_EQ(r.out, want);
    }
};

TEST_F(VlanTest, DrKeepsTheTagsAndRewritesOnlyTheMacs) {
    add_dr_service();
    FrameSpec s;
    s.payload = "GET / HTTP/1.0\r\n\r\n";
    for (const Stack& st : kStacks) {
        SCOPED_TRACE(st.tags.size());
        d.set_vlans("10.1.0.11", st.vlan_id, st.vlan_outer);
        expect_tx(with_tags(frame(s), st.tags), with_tags(to_server(frame(s)), st.tags));
        s.sport++;
    }
    EXPECT_EQ(d.xdp_stats().new_conns, 2u);
    // For the server on QinQ's 10/100: not untagged, not VLAN 200, nor a
    // single tag of its inner VLAN; on VLAN 100 alone, not QinQ's 10/100.
    expect_passed(frame(s));
    s.sport++;
    expect_passed(with_tags(frame(s), kVlan200));
    s.sport++;
    expect_passed(with_tags(frame(s), kDot1q));
    d.set_vlans("10.1.0.11", 100);
    s.sport++;
    expect_passed(with_tags(frame(s), kQinQ));
    EXPECT_EQ(d.xdp_stats().tx, 2u);
}

TEST_F(VlanTest, AServerOnTheUntaggedSegmentGetsUntaggedFramesOnly) {
    add_dr_service();
    FrameSpec s;
    expect_tx(frame(s), to_server(frame(s)));
    expect_passed(with_tags(frame(s), kDot1q));
    s.sport++;
    expect_passed(with_tags(frame(s), kQinQ));
}

// A priority tag (VLAN id 0, 802.1p priority only) is the untagged segment's:
// balanced to its servers with the tag kept, as IPVS sees such a frame.
TEST_F(VlanTest, APriorityTaggedFrameIsTheUntaggedSegmentsAndKeepsItsTag) {
    add_dr_service();
    const Bytes kPriority5 = {0x81, 0x00, 0xa0, 0x00};
    const Bytes kQinQPriority = {0x88, 0xa8, 0x20, 0x00, 0x81, 0x00, 0xa0, 0x00};
    FrameSpec s;
    for (const Bytes& tags : {kPriority5, kQinQPriority}) {
        s.sport++;
        expect_tx(with_tags(frame(s), tags), with_tags(to_server(frame(s)), tags));
    }
}

TEST_F(VlanTest, TaggedFramesForNoServicePassUntouched) {
    add_dr_service();
    FrameSpec other;
    other.dport = 22;
    for (const Bytes& in : {with_tags(frame(other), kDot1q), with_tags(frame(other), kQinQ),
                            with_tags(arp_request(kVip), kDot1q), with_tags(icmp_echo("10.1.0.10", kVip), kQinQ)})
        expect_passed(in);
}

TEST_F(VlanTest, TunPutsTheOuterHeaderBehindTheTags) {
    d.ipvsadm(std::string("-A -t ") + kVip + ":80 -s rr");
    d.ipvsadm(std::string("-a -t ") + kVip + ":80 -r 10.9.0.19 -i");
    d.set_tunnel_path("10.9.0.19", kRs, "10.1.0.2", 1500);
    FrameSpec s;
    s.payload = "GET /tunnel HTTP/1.0\r\n\r\n";
    for (const Stack& st : kStacks) {
        SCOPED_TRACE(st.tags.size());
        d.set_vlans("10.9.0.19", st.vlan_id, st.vlan_outer);
        const Bytes& tags = st.tags;
        s.sport++;
        Bytes in = frame(s);
        Bytes outer = ipv4_header({.id = get16(in, kEth + 4),
                                   .df = true,
                                   .ttl = 64,
                                   .proto = 4,
                                   .saddr = "10.1.0.2",
                                   .daddr = "10.9.0.19",
                                   .payload_len = in.size() - kEth});
        Bytes want = concat({ethernet_header(kRs, kDirectorMac), outer, Bytes(in.begin() + kEth, in.end())});
        expect_tx(with_tags(in, tags), with_tags(want, tags));
    }
}

// The ICMP answer to a packet too big for the tunnel (DF set) is built in
// the frame it answers: it goes back with that frame's tags.
TEST_F(VlanTest, FragmentationNeededGoesBackWithTheTags) {
    d.ipvsadm(std::string("-A -t ") + kVip + ":80 -s rr");
    d.ipvsadm(std::string("-a -t ") + kVip + ":80 -r 10.9.0.19 -i");
    d.set_tunnel_path("10.9.0.19", kRs, "10.1.0.2", 300);
    FrameSpec s;
    s.payload.assign(400, 'x');
    RunResult untagged_answer = d.run(frame(s));
    ASSERT_EQ(untagged_answer.action, XDP_TX);
    ASSERT_EQ(untagged_answer.out[kEth + 9], 1);  // ICMP
    for (const Stack& st : kStacks) {
        SCOPED_TRACE(st.tags.size());
        d.set_vlans("10.9.0.19", st.vlan_id, st.vlan_outer);
        expect_tx(with_tags(frame(s), st.tags), with_tags(untagged_answer.out, st.tags));
    }
    EXPECT_EQ(d.xdp_stats().pmtu_icmp, 3u);
}

TEST_F(VlanTest, NatRewritesInPlaceBothWaysWithTheTagsKept) {
    const Mac nat_rs{0x02, 0, 0, 0, 0, 0x41};
    d.ipvsadm(std::string("-A -u ") + kVip + ":53 -s rr");
    d.ipvsadm(std::string("-a -u ") + kVip + ":53 -r 10.2.0.11:5353 -m");
    d.set_mac("10.2.0.11", nat_rs);
    d.set_vlans("10.2.0.11", 100, 10);  // kQinQ's
    FrameSpec c;
    c.proto = 17;
    c.dport = 53;
    c.payload = "query";
    FrameSpec at_server = c;
    at_server.daddr = "10.2.0.11";
    at_server.dport = 5353;
    at_server.ttl--;
    at_server.src_mac = kDirectorMac;
    at_server.dst_mac = nat_rs;
    expect_tx(with_tags(frame(c), kQinQ), with_tags(frame(at_server), kQinQ));

    FrameSpec reply;
    reply.proto = 17;
    reply.saddr = "10.2.0.11";
    reply.sport = 5353;
    reply.daddr = c.saddr;
    reply.dport = c.sport;
    reply.src_mac = nat_rs;
    reply.dst_mac = kDirectorMac;
    reply.payload = "answer";
    FrameSpec at_client = reply;
    at_client.saddr = kVip;
    at_client.sport = 53;
    at_client.ttl--;
    at_client.src_mac = kDirectorMac;
    at_client.dst_mac = kClientMac;
    expect_tx(with_tags(frame(reply), kDot1q), with_tags(frame(at_client), kDot1q));
}

}  // namespace
}  // namespace lvs::test
