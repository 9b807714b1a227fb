// -L -c and the ActiveConn/InActConn counts, from connection-table entries.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "format/conns.h"

namespace lvs {
namespace {

LiveConn live(const char* client, uint16_t cport, uint8_t proto, uint8_t state, uint32_t dest_id, uint32_t left) {
    LiveConn l{};
    l.key.src = parse_addr(client).to_abi();
    l.key.dst = parse_addr("192.168.88.250").to_abi();
    l.key.sport = htons(cport);
    l.key.dport = htons(80);
    l.key.proto = proto;
    l.key.family = LVS_AF_INET;
    l.conn.dest_id = dest_id;
    l.conn.state = state;
    l.expires_in_s = left;
    return l;
}

TEST(ConnCounts, EstablishedTcpIsActiveEverythingElseInactive) {
    auto counts = count_connections({
        live("10.0.0.1", 1000, 6, LVS_TCP_S_ESTABLISHED, 0, 900),
        live("10.0.0.2", 1000, 6, LVS_TCP_S_ESTABLISHED, 0, 900),
        live("10.0.0.3", 1000, 6, LVS_TCP_S_FIN_WAIT, 0, 100),
        live("10.0.0.4", 1000, 6, LVS_TCP_S_SYN_RECV, 1, 60),
        live("10.0.0.5", 1000, 17, LVS_TCP_S_NONE, 1, 300),
    });
    EXPECT_EQ(counts[0].active, 2u);
    EXPECT_EQ(counts[0].inactive, 1u);
    EXPECT_EQ(counts[1].active, 0u);
    EXPECT_EQ(counts[1].inactive, 2u);
}

TEST(ConnListing, IpvsadmLayout) {
    Config cfg;
    Service svc;
    svc.key = {.proto = Proto::Tcp, .addr = parse_addr("192.168.88.250"), .port = 80};
    svc.sched = "rr";
    Dest d;
    d.addr = parse_addr("192.168.88.50");
    d.port = 80;
    d.id = 7;
    svc.dests.push_back(d);
    cfg.services().push_back(svc);
    auto rows = conn_rows({live("192.168.88.10", 51234, 6, LVS_TCP_S_ESTABLISHED, 7, 899),
                           live("192.168.88.11", 40000, 6, LVS_TCP_S_TIME_WAIT, 7, 61),
                           live("192.168.88.12", 40001, 6, LVS_TCP_S_CLOSE, 99, 5)},  // no such server
                          cfg);
    EXPECT_EQ(format_conns(rows, true),
              "IPVS connection entries\n"
              "pro expire state       source             virtual            destination\n"
              "TCP 14:59  ESTABLISHED 192.168.88.10:51234 192.168.88.250:80  192.168.88.50:80\n"
              "TCP 01:01  TIME_WAIT   192.168.88.11:40000 192.168.88.250:80  192.168.88.50:80\n");
}

TEST(ConnListing, StateNamesAreIpvss) {
    EXPECT_STREQ(conn_state_name(Proto::Tcp, LVS_TCP_S_SYN_RECV), "SYN_RECV");
    EXPECT_STREQ(conn_state_name(Proto::Tcp, LVS_TCP_S_CLOSE_WAIT), "CLOSE_WAIT");
    EXPECT_STREQ(conn_state_name(Proto::Udp, LVS_TCP_S_NONE), "UDP");
}

}  // namespace
}  // namespace lvs
