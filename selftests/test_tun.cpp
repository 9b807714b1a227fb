// TUN forwarding on the real XDP object: outer headers byte for byte (their
// checksums recomputed here independently), the inner packet unchanged, and
// the path-MTU answer.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs{0x02, 0, 0, 0, 0, 0x31};
const char* kTunSrc = "10.1.0.2";
const char* kRip = "10.9.0.19";

Bytes ethernet_to_rs() { return ethernet_header(kRs, kDirectorMac); }

// The outer IP header lvs-xdp must write for inner (which starts at kEth);
// between_len: the bytes between the outer IP header and the inner packet.
Bytes outer_ip(const Bytes& inner_frame, uint8_t proto, size_t between_len) {
    Ipv4Header h{.tos = inner_frame[kEth + 1],
                 .id = get16(inner_frame, kEth + 4),
                 .df = (inner_frame[kEth + 6] & 0x40) != 0,
                 .ttl = 64,
                 .proto = proto,
                 .saddr = kTunSrc,
                 .daddr = kRip,
                 .payload_len = inner_frame.size() - kEth + between_len};
    return ipv4_header(h);
}

Bytes inner_packet(const Bytes& frame) { return Bytes(frame.begin() + kEth, frame.end()); }

// Sum of the UDP pseudo-header + segment of a frame's outer IPv4/UDP: 0 when valid.
uint16_t udp_check_residue(const Bytes& f) {
    size_t ip = kEth, udp = kEth + 20;
    uint16_t len = get16(f, udp + 4);
    uint32_t pseudo = get16(f, ip + 12) + get16(f, ip + 14) + get16(f, ip + 16) + get16(f, ip + 18) + 17 + len;
    return inet_checksum(&f[udp], len, pseudo);
}

class TunTest : public ::testing::Test {
protected:
    Director d;

    // A TCP and a UDP service on port 80 of the VIP, both to the tunnel server.
    void add(const std::string& tun_opts, uint32_t mtu = 1500) {
        for (const char* proto : {"-t", "-u"}) {
            d.ipvsadm(std::string("-A ") + proto + " 10.1.0.100:80 -s rr");
            d.ipvsadm(std::string("-a ") + proto + " 10.1.0.100:80 -r " + kRip + " -i " + tun_opts);
        }
        d.set_tunnel_path(kRip, kRs, kTunSrc, mtu);
    }
    static FrameSpec request() {
        FrameSpec s;
        s.tos = 0x10;
        s.payload = "GET /tunnel HTTP/1.0\r\n\r\n";
        return s;
    }
};

TEST_F(TunTest, IpipPrependsOneIpv4Header) {
    add("");
    Bytes in = frame(request());
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, concat({ethernet_to_rs(), outer_ip(in, 4, 0), inner_packet(in)}));
    EXPECT_EQ(d.service_counters("10.1.0.100:80").inbytes, in.size() - kEth);  // IPVS counts the inner packet
}

TEST_F(TunTest, IpipCopiesDfFromTheInnerPacket) {
    add("");
    FrameSpec s = request();
    s.df = false;
    Bytes in = frame(s);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(get16(r.out, kEth + 6), 0);
    EXPECT_EQ(r.out, concat({ethernet_to_rs(), outer_ip(in, 4, 0), inner_packet(in)}));
}

TEST_F(TunTest, GueWithoutChecksum) {
    add("--tun-type gue --tun-port 6080 --tun-nocsum");
    Bytes in = frame(request());
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    uint16_t sport = get16(r.out, kEth + 20);
    EXPECT_GE(sport, 0xc000);  // a per-flow source port, for receive-side spreading
    Bytes udp = {uint8_t(sport >> 8), uint8_t(sport), 0x17, 0xc0, 0, 0, 0, 0};
    uint16_t udp_len = 8 + 4 + (in.size() - kEth);
    udp[4] = udp_len >> 8;
    udp[5] = udp_len & 0xff;
    Bytes gue = {0x00, 0x04, 0x00, 0x00};  // version 0, no options, IPPROTO_IPIP
    EXPECT_EQ(r.out, concat({ethernet_to_rs(), outer_ip(in, 17, 12), udp, gue, inner_packet(in)}));
    // The same flow keeps its source port; another flow may get another.
    EXPECT_EQ(get16(d.run(in).out, kEth + 20), sport);
}

TEST_F(TunTest, GueWithChecksumIsValid) {
    add("--tun-type gue --tun-port 6080 --tun-csum");
    for (uint8_t proto : {6, 17}) {
        FrameSpec s = request();
        s.proto = proto;
        s.sport = 30000 + proto;
        Bytes in = frame(s);
        RunResult r = d.run(in);
        ASSERT_EQ(r.action, XDP_TX);
        EXPECT_NE(get16(r.out, kEth + 26), 0);
        EXPECT_EQ(udp_check_residue(r.out), 0) << "proto " << int(proto);
        EXPECT_EQ(Bytes(r.out.begin() + kEth + 32, r.out.end()), inner_packet(in));
    }
}

TEST_F(TunTest, GueRemoteChecksumSendsPlainGueForCompleteChecksums) {
    add("--tun-type gue --tun-port 6080 --tun-remcsum");
    Bytes in = frame(request());
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(get16(r.out, kEth + 26), 0);
    EXPECT_EQ(Bytes(r.out.begin() + kEth + 28, r.out.begin() + kEth + 32), (Bytes{0, 4, 0, 0}));
}

TEST_F(TunTest, GrePlain) {
    add("--tun-type gre --tun-nocsum");
    Bytes in = frame(request());
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, concat({ethernet_to_rs(), outer_ip(in, 47, 4), Bytes{0, 0, 0x08, 0x00}, inner_packet(in)}));
}

TEST_F(TunTest, GreWithChecksumIsValidAlsoForUdpWithoutChecksum) {
    add("--tun-type gre --tun-csum");
    FrameSpec s = request();
    Bytes tcp = frame(s);
    s.proto = 17;
    s.sport = 31000;
    Bytes udp_no_csum = frame(s);
    udp_no_csum[kEth + 20 + 6] = udp_no_csum[kEth + 20 + 7] = 0;  // UDP without checksum
    for (const Bytes& in : {tcp, udp_no_csum}) {
        RunResult r = d.run(in);
        ASSERT_EQ(r.action, XDP_TX);
        EXPECT_EQ(Bytes(r.out.begin() + kEth, r.out.begin() + kEth + 20), outer_ip(in, 47, 8));
        EXPECT_EQ(get16(r.out, kEth + 20), 0x8000);
        EXPECT_EQ(get16(r.out, kEth + 22), 0x0800);
        EXPECT_EQ(inet_checksum(&r.out[kEth + 20], r.out.size() - kEth - 20), 0);
        EXPECT_EQ(Bytes(r.out.begin() + kEth + 28, r.out.end()), inner_packet(in));
    }
}

TEST_F(TunTest, TooBigWithDfIsAnsweredWithFragmentationNeeded) {
    add("", 300);
    FrameSpec s = request();
    s.payload.assign(400, 'x');
    Bytes in = frame(s);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    ASSERT_EQ(r.out.size(), kEth + 20 + 8 + 20 + 8);
    // Back to the client's MAC, from the MAC it sent to.
    EXPECT_EQ(Bytes(r.out.begin(), r.out.begin() + 6), Bytes(in.begin() + 6, in.begin() + 12));
    EXPECT_EQ(Bytes(r.out.begin() + 6, r.out.begin() + 12), Bytes(in.begin(), in.begin() + 6));
    Ipv4Header h{.tos = 0x10, .id = 0, .df = false, .ttl = 64, .proto = 1, .saddr = "10.1.0.100",
                 .daddr = "10.1.0.10", .payload_len = 8 + 28};
    EXPECT_EQ(Bytes(r.out.begin() + kEth, r.out.begin() + kEth + 20), ipv4_header(h));
    size_t icmp = kEth + 20;
    EXPECT_EQ(r.out[icmp], 3);                  // destination unreachable
    EXPECT_EQ(r.out[icmp + 1], 4);              // fragmentation needed
    EXPECT_EQ(get16(r.out, icmp + 6), 300 - 20);  // the MTU left inside the tunnel
    EXPECT_EQ(inet_checksum(&r.out[icmp], 8 + 28), 0);
    EXPECT_EQ(Bytes(r.out.begin() + icmp + 8, r.out.end()), Bytes(in.begin() + kEth, in.begin() + kEth + 28));
    EXPECT_EQ(d.xdp_stats().pmtu_icmp, 1u);
    EXPECT_EQ(d.service_counters("10.1.0.100:80").inpkts, 0u);
}

TEST_F(TunTest, TooBigWithoutDfGoesToTheKernelUntouched) {
    add("--tun-type gue --tun-port 6080", 300);
    FrameSpec s = request();
    s.df = false;
    s.payload.assign(400, 'x');
    Bytes in = frame(s);
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
    EXPECT_EQ(d.xdp_stats().pmtu_pass, 1u);
}

TEST_F(TunTest, ExactlyFittingPacketIsTunnelled) {
    add("", 300);
    FrameSpec s = request();
    s.payload.assign(300 - 20 - 20 - 20, 'x');  // inner 280 bytes + 20 = 300
    EXPECT_EQ(d.run(frame(s)).action, XDP_TX);
}

TEST_F(TunTest, ServiceMixesDirectRoutingAndTunnelServers) {
    add("");
    const Mac rs2{0x02, 0, 0, 0, 0, 0x32};
    d.ipvsadm("-a -t 10.1.0.100:80 -r 10.1.0.12 -g");
    d.set_mac("10.1.0.12", rs2);
    FrameSpec s = request();
    Bytes first = frame(s);
    s.sport++;
    Bytes second = frame(s);
    // rr takes the newest server first (IPVS's list order): the DR one.
    RunResult dr = d.run(first);
    EXPECT_EQ(d.run(second).out.size(), second.size() + 20);  // tunnelled
    EXPECT_EQ(dr.out.size(), first.size());  // direct routing: same size, new MAC
    EXPECT_EQ(Bytes(dr.out.begin(), dr.out.begin() + 6), Bytes(rs2.begin(), rs2.end()));
}

}  // namespace
}  // namespace lvs::test
