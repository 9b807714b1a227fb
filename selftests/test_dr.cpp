// DR forwarding on the real XDP object: exact bytes in and out.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <map>

#include "store/settings.h"
#include "store/sysctls.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs1{0x02, 0, 0, 0, 0, 0x11};
const Mac kRs2{0x02, 0, 0, 0, 0, 0x12};
const Mac kRs3{0x02, 0, 0, 0, 0, 0x13};

class DrTest : public ::testing::Test {
protected:
    Director d;

    void add_service(const std::string& sched, const std::vector<std::pair<std::string, int>>& servers) {
        d.ipvsadm("-A -t 10.1.0.100:80 -s " + sched);
        for (const auto& [rip, w] : servers)
            add_server(rip, w);
    }
    void add_server(const std::string& rip, int weight) {
        d.ipvsadm("-a -t 10.1.0.100:80 -r " + rip + ":80 -g -w " + std::to_string(weight));
        d.set_mac(rip, mac_of(rip));
    }
    static Mac mac_of(const std::string& rip) {
        static const std::map<std::string, Mac> macs = {
            {"10.1.0.11", kRs1}, {"10.1.0.12", kRs2}, {"10.1.0.13", kRs3}};
        return macs.at(rip);
    }
    // The server a frame went to, by its new destination MAC ("" if not forwarded).
    static std::string server_of(const RunResult& r) {
        if (r.action != XDP_TX)
            return "";
        Mac m;
        std::copy(r.out.begin(), r.out.begin() + 6, m.begin());
        for (auto [name, mac] : {std::pair{"rs1", kRs1}, {"rs2", kRs2}, {"rs3", kRs3}})
            if (m == mac)
                return name;
        return "?";
    }
    std::string send_from_port(uint16_t sport, uint8_t flags = 0x02) {
        FrameSpec s;
        s.sport = sport;
        s.tcp_flags = flags;
        return server_of(d.run(frame(s)));
    }
    // Puts the connection from client port sport in TCP state `state`.
    void set_state(uint16_t sport, uint8_t state) {
        FrameSpec s;
        s.sport = sport;
        lvs_conn c = *d.conn(s);
        c.state = state;
        d.put_conn(s, c);
    }
    void set_reuse_mode(uint32_t mode) {
        lvs_config c = read_settings(d.maps());
        set_sysctl(c, parse_sysctl_assignment("conn_reuse_mode=" + std::to_string(mode)));
        write_settings(d.maps(), c);
    }
};

TEST_F(DrTest, RewritesOnlyTheMacsAndTransmits) {
    add_service("rr", {{"10.1.0.11", 1}});
    FrameSpec s;
    s.payload = "GET / HTTP/1.0\r\n\r\n";
    Bytes in = frame(s);
    RunResult r = d.run(in);
    ASSERT_EQ(r.action, XDP_TX);
    Bytes expected = in;
    std::copy(kRs1.begin(), kRs1.end(), expected.begin());
    std::copy(kDirectorMac.begin(), kDirectorMac.end(), expected.begin() + 6);
    EXPECT_EQ(r.out, expected);  // L3 and L4 byte-identical, checksums untouched
}

TEST_F(DrTest, UdpServiceIsForwardedToo) {
    d.ipvsadm("-A -u 10.1.0.100:53 -s rr");
    d.ipvsadm("-a -u 10.1.0.100:53 -r 10.1.0.12 -g");
    d.set_mac("10.1.0.12", kRs2);
    FrameSpec s;
    s.proto = 17;
    s.dport = 53;
    s.payload = "query";
    RunResult r = d.run(frame(s));
    EXPECT_EQ(server_of(r), "rs2");
    s.dport = 80;  // the TCP service's port, but UDP: not a service
    EXPECT_EQ(d.run(frame(s)).action, XDP_PASS);
}

TEST_F(DrTest, RoundRobinAlternatesOverNewFlows) {
    add_service("rr", {{"10.1.0.11", 1}, {"10.1.0.12", 1}, {"10.1.0.13", 1}});
    std::vector<std::string> got;
    for (uint16_t port = 1000; port < 1006; ++port)
        got.push_back(send_from_port(port));
    // IPVS's list is newest first, and so is its round.
    EXPECT_EQ(got, (std::vector<std::string>{"rs3", "rs2", "rs1", "rs3", "rs2", "rs1"}));
}

TEST_F(DrTest, WeightedRoundRobinInterleavesByGcd) {
    add_service("wrr", {{"10.1.0.11", 4}, {"10.1.0.12", 3}, {"10.1.0.13", 2}});
    std::vector<std::string> got;
    for (uint16_t port = 2000; port < 2018; ++port)
        got.push_back(send_from_port(port));
    // Current weight 4, 3, 2, 1 over the list newest first (rs3, rs2, rs1).
    std::vector<std::string> cycle = {"rs1", "rs2", "rs1", "rs3", "rs2", "rs1", "rs3", "rs2", "rs1"};
    std::vector<std::string> expected = cycle;
    expected.insert(expected.end(), cycle.begin(), cycle.end());
    EXPECT_EQ(got, expected);
}

TEST_F(DrTest, EstablishedFlowStaysWhenAServerIsAdded) {
    add_service("rr", {{"10.1.0.12", 1}, {"10.1.0.11", 1}});  // rr takes the newest first: rs1
    ASSERT_EQ(send_from_port(3000), "rs1");
    ASSERT_EQ(send_from_port(3001), "rs2");
    add_server("10.1.0.13", 1);
    d.ipvsadm("-e -t 10.1.0.100:80 -r 10.1.0.11:80 -g -w 5");
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(send_from_port(3000, 0x10), "rs1");
        EXPECT_EQ(send_from_port(3001, 0x10), "rs2");
    }
}

TEST_F(DrTest, WeightZeroTakesNoNewFlowsButKeepsItsOwn) {
    add_service("rr", {{"10.1.0.12", 1}, {"10.1.0.11", 1}});  // rr takes the newest first: rs1
    ASSERT_EQ(send_from_port(4000), "rs1");
    ASSERT_EQ(send_from_port(4001), "rs2");
    d.ipvsadm("-e -t 10.1.0.100:80 -r 10.1.0.12:80 -g -w 0");
    for (uint16_t port = 4100; port < 4110; ++port)
        EXPECT_EQ(send_from_port(port), "rs1");
    EXPECT_EQ(send_from_port(4001, 0x10), "rs2");
}

TEST_F(DrTest, SynReusingAPortInTimeWaitIsScheduledAnew) {
    add_service("rr", {{"10.1.0.12", 1}, {"10.1.0.11", 1}});  // rr takes the newest first: rs1
    ASSERT_EQ(send_from_port(5500), "rs1");
    set_state(5500, LVS_TCP_S_TIME_WAIT);          // the old connection has closed
    EXPECT_EQ(send_from_port(5500, 0x10), "rs1");  // its late ACK still goes where it went
    EXPECT_EQ(send_from_port(5500, 0x02), "rs2");  // a new connection: the scheduler's pick
    EXPECT_EQ(d.xdp_stats().new_conns, 2u);
}

// A TCP packet other than a SYN with no entry (one lost: evicted, idle past
// its timeout) is scheduled as IPVS's sloppy_tcp=1 would, and counted; a
// SYN is not.
TEST_F(DrTest, AFlowScheduledOnAPacketOtherThanASynIsCounted) {
    add_service("rr", {{"10.1.0.11", 1}});
    EXPECT_EQ(send_from_port(5700, 0x02), "rs1");
    EXPECT_EQ(send_from_port(5700, 0x10), "rs1");  // its entry: not scheduled again
    EXPECT_EQ(d.xdp_stats().sched_not_syn, 0u);
    EXPECT_EQ(send_from_port(5701, 0x10), "rs1");  // an ACK of no known flow
    EXPECT_EQ(send_from_port(5702, 0x12), "rs1");  // a SYN with ACK is no client's first
    EXPECT_EQ(d.xdp_stats().sched_not_syn, 2u);
    EXPECT_EQ(d.xdp_stats().new_conns, 3u);
}

// IPVS's conn_reuse_mode, for each of its values: which states a SYN on the
// port of an old connection starts a new one from (scheduled anew: rs2), and
// which it joins (rs1, the old connection's server). FIN_WAIT is the last
// state a DR director sees of a connection, reused with bit 2 only.
TEST_F(DrTest, ConnReuseModeDecidesWhichStatesASynStartsANewConnectionFrom) {
    add_service("rr", {{"10.1.0.12", 1}, {"10.1.0.11", 1}});
    struct Case {
        uint32_t mode;
        uint8_t state;
        const char* server;
    };
    const Case cases[] = {
        {1, LVS_TCP_S_CLOSE, "rs2"},       {1, LVS_TCP_S_FIN_WAIT, "rs1"},   {1, LVS_TCP_S_ESTABLISHED, "rs1"},
        {0, LVS_TCP_S_TIME_WAIT, "rs1"},   {0, LVS_TCP_S_CLOSE, "rs1"},      {2, LVS_TCP_S_FIN_WAIT, "rs2"},
        {3, LVS_TCP_S_FIN_WAIT, "rs2"},    {3, LVS_TCP_S_TIME_WAIT, "rs2"},  {3, LVS_TCP_S_SYN_RECV, "rs1"},
    };
    uint16_t port = 5600;
    for (const Case& c : cases) {
        set_reuse_mode(c.mode);
        ASSERT_EQ(send_from_port(port), "rs1");  // rr's turn is rs1's: the picks so far are even
        set_state(port, c.state);
        EXPECT_EQ(send_from_port(port, 0x02), c.server) << "conn_reuse_mode " << c.mode << ", state " << int(c.state);
        if (std::string(c.server) == "rs1")
            send_from_port(static_cast<uint16_t>(port + 1000));  // a pick for rs2: even again
        ++port;
    }
}

// IPVS's port-0 service: persistent, every port of the VIP, one template for
// all of a client's ports; servers on port 0 keep each packet's port.
TEST_F(DrTest, PortZeroPersistentServiceTakesEveryPortOfItsVip) {
    d.ipvsadm("-A -t 10.1.0.100:0 -s rr -p 60");
    for (const char* rip : {"10.1.0.11", "10.1.0.12"}) {
        d.ipvsadm(std::string("-a -t 10.1.0.100:0 -r ") + rip + " -g");
        d.set_mac(rip, mac_of(rip));
    }
    std::string first;
    for (uint16_t dport : {80, 443, 8080, 22}) {
        FrameSpec s;
        s.sport = static_cast<uint16_t>(7000 + dport % 100);
        s.dport = dport;
        const std::string got = server_of(d.run(frame(s)));
        EXPECT_NE(got, "") << dport;
        if (first.empty())
            first = got;
        EXPECT_EQ(got, first) << dport;  // rr alone would alternate
    }
    const HashMap<lvs_persist_key, lvs_persist> templates(d.maps().persist);
    EXPECT_EQ(templates.entries().size(), 1u);
    FrameSpec other;
    other.daddr = "10.1.0.101";  // another address: not the service
    EXPECT_EQ(d.run(frame(other)).action, XDP_PASS);
}

TEST_F(DrTest, NoAvailableServerDrops) {
    add_service("rr", {{"10.1.0.11", 0}});
    FrameSpec s;
    EXPECT_EQ(d.run(frame(s)).action, XDP_DROP);
    EXPECT_EQ(d.xdp_stats().no_dest, 1u);
}

TEST_F(DrTest, CountersCountPacketsBytesAndConnections) {
    add_service("rr", {{"10.1.0.12", 1}, {"10.1.0.11", 1}});  // rr takes the newest first: rs1
    FrameSpec s;
    size_t l3 = frame(s).size() - 14;
    for (uint16_t port : {6000, 6001, 6000, 6000, 6001})
        send_from_port(port, port == 6000 ? 0x10 : 0x02);
    lvs_counters svc = d.service_counters("10.1.0.100:80");
    EXPECT_EQ(svc.conns, 2u);
    EXPECT_EQ(svc.inpkts, 5u);
    EXPECT_EQ(svc.inbytes, 5 * l3);
    EXPECT_EQ(d.dest_counters("10.1.0.11").inpkts, 3u);
    EXPECT_EQ(d.dest_counters("10.1.0.12").inpkts, 2u);
    EXPECT_EQ(d.dest_counters("10.1.0.12").conns, 1u);
}

TEST_F(DrTest, ServerWithoutKnownMacGoesToTheKernel) {
    d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
    d.ipvsadm("-a -t 10.1.0.100:80 -r 10.1.0.11:80 -g");  // no route, no ARP: MAC unknown
    FrameSpec s;
    Bytes in = frame(s);
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
    EXPECT_EQ(d.xdp_stats().no_neigh, 1u);
}

// Frames that are not for a service pass unchanged.
class PassThroughTest : public DrTest {
protected:
    void SetUp() override { add_service("rr", {{"10.1.0.11", 1}}); }
    void expect_pass(const Bytes& in) {
        RunResult r = d.run(in);
        EXPECT_EQ(r.action, XDP_PASS);
        EXPECT_EQ(r.out, in);
    }
};

TEST_F(PassThroughTest, OtherPortOtherAddressOtherProtocol) {
    FrameSpec s;
    s.dport = 22;
    expect_pass(frame(s));
    s.dport = 80;
    s.daddr = "10.1.0.2";
    expect_pass(frame(s));
    expect_pass(icmp_echo("10.1.0.10", "10.1.0.100"));
    expect_pass(arp_request("10.1.0.100"));
    EXPECT_EQ(d.xdp_stats().tx, 0u);
}

TEST_F(PassThroughTest, TruncatedFramesAtEveryLength) {
    Bytes full = frame(FrameSpec{});
    for (size_t len = 14; len < full.size(); ++len) {  // the kernel takes no less than a MAC header
        Bytes cut(full.begin(), full.begin() + len);
        SCOPED_TRACE(len);
        expect_pass(cut);
    }
}

TEST_F(PassThroughTest, MalformedIpHeaders) {
    Bytes good = frame(FrameSpec{});
    Bytes bad_ihl = good;
    bad_ihl[14] = 0x44;  // IHL 4: shorter than an IPv4 header
    expect_pass(bad_ihl);
    Bytes long_total = good;
    long_total[16] = 0x05;  // total length beyond the frame
    expect_pass(long_total);
    Bytes v6 = good;
    v6[14] = 0x65;  // version 6 in an IPv4 ethertype
    expect_pass(v6);
    Bytes fragment = good;
    fragment[21] = 0x10;  // offset 128: a later fragment of no datagram forwarded
    expect_pass(fragment);
    Bytes not_ip = good;
    not_ip[12] = 0x86;
    not_ip[13] = 0xdd;  // IPv6 ethertype
    expect_pass(not_ip);
}

}  // namespace
}  // namespace lvs::test
