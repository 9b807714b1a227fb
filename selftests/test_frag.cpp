// IPv4 fragments on the real XDP object: a datagram's first fragment is
// forwarded as any packet of its flow, its later fragments (no ports) follow
// it to the same server, in every mode; a later fragment ahead of its first
// goes to the kernel. The expected frames are the fragments of the datagram
// as the server (or client) must get it, cut here the same way.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <algorithm>

#include "store/laddrs.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs1{0x02, 0, 0, 0, 0, 0x11};
const Mac kRs2{0x02, 0, 0, 0, 0, 0x12};
const char* kVip = "10.1.0.100";
const char* kRip1 = "10.1.0.11";
const char* kRip2 = "10.1.0.12";
const char* kNatRip = "10.2.0.11";
const char* kLaddr = "10.2.0.1";
const char* kTunSrc = "10.1.0.2";
constexpr size_t kPiece = 256;  // payload bytes per fragment, a multiple of 8

// A UDP datagram of 600 payload bytes from the client to the VIP, DF clear.
FrameSpec datagram(uint16_t sport = 40000) {
    FrameSpec s;
    s.proto = 17;
    s.sport = sport;
    s.dport = 53;
    s.df = false;
    for (size_t i = 0; i < 600; ++i)
        s.payload.push_back(static_cast<char>('a' + i % 26));
    return s;
}

// The frame's datagram cut into fragments of kPiece payload bytes, with IP id
// id, as a router cuts it: each a copy of the IP header with its own length,
// MF and offset, and a valid checksum.
std::vector<Bytes> fragments(const Bytes& whole, uint16_t id) {
    const Bytes payload(whole.begin() + kEth + 20, whole.end());
    std::vector<Bytes> out;
    for (size_t off = 0; off < payload.size(); off += kPiece) {
        const size_t n = std::min(kPiece, payload.size() - off);
        Bytes f(kEth + 20 + n);  // the headers, then this piece
        std::copy(whole.begin(), whole.begin() + kEth + 20, f.begin());
        std::copy(payload.begin() + off, payload.begin() + off + n, f.begin() + kEth + 20);
        put16(f, kEth + 2, 20 + n);
        put16(f, kEth + 4, id);
        put16(f, kEth + 6, (off + n < payload.size() ? 0x2000 : 0) | off / 8);
        put16(f, kEth + 10, 0);
        put16(f, kEth + 10, inet_checksum(&f[kEth], 20));
        out.push_back(f);
    }
    return out;
}

Bytes with_macs(Bytes f, const Mac& dst) {
    std::copy(dst.begin(), dst.end(), f.begin());
    std::copy(kDirectorMac.begin(), kDirectorMac.end(), f.begin() + 6);
    return f;
}

class FragTest : public ::testing::Test {
protected:
    Director d;

    // Runs each fragment and expects it sent out (XDP_TX) as want[i].
    void expect_sent(const std::vector<Bytes>& in, const std::vector<Bytes>& want) {
        ASSERT_EQ(in.size(), want.size());
        for (size_t i = 0; i < in.size(); ++i) {
            SCOPED_TRACE("fragment " + std::to_string(i));
            RunResult r = d.run(in[i]);
            EXPECT_EQ(r.action, XDP_TX);
            EXPECT_EQ(r.out, want[i]);
        }
    }
};

TEST_F(FragTest, DrLaterFragmentsFollowTheirFirstToItsServer) {
    d.ipvsadm(std::string("-A -u ") + kVip + ":53 -s rr");
    d.ipvsadm(std::string("-a -u ") + kVip + ":53 -r " + kRip1 + " -g");
    d.ipvsadm(std::string("-a -u ") + kVip + ":53 -r " + kRip2 + " -g");
    d.set_mac(kRip1, kRs1);
    d.set_mac(kRip2, kRs2);
    // Two datagrams of two flows: rr sends them to different servers, and each
    // one's later fragments (which carry no ports) go where its first went.
    std::vector<Bytes> a = fragments(frame(datagram(40000)), 0x1111);
    std::vector<Bytes> b = fragments(frame(datagram(40001)), 0x2222);
    ASSERT_EQ(a.size(), 3u);
    RunResult first_a = d.run(a[0]), first_b = d.run(b[0]);
    ASSERT_EQ(first_a.action, XDP_TX);
    ASSERT_EQ(first_b.action, XDP_TX);
    const Mac rs_a = std::equal(kRs1.begin(), kRs1.end(), first_a.out.begin()) ? kRs1 : kRs2;
    const Mac rs_b = rs_a == kRs1 ? kRs2 : kRs1;
    EXPECT_EQ(first_a.out, with_macs(a[0], rs_a));
    EXPECT_EQ(first_b.out, with_macs(b[0], rs_b));
    for (size_t i = 1; i < a.size(); ++i) {
        expect_sent({b[i]}, {with_macs(b[i], rs_b)});
        expect_sent({a[i]}, {with_macs(a[i], rs_a)});
    }
    lvs_xdp_stats st = d.xdp_stats();
    EXPECT_EQ(st.frag_first, 2u);
    EXPECT_EQ(st.frag_fwd, 4u);
    EXPECT_EQ(st.new_conns, 2u);
    EXPECT_EQ(d.service_counters(std::string(kVip) + ":53", 17).inpkts, 6u);
}

TEST_F(FragTest, LaterFragmentBeforeItsFirstOrOfNoServiceGoesToTheKernel) {
    d.ipvsadm(std::string("-A -u ") + kVip + ":53 -s rr");
    d.ipvsadm(std::string("-a -u ") + kVip + ":53 -r " + kRip1 + " -g");
    d.set_mac(kRip1, kRs1);
    std::vector<Bytes> f = fragments(frame(datagram()), 0x3333);
    RunResult early = d.run(f[2]);  // its first fragment has not been seen
    EXPECT_EQ(early.action, XDP_PASS);
    EXPECT_EQ(early.out, f[2]);
    FrameSpec other = datagram();
    other.dport = 54;  // no service: its first fragment passes, and so do the rest
    std::vector<Bytes> o = fragments(frame(other), 0x4444);
    for (const Bytes& x : o) {
        RunResult r = d.run(x);
        EXPECT_EQ(r.action, XDP_PASS);
        EXPECT_EQ(r.out, x);
    }
    lvs_xdp_stats st = d.xdp_stats();
    EXPECT_EQ(st.frag_pass, 3u);  // f[2], o[1], o[2]
    EXPECT_EQ(st.pass, 4u);
    EXPECT_EQ(st.frag_first, 0u);
    // The datagram's first fragment then goes, and so does what follows it.
    expect_sent({f[0], f[1]}, {with_macs(f[0], kRs1), with_macs(f[1], kRs1)});
}

// The outer IPv4 header a tunnel puts before inner (a frame); between: bytes
// of tunnel header between the two IP headers.
Bytes outer_ip(const Bytes& inner, uint8_t proto, size_t between) {
    return ipv4_header({.tos = inner[kEth + 1],
                        .id = get16(inner, kEth + 4),
                        .df = false,
                        .ttl = 64,
                        .proto = proto,
                        .saddr = kTunSrc,
                        .daddr = kRip1,
                        .payload_len = inner.size() - kEth + between});
}

Bytes inner_packet(const Bytes& f) { return Bytes(f.begin() + kEth, f.end()); }

class TunFragTest : public FragTest {
protected:
    std::vector<Bytes> in = fragments(frame(datagram()), 0x5555);
    void add(const std::string& tun_opts) {
        d.ipvsadm(std::string("-A -u ") + kVip + ":53 -s rr");
        d.ipvsadm(std::string("-a -u ") + kVip + ":53 -r " + kRip1 + " -i " + tun_opts);
        d.set_tunnel_path(kRip1, kRs1, kTunSrc, 1500);
    }
};

TEST_F(TunFragTest, IpipCarriesEveryFragment) {
    add("");
    std::vector<Bytes> want;
    for (const Bytes& f : in)
        want.push_back(concat({ethernet_header(kRs1, kDirectorMac), outer_ip(f, 4, 0), inner_packet(f)}));
    expect_sent(in, want);
    EXPECT_EQ(d.xdp_stats().frag_fwd, 2u);
}

TEST_F(TunFragTest, GreCarriesEveryFragment) {
    add("--tun-type gre --tun-nocsum");
    std::vector<Bytes> want;
    for (const Bytes& f : in)
        want.push_back(concat({ethernet_header(kRs1, kDirectorMac), outer_ip(f, 47, 4), Bytes{0, 0, 0x08, 0x00},
                               inner_packet(f)}));
    expect_sent(in, want);
}

TEST_F(TunFragTest, GueCarriesEveryFragmentFromOneSourcePortWithoutAPartialChecksum) {
    add("--tun-type gue --tun-port 6080 --tun-csum");
    uint16_t sport = 0;
    for (const Bytes& f : in) {
        RunResult r = d.run(f);
        ASSERT_EQ(r.action, XDP_TX);
        if (!sport)
            sport = get16(r.out, kEth + 20);
        const uint16_t udp_len = 8 + 4 + (f.size() - kEth);
        // A fragment holds part of its segment, so the outer checksum can't
        // be had from the inner one's: it is left out, as UDP over IPv4 allows.
        Bytes udp = {uint8_t(sport >> 8), uint8_t(sport), 0x17, 0xc0, uint8_t(udp_len >> 8), uint8_t(udp_len), 0, 0};
        EXPECT_EQ(r.out, concat({ethernet_header(kRs1, kDirectorMac), outer_ip(f, 17, 12), udp, Bytes{0, 4, 0, 0},
                                 inner_packet(f)}));
    }
}

class NatFragTest : public FragTest {
protected:
    void add(const std::string& extra = "") {
        d.ipvsadm(std::string("-A -u ") + kVip + ":53 -s rr");
        d.ipvsadm(std::string("-a -u ") + kVip + ":53 -r " + kNatRip + ":5353 -m " + extra);
        d.set_mac(kNatRip, kRs1);
    }
    // The datagram as the server must get it.
    static FrameSpec at_server(FrameSpec s, const std::string& saddr, uint16_t sport) {
        s.saddr = saddr;
        s.sport = sport;
        s.daddr = kNatRip;
        s.dport = 5353;
        s.ttl--;
        s.src_mac = kDirectorMac;
        s.dst_mac = kRs1;
        return s;
    }
    // A server's reply datagram to (to, port), and as the client must get it.
    static FrameSpec reply(const std::string& to, uint16_t port) {
        FrameSpec s = datagram();
        s.saddr = kNatRip;
        s.sport = 5353;
        s.daddr = to;
        s.dport = port;
        s.src_mac = kRs1;
        s.dst_mac = kDirectorMac;
        return s;
    }
    static FrameSpec at_client(FrameSpec s) {
        s.saddr = kVip;
        s.sport = 53;
        s.daddr = FrameSpec{}.saddr;
        s.dport = 40000;
        s.ttl--;
        s.src_mac = kDirectorMac;
        s.dst_mac = kClientMac;
        return s;
    }
};

// The UDP checksum covers the whole datagram and sits in the first fragment:
// its incremental update there makes the reassembled datagram valid, which
// the expected fragments (cut from a datagram built with its checksum) show.
TEST_F(NatFragTest, BothDirectionsRewriteEveryFragment) {
    add();
    FrameSpec s = datagram();
    expect_sent(fragments(frame(s), 0x6666), fragments(frame(at_server(s, s.saddr, s.sport)), 0x6666));
    FrameSpec back = reply(s.saddr, s.sport);
    expect_sent(fragments(frame(back), 0x7777), fragments(frame(at_client(back)), 0x7777));
    lvs_xdp_stats st = d.xdp_stats();
    EXPECT_EQ(st.frag_first, 2u);
    EXPECT_EQ(st.frag_fwd, 4u);
}

TEST_F(NatFragTest, LastHopTtlGoesToTheKernelForLaterFragmentsToo) {
    add();
    FrameSpec s = datagram();
    std::vector<Bytes> f = fragments(frame(s), 0x6767);
    ASSERT_EQ(d.run(f[0]).action, XDP_TX);
    Bytes last_hop = f[1];
    last_hop[kEth + 8] = 1;
    RunResult r = d.run(last_hop);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, last_hop);
}

TEST_F(NatFragTest, FullNatRewritesEveryFragmentBothWays) {
    add_local_addresses(d.maps(), {parse_addr(kLaddr)});
    add("--fullnat");
    FrameSpec s = datagram();
    std::vector<Bytes> in = fragments(frame(s), 0x6868);
    RunResult first = d.run(in[0]);
    ASSERT_EQ(first.action, XDP_TX);
    const uint16_t lport = get16(first.out, kEth + 20);
    std::vector<Bytes> want = fragments(frame(at_server(s, kLaddr, lport)), 0x6868);
    EXPECT_EQ(first.out, want[0]);
    expect_sent({in[1], in[2]}, {want[1], want[2]});
    FrameSpec back = reply(kLaddr, lport);
    expect_sent(fragments(frame(back), 0x6969), fragments(frame(at_client(back)), 0x6969));
}

}  // namespace
}  // namespace lvs::test
