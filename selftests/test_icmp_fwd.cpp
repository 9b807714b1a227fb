// ICMP errors about DR and TUN flows on the real XDP object: the server answers
// the client from the VIP, so errors about its answers come to the director,
// which sends them on, unchanged, the way the flow's packets go. Exact bytes.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs{0x02, 0, 0, 0, 0, 0x51};
const Mac kRouterMac{0x02, 0, 0, 0, 0, 0xfe};
const char* kVip = "10.1.0.100";
const char* kClient = "10.1.0.10";
const char* kRouter = "10.1.0.254";
const char* kRip = "10.1.0.51";
const char* kTunSrc = "10.1.0.2";

// The client's packet that makes the flow.
FrameSpec request(uint8_t proto) {
    FrameSpec s;
    s.proto = proto;
    s.payload = "ping";
    return s;
}

// The server's answer as it leaves the server: from the VIP, to the client.
FrameSpec answer(uint8_t proto) {
    FrameSpec s = request(proto);
    s.saddr = kVip;
    s.sport = 80;
    s.daddr = kClient;
    s.dport = 40000;
    s.tcp_flags = 0x12;
    return s;
}

// An ICMP error from `from` to the VIP quoting the first `quoted` bytes of
// the answer's IP packet (RFC 792: its header and 8 bytes), checksums valid.
Bytes icmp_about(const FrameSpec& answered, uint8_t type, uint8_t code, uint16_t mtu, const char* from,
                 size_t quoted = 28) {
    Bytes a = frame(answered);
    Bytes icmp(8 + quoted);
    icmp[0] = type;
    icmp[1] = code;
    put16(icmp, 6, mtu);
    std::copy(a.begin() + kEth, a.begin() + kEth + quoted, icmp.begin() + 8);
    put16(icmp, 2, inet_checksum(icmp.data(), icmp.size()));
    Ipv4Header ip{.df = false, .proto = 1, .saddr = from, .daddr = kVip, .payload_len = icmp.size()};
    return concat({ethernet_header(kDirectorMac, kRouterMac), ipv4_header(ip), icmp});
}

// Every frame counted once: forwarded, passed or dropped.
void expect_counted_once(const lvs_xdp_stats& s) {
    EXPECT_EQ(s.rx, s.pass + s.tx + s.redirect + s.no_dest + s.fullnat_no_port + s.drop_error + s.icmp_bad_mtu +
              s.nodest_drop);
}

class IcmpFwdTest : public ::testing::Test {
protected:
    Director d;

    void add_dr(const char* proto) {
        d.ipvsadm(std::string("-A ") + proto + " " + kVip + ":80 -s rr");
        d.ipvsadm(std::string("-a ") + proto + " " + kVip + ":80 -r " + kRip + ":80 -g");
        d.set_mac(kRip, kRs);
    }
    void add_tun(const char* proto, const std::string& tun_opts) {
        d.ipvsadm(std::string("-A ") + proto + " " + kVip + ":80 -s rr");
        d.ipvsadm(std::string("-a ") + proto + " " + kVip + ":80 -r " + kRip + " -i " + tun_opts);
        d.set_tunnel_path(kRip, kRs, kTunSrc, 1500);
    }
    // The frame as it must reach a DR server: only the MACs changed.
    static Bytes at_dr_server(const Bytes& in) {
        return concat({ethernet_header(kRs, kDirectorMac), Bytes(in.begin() + kEth, in.end())});
    }
};

TEST_F(IcmpFwdTest, FragmentationNeededAboutADrFlowReachesItsServer) {
    add_dr("-t");
    ASSERT_EQ(d.run(frame(request(6))).action, XDP_TX);
    Bytes in = icmp_about(answer(6), 3, 4, 1400, kRouter);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, at_dr_server(in));
    const lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.icmp_fwd, 1u);
    EXPECT_EQ(s.tx, 2u);
    expect_counted_once(s);
}

// In a tagged frame, as the flow's packets: to its server on their VLAN only.
TEST_F(IcmpFwdTest, AnErrorInATaggedFrameReachesTheServerOnItsVlanOnly) {
    const Bytes vlan100 = {0x81, 0x00, 0x00, 0x64}, vlan200 = {0x81, 0x00, 0x00, 0xc8};
    add_dr("-t");
    d.set_vlans(kRip, 100);
    ASSERT_EQ(d.run(with_tags(frame(request(6)), vlan100)).action, XDP_TX);
    Bytes in = icmp_about(answer(6), 3, 4, 1400, kRouter);
    RunResult r = d.run(with_tags(in, vlan100));
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, with_tags(at_dr_server(in), vlan100));
    for (const Bytes& other : {with_tags(in, vlan200), in}) {  // another VLAN's, an untagged one
        r = d.run(other);
        EXPECT_EQ(r.action, XDP_PASS);
        EXPECT_EQ(r.out, other);
    }
    const lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.icmp_fwd, 1u);
    expect_counted_once(s);
}

TEST_F(IcmpFwdTest, PortUnreachableAboutATunFlowReachesItsServerInTheTunnel) {
    add_tun("-u", "");
    ASSERT_EQ(d.run(frame(request(17))).action, XDP_TX);
    Bytes in = icmp_about(answer(17), 3, 3, 0, kClient);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    // The outer header as the tunnel builds it: TOS, ID and DF of the packet
    // inside, TTL 64, from the tunnel source to the server.
    Ipv4Header outer{.tos = in[kEth + 1],
                     .id = get16(in, kEth + 4),
                     .df = false,
                     .ttl = 64,
                     .proto = 4,
                     .saddr = kTunSrc,
                     .daddr = kRip,
                     .payload_len = in.size() - kEth};
    Bytes inner(in.begin() + kEth, in.end());
    EXPECT_EQ(r.out, concat({ethernet_header(kRs, kDirectorMac), ipv4_header(outer), inner}));
    EXPECT_EQ(d.xdp_stats().icmp_fwd, 1u);
}

TEST_F(IcmpFwdTest, GreChecksumOfATunnelledErrorIsValid) {
    add_tun("-t", "--tun-type gre --tun-csum");
    d.run(frame(request(6)));
    Bytes in = icmp_about(answer(6), 3, 4, 1400, kRouter);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    const size_t gre = kEth + 20;
    EXPECT_EQ(get16(r.out, gre), 0x8000);  // checksum present
    EXPECT_EQ(inet_checksum(&r.out[gre], r.out.size() - gre), 0);
    EXPECT_EQ(Bytes(r.out.begin() + gre + 8, r.out.end()), Bytes(in.begin() + kEth, in.end()));
}

TEST_F(IcmpFwdTest, ErrorAboutAnUnknownFlowPassesUnchanged) {
    add_dr("-t");
    Bytes in = icmp_about(answer(6), 3, 4, 1400, kRouter);
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
    EXPECT_EQ(d.xdp_stats().icmp_fwd, 0u);
}

TEST_F(IcmpFwdTest, ErrorWithItsQuoteCutPassesUnchanged) {
    add_dr("-t");
    d.run(frame(request(6)));
    // The quoted IP header, but not the ports after it.
    Bytes in = icmp_about(answer(6), 3, 4, 1400, kRouter, 20);
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
    // The ports in the frame, but past the IP total length (trailing padding).
    in = icmp_about(answer(6), 3, 4, 1400, kRouter);
    put16(in, kEth + 2, 20 + 8 + 20);
    put16(in, kEth + 10, 0);
    put16(in, kEth + 10, inet_checksum(&in[kEth], 20));
    r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
}

TEST_F(IcmpFwdTest, FragmentationNeededWithAnAbsurdMtuIsDroppedAndCounted) {
    add_dr("-t");
    d.run(frame(request(6)));
    EXPECT_EQ(d.run(icmp_about(answer(6), 3, 4, 500, kRouter)).action, XDP_DROP);
    const lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.icmp_bad_mtu, 1u);
    EXPECT_EQ(s.icmp_fwd, 0u);
    expect_counted_once(s);
    // 576 is every host's minimum: allowed through.
    EXPECT_EQ(d.run(icmp_about(answer(6), 3, 4, 576, kRouter)).action, XDP_TX);
}

}  // namespace
}  // namespace lvs::test
