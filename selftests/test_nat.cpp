// NAT and FullNAT on the real XDP object: both directions byte for byte (the
// expected frames are built from scratch, checksums included), connection
// states and timeouts, ICMP error translation, FullNAT port allocation.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "testkit/director.h"
#include "store/laddrs.h"
#include "store/settings.h"
#include "store/sysctls.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs{0x02, 0, 0, 0, 0, 0x41};
const char* kVip = "10.1.0.100";
const char* kClient = "10.1.0.10";
const char* kRip = "10.2.0.11";
const char* kLaddr = "10.2.0.1";

class NatTest : public ::testing::Test {
protected:
    Director d;

    void add(const std::string& proto = "-t", const std::string& extra = "") {
        d.ipvsadm("-A " + proto + " " + kVip + ":80 -s rr");
        d.ipvsadm("-a " + proto + " " + kVip + ":80 -r " + kRip + ":8080 -m " + extra);
        d.set_mac(kRip, kRs);
    }
    // The client's packet to the virtual service.
    static FrameSpec to_vip(uint8_t flags = 0x02, uint16_t sport = 40000) {
        FrameSpec s;
        s.saddr = kClient;
        s.daddr = kVip;
        s.sport = sport;
        s.tcp_flags = flags;
        s.payload = "hello";
        return s;
    }
    // The same packet as the server must get it.
    static FrameSpec at_server(FrameSpec s) {
        s.daddr = kRip;
        s.dport = 8080;
        s.ttl--;
        s.src_mac = kDirectorMac;
        s.dst_mac = kRs;
        return s;
    }
    // The server's reply, as it sends it.
    static FrameSpec from_server(uint8_t flags = 0x12, uint16_t cport = 40000, const std::string& to = kClient) {
        FrameSpec s;
        s.saddr = kRip;
        s.sport = 8080;
        s.daddr = to;
        s.dport = cport;
        s.tcp_flags = flags;
        s.src_mac = kRs;
        s.dst_mac = kDirectorMac;
        s.payload = "world";
        return s;
    }
    // The reply as the client must get it: from the VIP, back the way it came.
    static FrameSpec at_client(FrameSpec s, uint16_t cport = 40000) {
        s.saddr = kVip;
        s.sport = 80;
        s.daddr = kClient;
        s.dport = cport;
        s.ttl--;
        s.src_mac = FrameSpec{}.dst_mac;  // the MAC the client sent to
        s.dst_mac = kClientMac;
        return s;
    }
    void expect_state(const FrameSpec& client_pkt, uint8_t state, uint64_t timeout_s) {
        auto c = d.conn(client_pkt);
        ASSERT_TRUE(c);
        EXPECT_EQ(c->state, state);
        ASSERT_GT(d.hz(), 0u);  // the kernel's CONFIG_HZ, read by libbpf
        uint64_t now = Director::now_jiffies(), sec = d.hz();
        EXPECT_GE(c->expires + 2 * sec, now + timeout_s * sec);
        EXPECT_LE(c->expires, now + timeout_s * sec + 2 * sec);
    }
};

TEST_F(NatTest, ClientToServerRewritesDestinationAndPort) {
    add();
    RunResult r = d.run(frame(to_vip()));
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, frame(at_server(to_vip())));
}

TEST_F(NatTest, ServerToClientRewritesSourceBack) {
    add();
    ASSERT_EQ(d.run(frame(to_vip())).action, XDP_TX);
    RunResult r = d.run(frame(from_server()));
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, frame(at_client(from_server())));
    lvs_counters c = d.service_counters(std::string(kVip) + ":80");
    EXPECT_EQ(c.inpkts, 1u);
    EXPECT_EQ(c.outpkts, 1u);
    EXPECT_EQ(c.outbytes, frame(from_server()).size() - 14);
}

TEST_F(NatTest, UdpWithAndWithoutChecksum) {
    add("-u");
    FrameSpec s = to_vip();
    s.proto = 17;
    RunResult r = d.run(frame(s));
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, frame(at_server(s)));

    Bytes no_csum = frame(s);
    no_csum[14 + 20 + 6] = no_csum[14 + 20 + 7] = 0;
    r = d.run(no_csum);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(get16(r.out, 14 + 20 + 6), 0);  // stays without checksum
    Bytes expected = frame(at_server(s));
    expected[14 + 20 + 6] = expected[14 + 20 + 7] = 0;
    EXPECT_EQ(r.out, expected);
}

TEST_F(NatTest, ReplyOfNoTrackedFlowPassesUntouched) {
    add();
    Bytes stray = frame(from_server(0x12, 41000));
    RunResult r = d.run(stray);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, stray);
}

// Only a packet from a NAT server's address is looked up as a reply (the
// filter of abi.h): the same reply entry under another source address is
// never found, and that packet passes untouched. Both servers' bits go when
// their services do.
TEST_F(NatTest, OnlyPacketsFromNatServersAreTakenForReplies) {
    add();
    ASSERT_EQ(d.run(frame(to_vip())).action, XDP_TX);
    const std::optional<lvs_conn> reply = d.conn(from_server());
    ASSERT_TRUE(reply);
    FrameSpec elsewhere = from_server();
    elsewhere.saddr = "10.2.0.99";  // no server of any service
    d.put_conn(elsewhere, *reply);
    const Bytes foreign = frame(elsewhere);
    RunResult r = d.run(foreign);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, foreign);
    r = d.run(frame(from_server()));
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, frame(at_client(from_server())));

    // A DR server of the same address is no NAT server: its bit is not set.
    d.ipvsadm("-A -t 10.1.0.101:80 -s rr");
    d.ipvsadm("-a -t 10.1.0.101:80 -r 10.2.0.99 -g");
    r = d.run(foreign);
    EXPECT_EQ(r.action, XDP_PASS);
    d.ipvsadm("-e -t 10.1.0.101:80 -r 10.2.0.99 -m");
    r = d.run(foreign);  // now a NAT server: its reply entry is found
    ASSERT_EQ(r.action, XDP_TX);
    d.ipvsadm("-C");
    for (uint64_t word : ArrayMap<uint64_t>(d.maps().vip_filter).all())
        ASSERT_EQ(word, 0u) << "a removed NAT server's bit is still set";
}

TEST_F(NatTest, TcpStatesFollowIpvsWithTheirTimeouts) {
    add();
    d.run(frame(to_vip(0x02)));  // SYN
    expect_state(to_vip(), LVS_TCP_S_SYN_RECV, 60);
    d.run(frame(from_server(0x12)));  // SYN+ACK: a syn seen in the output direction
    expect_state(to_vip(), LVS_TCP_S_SYN_RECV, 60);
    d.run(frame(to_vip(0x10)));  // ACK
    expect_state(to_vip(), LVS_TCP_S_ESTABLISHED, 900);
    d.run(frame(to_vip(0x11)));  // FIN from the client
    expect_state(to_vip(), LVS_TCP_S_CLOSE_WAIT, 60);
    d.run(frame(from_server(0x11)));  // FIN from the server
    expect_state(to_vip(), LVS_TCP_S_TIME_WAIT, 120);
}

TEST_F(NatTest, ResetClosesTheConnection) {
    add();
    d.run(frame(to_vip(0x02)));
    d.run(frame(to_vip(0x10)));
    d.run(frame(to_vip(0x04)));  // RST
    expect_state(to_vip(), LVS_TCP_S_CLOSE, 10);
}

TEST_F(NatTest, UdpLivesForTheUdpTimeout) {
    add("-u");
    FrameSpec s = to_vip();
    s.proto = 17;
    d.run(frame(s));
    expect_state(s, LVS_TCP_S_NONE, 300);
}

TEST_F(NatTest, ExpiredEntryIsNotUsedAgain) {
    add();
    d.run(frame(to_vip()));
    lvs_conn c = *d.conn(to_vip());
    c.expires = 1;  // long gone
    d.put_conn(to_vip(), c);
    EXPECT_EQ(d.run(frame(from_server())).action, XDP_PASS);  // its replies are not translated
    EXPECT_EQ(d.xdp_stats().new_conns, 1u);
    d.run(frame(to_vip(0x10)));
    EXPECT_EQ(d.xdp_stats().new_conns, 2u);  // the client's next packet starts over
}

TEST_F(NatTest, LastHopTtlGoesToTheKernel) {
    add();
    FrameSpec s = to_vip();
    s.ttl = 1;
    Bytes in = frame(s);
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
}

// An ICMP error: outer IPv4 + ICMP header + the quoted packet (its IP header
// and first 8 bytes), checksums valid.
Bytes icmp_error(const Mac& src_mac, const std::string& from, const std::string& to, uint8_t type, uint8_t code,
                 uint16_t mtu, const FrameSpec& quoted_spec) {
    Bytes quoted = frame(quoted_spec);
    Bytes body(quoted.begin() + 14, quoted.begin() + 14 + 28);
    Bytes icmp = {type, code, 0, 0, 0, 0, uint8_t(mtu >> 8), uint8_t(mtu)};
    icmp.insert(icmp.end(), body.begin(), body.end());
    uint16_t c = inet_checksum(icmp.data(), icmp.size());
    icmp[2] = c >> 8;
    icmp[3] = c & 0xff;
    const Mac ours = FrameSpec{}.dst_mac;  // the director's MAC, as the frames here use it
    Bytes f(14);  // Ethernet: ours, the sender's, IPv4
    std::copy(ours.begin(), ours.end(), f.begin());
    std::copy(src_mac.begin(), src_mac.end(), f.begin() + 6);
    f[12] = 0x08;
    Bytes ip = ipv4_header({.df = false, .proto = 1, .saddr = from, .daddr = to, .payload_len = icmp.size()});
    f.insert(f.end(), ip.begin(), ip.end());
    f.insert(f.end(), icmp.begin(), icmp.end());
    return f;
}

Bytes ip4_bytes(const std::string& a) {
    Bytes b(4);
    inet_pton(AF_INET, a.c_str(), b.data());
    return b;
}

// The fields an ICMP error's translation changes, and the three checksums.
void expect_icmp(const Bytes& out, const std::string& src, const std::string& dst, const std::string& q_src,
                 uint16_t q_sport, const std::string& q_dst, uint16_t q_dport) {
    const size_t ip = 14, icmp = 34, q = 42;
    EXPECT_EQ(Bytes(out.begin() + ip + 12, out.begin() + ip + 16), ip4_bytes(src));
    EXPECT_EQ(Bytes(out.begin() + ip + 16, out.begin() + ip + 20), ip4_bytes(dst));
    EXPECT_EQ(out[ip + 8], 63);  // routed: TTL down by one
    EXPECT_EQ(Bytes(out.begin() + q + 12, out.begin() + q + 16), ip4_bytes(q_src));
    EXPECT_EQ(Bytes(out.begin() + q + 16, out.begin() + q + 20), ip4_bytes(q_dst));
    EXPECT_EQ(get16(out, q + 20), q_sport);
    EXPECT_EQ(get16(out, q + 22), q_dport);
    EXPECT_EQ(inet_checksum(&out[ip], 20), 0);
    EXPECT_EQ(inet_checksum(&out[icmp], out.size() - icmp), 0);
    EXPECT_EQ(inet_checksum(&out[q], 20), 0);
}

TEST_F(NatTest, PortUnreachableFromTheServerReachesTheClientAsFromTheVip) {
    add("-u");
    FrameSpec s = to_vip();
    s.proto = 17;
    d.run(frame(s));
    // The server quotes the datagram as it got it.
    RunResult r = d.run(icmp_error(kRs, kRip, kClient, 3, 3, 0, at_server(s)));
    ASSERT_EQ(r.action, XDP_TX);
    // Back the way the client's packets came, and quoting what the client sent.
    EXPECT_EQ(Bytes(r.out.begin(), r.out.begin() + 6), Bytes(kClientMac.begin(), kClientMac.end()));
    expect_icmp(r.out, kVip, kClient, kClient, 40000, kVip, 80);
    EXPECT_EQ(r.out[34], 3);
    EXPECT_EQ(r.out[35], 3);
    EXPECT_EQ(d.xdp_stats().icmp_nat, 1u);
}

TEST_F(NatTest, FragmentationNeededFromTheClientSideReachesTheServer) {
    add();
    d.run(frame(to_vip()));
    // A router on the client's side cannot forward the server's reply.
    FrameSpec reply_as_client_got = at_client(from_server());
    Bytes in = icmp_error(kClientMac, "10.1.0.254", kVip, 3, 4, 1400, reply_as_client_got);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(Bytes(r.out.begin(), r.out.begin() + 6), Bytes(kRs.begin(), kRs.end()));
    // To the server, quoting the reply as the server sent it.
    expect_icmp(r.out, "10.1.0.254", kRip, kRip, 8080, kClient, 40000);
    EXPECT_EQ(get16(r.out, 14 + 20 + 6), 1400);  // the MTU is passed on
}

// Below 576 (RFC 791's minimum) the MTU is forged or broken: counted, dropped,
// in both directions of a NAT flow.
TEST_F(NatTest, FragmentationNeededWithAnAbsurdMtuIsDropped) {
    add();
    d.run(frame(to_vip()));
    EXPECT_EQ(d.run(icmp_error(kClientMac, "10.1.0.254", kVip, 3, 4, 500, at_client(from_server()))).action,
              XDP_DROP);
    EXPECT_EQ(d.run(icmp_error(kRs, kRip, kClient, 3, 4, 68, at_server(to_vip()))).action, XDP_DROP);
    EXPECT_EQ(d.xdp_stats().icmp_bad_mtu, 2u);
    EXPECT_EQ(d.xdp_stats().icmp_nat, 0u);
    // 576 itself is a real MTU and goes on.
    EXPECT_EQ(d.run(icmp_error(kClientMac, "10.1.0.254", kVip, 3, 4, 576, at_client(from_server()))).action,
              XDP_TX);
}

TEST_F(NatTest, IcmpAboutAnUnknownFlowPassesUntouched) {
    add();
    Bytes in = icmp_error(kRs, kRip, kClient, 3, 3, 0, at_server(to_vip()));
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
}

// conn_reuse_mode's bit 2 reuses FIN_WAIT only where the director sees no
// replies (DR, TUN): a NAT connection in FIN_WAIT still has its server's FIN
// to come, so a SYN on its port joins it, as in IPVS.
TEST_F(NatTest, ASynOnAConnectionInFinWaitJoinsItWhateverTheReuseMode) {
    add();
    ASSERT_EQ(d.run(frame(to_vip(0x02))).action, XDP_TX);
    lvs_conn c = *d.conn(to_vip());
    c.state = LVS_TCP_S_FIN_WAIT;
    d.put_conn(to_vip(), c);
    lvs_config cfg = read_settings(d.maps());
    set_sysctl(cfg, parse_sysctl_assignment("conn_reuse_mode=3"));
    write_settings(d.maps(), cfg);
    ASSERT_EQ(d.run(frame(to_vip(0x02))).action, XDP_TX);
    EXPECT_EQ(d.xdp_stats().new_conns, 1u);
    EXPECT_EQ(d.xdp_stats().resched, 0u);
}

// A full table may evict a flow's reply entry: the client's next packet that
// pushes the flow on (here its handshake's ACK) sets it up again, and the
// server's replies are translated again instead of going to the kernel.
TEST_F(NatTest, AnEvictedReplyEntryIsSetUpAgainByTheClientsNextPacket) {
    add();
    ASSERT_EQ(d.run(frame(to_vip(0x02))).action, XDP_TX);
    ASSERT_EQ(d.run(frame(from_server(0x12))).action, XDP_TX);
    d.forget(frame(from_server()));  // evicted
    EXPECT_EQ(d.run(frame(from_server(0x10))).action, XDP_PASS);
    RunResult ack = d.run(frame(to_vip(0x10)));
    ASSERT_EQ(ack.action, XDP_TX);
    EXPECT_EQ(ack.out, frame(at_server(to_vip(0x10))));
    EXPECT_EQ(d.xdp_stats().nat_reply_restored, 1u);
    RunResult back = d.run(frame(from_server(0x18)));
    ASSERT_EQ(back.action, XDP_TX);
    EXPECT_EQ(back.out, frame(at_client(from_server(0x18))));
}

class FullNatTest : public NatTest {
protected:
    void SetUp() override {
        add_local_addresses(d.maps(), {parse_addr(kLaddr)});
        add("-t", "--fullnat");
    }
    // A client packet's output: as the server must get it, from the local
    // address and the port the flow got; returns that port.
    uint16_t expect_from_laddr(const RunResult& r) {
        EXPECT_EQ(r.action, XDP_TX);
        uint16_t lport = get16(r.out, 14 + 20);
        FrameSpec expected = at_server(to_vip());
        expected.saddr = kLaddr;
        expected.sport = lport;
        EXPECT_EQ(r.out, frame(expected));
        return lport;
    }
};

TEST_F(FullNatTest, BothDirectionsRewriteBothEnds) {
    uint16_t lport = expect_from_laddr(d.run(frame(to_vip())));
    EXPECT_GE(lport, 1024);

    RunResult back = d.run(frame(from_server(0x12, lport, kLaddr)));
    ASSERT_EQ(back.action, XDP_TX);
    EXPECT_EQ(back.out, frame(at_client(from_server(0x12, lport, kLaddr))));
}

TEST_F(FullNatTest, LocalPortsNeverCollide) {
    std::set<uint16_t> ports;
    for (uint16_t cport = 20000; cport < 21000; ++cport) {
        RunResult r = d.run(frame(to_vip(0x02, cport)));
        ASSERT_EQ(r.action, XDP_TX);
        ports.insert(get16(r.out, 14 + 20));
    }
    EXPECT_EQ(ports.size(), 1000u);
}

// Clients whose address and port differ in matching bits (address .10-.73,
// ports 40000-40063): each gets a port of its own from one local address.
TEST_F(FullNatTest, ClientsAlikeInAddressAndPortStillFindPorts) {
    std::set<uint16_t> ports;
    for (int host = 10; host < 74; ++host)
        for (uint16_t cport = 40000; cport < 40064; ++cport) {
            FrameSpec s = to_vip(0x02, cport);
            s.saddr = "10.1.0." + std::to_string(host);
            RunResult r = d.run(frame(s));
            ASSERT_EQ(r.action, XDP_TX) << s.saddr << ":" << cport;
            ports.insert(get16(r.out, 14 + 20));
        }
    EXPECT_EQ(ports.size(), 64u * 64u);
    EXPECT_EQ(d.xdp_stats().fullnat_no_port, 0u);
}

// Clients 10.1.0.a with source port 0x9c00 | (a ^ 0x40): the address's last
// octet and the port's low byte cancel out in a hash that XORs the fields
// before mixing, and then all sixteen flows would be offered the same ports.
TEST_F(FullNatTest, NeighbouringClientsWithMatchingPortsAllGetAPort) {
    std::set<uint16_t> ports;
    for (uint8_t a = 1; a <= 16; ++a) {
        FrameSpec s = to_vip(0x02, 0x9c00 | (a ^ 0x40));
        s.saddr = "10.1.0." + std::to_string(a);
        RunResult r = d.run(frame(s));
        ASSERT_EQ(r.action, XDP_TX) << "client " << s.saddr << ":" << s.sport;
        ports.insert(get16(r.out, 14 + 20));
    }
    EXPECT_EQ(ports.size(), 16u);
    EXPECT_EQ(d.xdp_stats().fullnat_no_port, 0u);
}

// With two local addresses, the address chosen must not decide the port's
// parity (the port range, 64,512, is even): each address gets both, else
// each would have half its ports.
TEST_F(FullNatTest, LocalAddressDoesNotNarrowItsPorts) {
    const char* kLaddr2 = "10.2.0.2";
    add_local_addresses(d.maps(), {parse_addr(kLaddr2)});
    std::set<std::pair<std::string, int>> seen;  // (local address, port parity)
    for (uint16_t cport = 20000; cport < 20200; ++cport) {
        RunResult r = d.run(frame(to_vip(0x02, cport)));
        ASSERT_EQ(r.action, XDP_TX);
        in_addr src;
        std::memcpy(&src, &r.out.at(14 + 12), 4);
        seen.insert({inet_ntoa(src), get16(r.out, 14 + 20) & 1});
    }
    EXPECT_EQ(seen.size(), 4u) << "some local address used only even or only odd ports";
}

TEST_F(FullNatTest, NoLocalAddressDropsNewFlows) {
    delete_local_addresses(d.maps(), {parse_addr(kLaddr)});
    EXPECT_EQ(d.run(frame(to_vip())).action, XDP_DROP);
    EXPECT_EQ(d.xdp_stats().fullnat_no_port, 1u);
}


// A flow's translation is set up by the first packet that goes on, not only
// by the very first packet: one passed for its TTL leaves no half-set flow.
TEST_F(NatTest, FirstPacketPassedForItsTtlLeavesTheFlowToTheNext) {
    add();
    FrameSpec dying = to_vip();
    dying.ttl = 1;
    ASSERT_EQ(d.run(frame(dying)).action, XDP_PASS);
    RunResult r = d.run(frame(to_vip()));
    ASSERT_EQ(r.action, XDP_TX);
    EXPECT_EQ(r.out, frame(at_server(to_vip())));
    RunResult back = d.run(frame(from_server()));
    ASSERT_EQ(back.action, XDP_TX);
    EXPECT_EQ(back.out, frame(at_client(from_server())));
}

TEST_F(FullNatTest, FirstPacketPassedForItsTtlLeavesTheFlowToTheNext) {
    FrameSpec dying = to_vip();
    dying.ttl = 1;
    ASSERT_EQ(d.run(frame(dying)).action, XDP_PASS);
    uint16_t lport = expect_from_laddr(d.run(frame(to_vip())));
    EXPECT_EQ(d.run(frame(from_server(0x12, lport, kLaddr))).action, XDP_TX);
}

// Every local port taken: the flow is dropped, keeps no port it did not
// reserve, and gets a free one with its next packet once ports free up.
TEST_F(FullNatTest, NoFreePortReservesNothingAndTheNextPacketRetries) {
    lvs_conn taken{};  // a client-side entry keyed like the reply to that port
    auto reply_to = [](uint16_t lport) { return from_server(0x12, lport, kLaddr); };
    for (uint32_t port = 1024; port <= 65535; ++port)
        d.put_conn(reply_to(port), taken);
    ASSERT_EQ(d.run(frame(to_vip())).action, XDP_DROP);
    EXPECT_EQ(d.xdp_stats().fullnat_no_port, 1u);
    auto c = d.conn(to_vip());
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->flags & LVS_CONN_F_SNAT);
    EXPECT_EQ(c->nat_sport, 0);

    for (uint32_t port = 1024; port <= 65535; ++port)
        d.forget(frame(reply_to(port)));
    uint16_t lport = expect_from_laddr(d.run(frame(to_vip())));
    EXPECT_EQ(d.run(frame(from_server(0x12, lport, kLaddr))).action, XDP_TX);
}

// A SYN after TIME_WAIT makes the client's entry anew; the old flow's reply
// entry then names no live flow, so its local port is free again (the new
// flow gets it back) and nothing else answers to an old port.
TEST_F(FullNatTest, ReusedFlowTakesItsPortBackAndLeaksNone) {
    RunResult r = d.run(frame(to_vip(0x02)));
    ASSERT_EQ(r.action, XDP_TX);
    uint16_t lport = get16(r.out, 14 + 20);
    ASSERT_EQ(d.run(frame(from_server(0x12, lport, kLaddr))).action, XDP_TX);
    d.run(frame(to_vip(0x10)));
    d.run(frame(to_vip(0x11)));
    d.run(frame(from_server(0x11, lport, kLaddr)));
    ASSERT_EQ(d.conn(to_vip())->state, LVS_TCP_S_TIME_WAIT);

    RunResult again = d.run(frame(to_vip(0x02)));
    ASSERT_EQ(again.action, XDP_TX);
    EXPECT_EQ(get16(again.out, 14 + 20), lport);
    EXPECT_EQ(d.run(frame(from_server(0x12, lport, kLaddr))).action, XDP_TX);
}

// FullNAT: the reply entry set up again keeps the flow's local port while no
// other flow holds it, so the server sees one connection throughout. The
// flow's first-choice port is taken when it starts and free when its reply
// entry goes: the port it holds is its second choice, and it keeps that one.
TEST_F(FullNatTest, AnEvictedReplyEntryIsSetUpAgainOnTheSameLocalPort) {
    const uint16_t first_choice = expect_from_laddr(d.run(frame(to_vip(0x02))));
    d.forget(frame(to_vip()));
    d.forget(frame(from_server(0x12, first_choice, kLaddr)));
    d.put_conn(from_server(0x12, first_choice, kLaddr), lvs_conn{});  // another flow's
    const uint16_t lport = expect_from_laddr(d.run(frame(to_vip(0x02))));
    ASSERT_NE(lport, first_choice);
    d.forget(frame(from_server(0x12, first_choice, kLaddr)));
    ASSERT_EQ(d.run(frame(from_server(0x12, lport, kLaddr))).action, XDP_TX);
    d.forget(frame(from_server(0x12, lport, kLaddr)));  // evicted
    RunResult ack = d.run(frame(to_vip(0x10)));
    ASSERT_EQ(ack.action, XDP_TX);
    EXPECT_EQ(get16(ack.out, 14 + 20), lport);
    EXPECT_EQ(d.xdp_stats().nat_reply_restored, 1u);
    RunResult back = d.run(frame(from_server(0x18, lport, kLaddr)));
    ASSERT_EQ(back.action, XDP_TX);
    EXPECT_EQ(back.out, frame(at_client(from_server(0x18, lport, kLaddr))));
}

}  // namespace
}  // namespace lvs::test
