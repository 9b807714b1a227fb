// A connection whose real server is removed (-d), as IPVS treats it in
// ip_vs_in_hook: by default (expire_nodest_conn 0) its packets are dropped
// and its entry left to expire; with `sysctl expire_nodest_conn=1` the entry
// is expired on its next packet, which is scheduled as a new flow's, and the
// sweep ends such entries before any packet comes.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include "maps/dest_conns.h"
#include "store/settings.h"
#include "store/store.h"
#include "store/sweep.h"
#include "store/sysctls.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

// Server n's MAC (rs1, rs2, rs3 at 10.1.0.11, .12, .13).
Mac rs_mac(uint8_t n) { return Mac{0x02, 0, 0, 0, 0xee, n}; }
const Mac kRs1 = rs_mac(1), kRs2 = rs_mac(2), kRs3 = rs_mac(3);

class NodestTest : public ::testing::Test {
protected:
    Director d;

    void SetUp() override {
        d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
        add_server("10.1.0.12", kRs2, 1);
        add_server("10.1.0.11", kRs1, 1);  // rr takes the newest first: rs1, then rs2
        ASSERT_EQ(send(5000), "rs1");
        ASSERT_EQ(send(5001), "rs2");
        send(5001, 0x10);  // ESTABLISHED: counted active on rs2
        ASSERT_EQ(conns("10.1.0.12").active, 1u);
    }
    void add_server(const std::string& rip, const Mac& mac, int weight) {
        d.ipvsadm("-a -t 10.1.0.100:80 -r " + rip + ":80 -g -w " + std::to_string(weight));
        d.set_mac(rip, mac);
    }
    void expire_nodest_conn(uint32_t on) {
        lvs_config c = read_settings(d.maps());
        set_sysctl(c, parse_sysctl_assignment("expire_nodest_conn=" + std::to_string(on)));
        write_settings(d.maps(), c);
    }
    // The server a frame from client port sport went to: "" when not sent on.
    std::string send(uint16_t sport, uint8_t flags = 0x02) {
        FrameSpec s;
        s.sport = sport;
        s.tcp_flags = flags;
        RunResult r = d.run(frame(s));
        if (r.action != XDP_TX)
            return r.action == XDP_DROP ? "dropped" : "passed";
        for (auto [name, mac] : {std::pair{"rs1", kRs1}, {"rs2", kRs2}, {"rs3", kRs3}})
            if (std::equal(mac.begin(), mac.end(), r.out.begin()))
                return name;
        return "?";
    }
    bool has_conn(uint16_t sport) const {
        FrameSpec s;
        s.sport = sport;
        return d.conn(s).has_value();
    }
    DestConnCounts conns(const std::string& rip) const {
        const Config cfg = Store(d.maps()).load();  // kept: the loop reads into it
        for (const Service& svc : cfg.services())
            for (const Dest& dest : svc.dests)
                if (dest.addr.str() == rip)
                    return DestConns(d.maps().dest_conns).read(dest.id);
        throw std::runtime_error("no server " + rip);
    }
    void expect_counted_once(const lvs_xdp_stats& s) {
        EXPECT_EQ(s.rx, s.pass + s.tx + s.redirect + s.no_dest + s.fullnat_no_port + s.drop_error + s.icmp_bad_mtu +
                            s.nodest_drop);
    }
};

// IPVS's default: "don't restart its timer, and silently drop the packet".
TEST_F(NodestTest, ByDefaultPacketsOfARemovedServersConnectionAreDropped) {
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    // rs3 takes the slot rs2 had: the flow still naming that slot must not
    // follow it there.
    add_server("10.1.0.13", kRs3, 1);
    const lvs_conn before = *d.conn(FrameSpec{.sport = 5001});
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(send(5001, 0x10), "dropped");
    const lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.nodest_drop, 3u);
    EXPECT_EQ(s.resched, 0u);
    expect_counted_once(s);
    const lvs_conn after = *d.conn(FrameSpec{.sport = 5001});
    EXPECT_EQ(after.expires, before.expires) << "a dropped packet must not keep the entry alive";
    EXPECT_EQ(after.dest_id, before.dest_id);
    EXPECT_EQ(send(5000, 0x10), "rs1");  // the other server's flow goes on
    EXPECT_EQ(send(6000), "rs3");        // new connections go to the servers there are
    EXPECT_EQ(send(6001), "rs1");
    // The sweep leaves the entry until its time is up.
    sweep_expired(d.maps());
    EXPECT_TRUE(has_conn(5001));
}

// A deviation from IPVS, which drops it too: a SYN on the key of a removed
// server's connection (a client port used again; in DR the old entry waits
// in FIN_WAIT for minutes) opens a new connection on a server there is, and
// the old connection's count goes with its entry.
TEST_F(NodestTest, ByDefaultASynOnARemovedServersConnectionIsScheduledAnew) {
    send(5001, 0x11);  // the client's FIN: FIN_WAIT, as a finished request leaves it
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    EXPECT_EQ(send(5001), "rs1");
    lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.nodest_drop, 0u);
    EXPECT_EQ(s.resched, 1u);
    expect_counted_once(s);
    EXPECT_EQ(d.conn(FrameSpec{.sport = 5001})->acct, uint32_t{LVS_ACCT_INACTIVE});
    EXPECT_EQ(conns("10.1.0.11").inactive, 2u);  // with the SYN of 5000
    EXPECT_EQ(send(5001, 0x10), "rs1");          // its connection goes on there
    EXPECT_EQ(d.xdp_stats().resched, 1u);
}

TEST_F(NodestTest, WithExpireNodestConnTheConnectionIsExpiredAndThePacketScheduledAnew) {
    expire_nodest_conn(1);
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    add_server("10.1.0.13", kRs3, 0);  // takes no new flows
    // rr goes on from rs2's place to rs1, the only server with a weight.
    EXPECT_EQ(send(5001, 0x10), "rs1");
    lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.resched, 1u);
    EXPECT_EQ(s.nodest_drop, 0u);
    expect_counted_once(s);
    const lvs_conn c = *d.conn(FrameSpec{.sport = 5001});
    EXPECT_EQ(c.acct, uint32_t{LVS_ACCT_INACTIVE});  // a new connection on rs1, counted once
    EXPECT_EQ(conns("10.1.0.11").inactive, 2u);  // with the SYN of 5000
    EXPECT_EQ(send(5001, 0x10), "rs1");  // now an ordinary flow of rs1
    EXPECT_EQ(d.xdp_stats().resched, 1u);
}

TEST_F(NodestTest, WithExpireNodestConnAndNoServerLeftTheEntryIsGoneAndThePacketDropped) {
    expire_nodest_conn(1);
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    d.ipvsadm("-e -t 10.1.0.100:80 -r 10.1.0.11:80 -g -w 0");
    EXPECT_EQ(send(5001, 0x10), "dropped");
    EXPECT_FALSE(has_conn(5001)) << "the expired connection's entry stays";
    const lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.no_dest, 1u);
    expect_counted_once(s);
}

// ip_vs_expire_nodest_conn_flush: with the setting, removing a server ends its
// connections without waiting for their packets.
TEST_F(NodestTest, WithExpireNodestConnTheSweepEndsTheRemovedServersConnections) {
    expire_nodest_conn(1);
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    const SweepResult r = sweep_expired(d.maps());
    EXPECT_EQ(r.conns, 1u);
    EXPECT_FALSE(has_conn(5001));
    EXPECT_TRUE(has_conn(5000));
    EXPECT_EQ(conns("10.1.0.11").inactive, 1u);  // rs1's flow is still counted
}

// IPVS's other use of the setting: a new connection (SYN) on the key of one
// whose server has weight 0 is scheduled anew instead of joining it.
TEST_F(NodestTest, WithExpireNodestConnASynOntoAQuiescedServersConnectionIsScheduledAnew) {
    d.ipvsadm("-e -t 10.1.0.100:80 -r 10.1.0.12:80 -g -w 0");
    EXPECT_EQ(send(5001), "rs2");  // without the setting it joins its entry
    EXPECT_EQ(send(5001, 0x10), "rs2");
    expire_nodest_conn(1);
    EXPECT_EQ(send(5001, 0x10), "rs2");  // not a SYN: the connection goes on
    EXPECT_EQ(send(5001), "rs1");
    EXPECT_EQ(d.xdp_stats().resched, 1u);
    EXPECT_EQ(conns("10.1.0.12").active + conns("10.1.0.12").inactive, 0u);  // taken out once
}

TEST_F(NodestTest, SettingTurnedOffAgainDropsOnceMore) {
    expire_nodest_conn(1);
    expire_nodest_conn(0);
    EXPECT_EQ(sysctl_value(read_settings(d.maps()), "expire_nodest_conn"), 0u);
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    EXPECT_EQ(send(5001, 0x10), "dropped");
    EXPECT_TRUE(has_conn(5001));
}

// A server removed and added back to its service (a health check's flap, as
// keepalived does it) takes its old slot back, as IPVS takes a destination
// back from its trash: its connections go on, no new connection is counted.
TEST_F(NodestTest, AServerAddedBackToItsServiceResumesItsConnections) {
    d.ipvsadm("-d -t 10.1.0.100:80 -r 10.1.0.12:80");
    ASSERT_EQ(send(5001, 0x10), "dropped");
    // Another server added meanwhile does not take the removed one's slot.
    add_server("10.1.0.13", kRs3, 1);
    const uint64_t new_conns = d.xdp_stats().new_conns;
    add_server("10.1.0.12", kRs2, 1);
    EXPECT_EQ(send(5001, 0x10), "rs2");
    EXPECT_EQ(d.xdp_stats().new_conns, new_conns);
    EXPECT_EQ(conns("10.1.0.12").active, 1u) << "its counters came back with it";
}

// Only to the same service: added to a service made anew (here after -D), the
// server starts afresh and the old connection's packets are scheduled anew.
TEST_F(NodestTest, AServerAddedToAServiceMadeAnewStartsAfresh) {
    expire_nodest_conn(1);
    d.ipvsadm("-D -t 10.1.0.100:80");
    d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
    add_server("10.1.0.12", kRs2, 1);
    const uint64_t new_conns = d.xdp_stats().new_conns;
    EXPECT_EQ(send(5001, 0x10), "rs2");
    EXPECT_EQ(d.xdp_stats().new_conns, new_conns + 1) << "a new connection, not the old one";
}

}  // namespace
}  // namespace lvs::test
