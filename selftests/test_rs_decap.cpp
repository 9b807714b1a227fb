// The real server's decapsulation program (bpf/rs_decap.bpf.c) on the compiled
// object via BPF_PROG_TEST_RUN. The tunnel frames are the director's own TUN
// output (the real lvs_xdp object, configured with ipvsadm command lines) for
// every tunnel type and checksum option, plus hand-built frames for what the
// director never sends (GUE optional fields and variant 1, GRE key/sequence,
// outer IP options). Decapsulating must give back the director's input packet
// byte for byte behind the outer Ethernet header; everything not for a
// configured VIP / GUE port, or not a tunnel, or truncated, must pass unchanged.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <arpa/inet.h>

#include <stdexcept>

#include "net/addr.h"
#include "rs_decap.skel.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs{0x02, 0, 0, 0, 0, 0x31};
const char* kVip = "10.1.0.100";
const char* kRip = "10.9.0.19";
const char* kTunSrc = "10.1.0.2";

Bytes eth_header(uint16_t type = 0x0800) { return ethernet_header(kRs, kDirectorMac, type); }

Bytes inner_packet(const Bytes& frame) { return Bytes(frame.begin() + kEth, frame.end()); }

// What the real server's kernel must see: the outer Ethernet header, then the
// client's packet as the director received it.
Bytes decapsulated(const Bytes& tunnelled, const Bytes& original) {
    return concat({Bytes(tunnelled.begin(), tunnelled.begin() + kEth), inner_packet(original)});
}

FrameSpec request(uint8_t proto = 6, uint16_t sport = 40000, size_t payload = 24) {
    FrameSpec s;
    s.proto = proto;
    s.sport = sport;
    s.daddr = kVip;
    s.payload.assign(payload, 'p');
    return s;
}

// rs_decap loaded with its maps pinned in a private bpffs.
class Decap {
public:
    Decap() {
        LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = fs_.dir().c_str());
        skel_ = rs_decap__open_opts(&oo);
        if (!skel_ || rs_decap__load(skel_) != 0) {
            rs_decap__destroy(skel_);
            throw std::runtime_error("cannot load rs_decap");
        }
    }
    ~Decap() { rs_decap__destroy(skel_); }
    void add_vip(const std::string& vip) {
        lvs_addr key = parse_addr(vip).to_abi();
        uint8_t one = 1;
        ASSERT_EQ(bpf_map__update_elem(skel_->maps.lvs_rs_vips, &key, sizeof key, &one, 1, BPF_ANY), 0);
    }
    void add_port(uint16_t port) {
        uint16_t key = htons(port);
        uint8_t one = 1;
        ASSERT_EQ(bpf_map__update_elem(skel_->maps.lvs_rs_gue_ports, &key, sizeof key, &one, 1, BPF_ANY), 0);
    }
    RunResult run(const Bytes& frame) { return test_run(bpf_program__fd(skel_->progs.lvs_rs_decap), frame); }

private:
    BpfFs fs_;
    rs_decap* skel_ = nullptr;
};

// The outer IPv4 header of a hand-built tunnel frame around inner (an IP packet).
Bytes outer_ip(uint8_t proto, size_t payload_len, bool df = true) {
    return ipv4_header({.df = df, .proto = proto, .saddr = kTunSrc, .daddr = kRip, .payload_len = payload_len});
}

Bytes ipip(const Bytes& inner) { return concat({eth_header(), outer_ip(4, inner.size()), inner}); }

// Outer IPv4 + UDP to port + the given GUE header (or any payload prefix).
Bytes udp_tunnel(uint16_t port, const Bytes& gue, const Bytes& inner) {
    Bytes udp(8);
    put16(udp, 0, 0xc123);
    put16(udp, 2, port);
    put16(udp, 4, 8 + gue.size() + inner.size());
    return concat({eth_header(), outer_ip(17, udp.size() + gue.size() + inner.size()), udp, gue, inner});
}

// GUE variant 0: hlen (in 32-bit words of optional fields), proto, flags; the
// optional fields filled with a pattern.
Bytes gue0(uint8_t hlen, uint8_t proto = 4, uint16_t flags = 0, bool control = false) {
    Bytes g(4 + hlen * 4, 0xa5);
    g[0] = (control ? 0x20 : 0) | (hlen & 0x1f);
    g[1] = proto;
    put16(g, 2, flags);
    return g;
}

Bytes gre(uint16_t flags, uint16_t proto, const Bytes& inner) {
    Bytes h(4);
    put16(h, 0, flags);
    put16(h, 2, proto);
    if (flags & 0x8000)  // checksum + reserved, filled in below
        h.resize(h.size() + 4, 0);
    if (flags & 0x2000)
        h.insert(h.end(), {0xde, 0xad, 0xbe, 0xef});  // key
    if (flags & 0x1000)
        h.insert(h.end(), {0, 0, 0, 7});  // sequence number
    if (flags & 0x8000) {  // over the GRE header and payload
        Bytes all = concat({h, inner});
        put16(h, 4, inet_checksum(all.data(), all.size()));
    }
    return concat({eth_header(), outer_ip(47, h.size() + inner.size()), h, inner});
}

class RsDecapTest : public ::testing::Test {
protected:
    Decap decap;
    void SetUp() override {
        decap.add_vip(kVip);
        decap.add_port(6080);
    }
    void expect_unchanged(const Bytes& in, const std::string& what) {
        RunResult r = decap.run(in);
        EXPECT_EQ(r.action, XDP_PASS) << what;
        EXPECT_EQ(r.out, in) << what;
    }
    void expect_decapsulated(const Bytes& tunnelled, const Bytes& original, const std::string& what) {
        RunResult r = decap.run(tunnelled);
        EXPECT_EQ(r.action, XDP_PASS) << what;
        EXPECT_EQ(r.out, decapsulated(tunnelled, original)) << what;
    }
};

// ---- the director's own output, every tunnel type -------------------------

struct TunnelCase {
    const char* name;
    const char* opts;  // ipvsadm options after -i
    size_t overhead;   // bytes the director adds after the Ethernet header
};

const TunnelCase kDirectorTunnels[] = {
    {"ipip", "", 20},
    {"gue-nocsum", "--tun-type gue --tun-port 6080 --tun-nocsum", 32},
    {"gue-csum", "--tun-type gue --tun-port 6080 --tun-csum", 32},
    {"gue-remcsum", "--tun-type gue --tun-port 6080 --tun-remcsum", 32},
    {"gre-nocsum", "--tun-type gre --tun-nocsum", 24},
    {"gre-csum", "--tun-type gre --tun-csum", 28},
};

TEST_F(RsDecapTest, UndoesTheDirectorsEncapsulationByteForByte) {
    for (const auto& tc : kDirectorTunnels) {
        Director d;
        for (const char* proto : {"-t", "-u"}) {
            d.ipvsadm(std::string("-A ") + proto + " " + kVip + ":80 -s rr");
            d.ipvsadm(std::string("-a ") + proto + " " + kVip + ":80 -r " + kRip + " -i " + tc.opts);
        }
        d.set_tunnel_path(kRip, kRs, kTunSrc, 9000);
        int n = 0;
        for (uint8_t proto : {6, 17})
            for (bool df : {true, false})
                for (size_t payload : {0, 1, 24, 1400}) {
                    FrameSpec s = request(proto, 40000 + n++, payload);
                    s.df = df;
                    s.tos = 0x10;
                    Bytes in = frame(s);
                    std::string what = std::string(tc.name) + " proto " + std::to_string(proto) + " df " +
                                       std::to_string(df) + " payload " + std::to_string(payload);
                    RunResult enc = d.run(in);
                    ASSERT_EQ(enc.action, XDP_TX) << what;
                    ASSERT_EQ(enc.out.size(), in.size() + tc.overhead) << what;
                    expect_decapsulated(enc.out, in, what);
                }
    }
}

// ---- hand-built tunnel frames ------------------------------------------------

TEST_F(RsDecapTest, IpipWithOuterIpOptions) {
    Bytes in = frame(request());
    Bytes inner = inner_packet(in);
    Bytes outer = outer_ip(4, inner.size() + 8);
    outer[0] = 0x47;                                    // ihl 7: 8 bytes of options
    outer.insert(outer.end(), {1, 1, 1, 1, 1, 1, 1, 0});  // NOPs, end of options
    put16(outer, 2, outer.size() + inner.size());
    put16(outer, 10, 0);
    put16(outer, 10, inet_checksum(outer.data(), outer.size()));
    expect_decapsulated(concat({eth_header(), outer, inner}), in, "ipip with options");
}

TEST_F(RsDecapTest, GueWithOptionalFields) {
    Bytes in = frame(request());
    for (uint8_t hlen : {1, 2, 5, 20, 31}) {
        Bytes t = udp_tunnel(6080, gue0(hlen, 4, 0x8000), inner_packet(in));
        expect_decapsulated(t, in, "gue hlen " + std::to_string(hlen));
    }
}

TEST_F(RsDecapTest, GueVariantOneCarriesIpv4Directly) {
    Bytes in = frame(request(17, 5353));
    expect_decapsulated(udp_tunnel(6080, {}, inner_packet(in)), in, "gue variant 1");
}

TEST_F(RsDecapTest, GreWithAndWithoutOptionalFields) {
    Bytes in = frame(request());
    Bytes inner = inner_packet(in);
    for (uint16_t flags : {0x0000, 0x8000, 0x2000, 0x1000, 0xa000, 0x3000, 0xb000}) {
        char name[32];
        std::snprintf(name, sizeof name, "gre flags %04x", flags);
        expect_decapsulated(gre(flags, 0x0800, inner), in, name);
    }
}

TEST_F(RsDecapTest, SeveralVipsAndPorts) {
    decap.add_vip("10.1.0.101");
    decap.add_port(6081);
    FrameSpec s = request();
    s.daddr = "10.1.0.101";
    Bytes in = frame(s);
    expect_decapsulated(ipip(inner_packet(in)), in, "ipip to the second VIP");
    expect_decapsulated(udp_tunnel(6081, gue0(0), inner_packet(in)), in, "gue on the second port");
    Bytes first = frame(request());
    expect_decapsulated(udp_tunnel(6080, gue0(0), inner_packet(first)), first, "gue on the first port");
}

// ---- what must pass untouched ------------------------------------------------

TEST_F(RsDecapTest, OtherVipsPassUnchanged) {
    FrameSpec s = request();
    s.daddr = "10.1.0.200";
    Bytes inner = inner_packet(frame(s));
    expect_unchanged(ipip(inner), "ipip");
    expect_unchanged(udp_tunnel(6080, gue0(0), inner), "gue");
    expect_unchanged(udp_tunnel(6080, {}, inner), "gue variant 1");
    expect_unchanged(gre(0, 0x0800, inner), "gre");
    expect_unchanged(gre(0xb000, 0x0800, inner), "gre with csum, key, seq");
}

TEST_F(RsDecapTest, OtherUdpPortsPassUnchanged) {
    Bytes inner = inner_packet(frame(request()));
    for (uint16_t port : {6081, 4789, 53, 5555})
        expect_unchanged(udp_tunnel(port, gue0(0), inner), "port " + std::to_string(port));
}

TEST_F(RsDecapTest, NonTunnelPacketsPassUnchanged) {
    // The client's packet itself (as DR would deliver it), to the VIP.
    expect_unchanged(frame(request()), "tcp to the VIP");
    expect_unchanged(frame(request(17, 40000)), "udp to the VIP");
    FrameSpec to_port = request(17, 40000);
    to_port.dport = 6080;  // UDP to the GUE port, but not GUE around IPv4 to the VIP
    expect_unchanged(frame(to_port), "udp to the gue port");
    expect_unchanged(arp_request(kVip), "arp");
    expect_unchanged(icmp_echo("10.1.0.10", kVip), "icmp");
    Bytes v6 = concat({eth_header(0x86dd), Bytes(40 + 20, 0)});
    v6[kEth] = 0x60;
    expect_unchanged(v6, "ipv6");
}

TEST_F(RsDecapTest, NonIpv4PayloadsPassUnchanged) {
    Bytes inner = inner_packet(frame(request()));
    expect_unchanged(udp_tunnel(6080, gue0(0, 41), inner), "gue carrying IPv6 (proto 41)");
    expect_unchanged(udp_tunnel(6080, gue0(0, 4, 0, true), inner), "gue control message");
    Bytes v1_v6 = inner;
    v1_v6[0] = 0x60;  // variant 1 with an IPv6 header
    expect_unchanged(udp_tunnel(6080, {}, v1_v6), "gue variant 1, IPv6");
    Bytes v2 = gue0(0);
    v2[0] |= 0x80;  // variant 2 (reserved)
    expect_unchanged(udp_tunnel(6080, v2, inner), "gue variant 2");
    expect_unchanged(gre(0, 0x86dd, inner), "gre carrying IPv6");
    expect_unchanged(gre(0, 0x6558, inner), "gre carrying Ethernet");
    expect_unchanged(gre(0x0001, 0x0800, inner), "gre version 1 (PPTP)");
    expect_unchanged(gre(0x4000, 0x0800, inner), "gre with routing");
    Bytes bad_inner = inner;
    bad_inner[0] = 0x65;  // inner version 6 in an IPIP packet
    expect_unchanged(ipip(bad_inner), "ipip with a non-IPv4 inner header");
}

TEST_F(RsDecapTest, OuterFragmentsPassUnchanged) {
    Bytes inner = inner_packet(frame(request()));
    for (uint16_t frag : {0x2000, 0x0001, 0x2010}) {  // MF; offset 8; both
        Bytes t = ipip(inner);
        put16(t, kEth + 6, frag);
        put16(t, kEth + 10, 0);
        put16(t, kEth + 10, inet_checksum(&t[kEth], 20));
        expect_unchanged(t, "fragment " + std::to_string(frag));
    }
}

TEST_F(RsDecapTest, TruncatedFramesPassUnchanged) {
    Bytes in = frame(request());
    Bytes inner = inner_packet(in);
    const Bytes tunnels[] = {ipip(inner), udp_tunnel(6080, gue0(2), inner), udp_tunnel(6080, {}, inner),
                             gre(0xb000, 0x0800, inner)};
    for (const Bytes& t : tunnels) {
        size_t inner_at = t.size() - inner.size();
        // Cut anywhere before the end of the inner IP header (the kernel's test run
        // needs an Ethernet header at least): nothing to decapsulate.
        for (size_t len = kEth; len < inner_at + 20; ++len)
            expect_unchanged(Bytes(t.begin(), t.begin() + len), "cut at " + std::to_string(len));
        // Cut inside the inner packet's payload: the headers are all there, so it is
        // unwrapped, and the kernel sees (and drops) a short inner packet, as it
        // would the short tunnel packet.
        for (size_t len = inner_at + 20; len < t.size(); ++len) {
            Bytes cut(t.begin(), t.begin() + len);
            RunResult r = decap.run(cut);
            EXPECT_EQ(r.action, XDP_PASS);
            EXPECT_EQ(r.out, concat({eth_header(), Bytes(inner.begin(), inner.begin() + (len - inner_at))}))
                << "cut at " << len;
        }
    }
}

TEST_F(RsDecapTest, NothingConfiguredPassesEverything) {
    Decap empty;
    Bytes in = frame(request());
    Bytes t = ipip(inner_packet(in));
    RunResult r = empty.run(t);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, t);
    Bytes g = udp_tunnel(6080, gue0(0), inner_packet(in));
    empty.add_vip(kVip);  // VIP but no GUE port: IPIP yes, GUE no
    EXPECT_EQ(empty.run(g).out, g);
    EXPECT_EQ(empty.run(t).out, decapsulated(t, in));
}

}  // namespace
}  // namespace lvs::test
