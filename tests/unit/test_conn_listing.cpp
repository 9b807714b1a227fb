// -L -c: connection-table entries and persistence templates as ipvsadm lists them.
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
                          {}, cfg);
    EXPECT_EQ(format_conns(rows, true, false),
              "IPVS connection entries\n"
              "pro expire state       source             virtual            destination\n"
              "TCP 14:59  ESTABLISHED 192.168.88.10:51234 192.168.88.250:80  192.168.88.50:80\n"
              "TCP 01:01  TIME_WAIT   192.168.88.11:40000 192.168.88.250:80  192.168.88.50:80\n");
}

LiveTemplate tpl(const char* client_net, uint32_t svc_id, uint32_t dest_id, uint32_t left) {
    LiveTemplate t{};
    t.key.client = parse_addr(client_net).to_abi();
    t.key.svc_id = svc_id;
    t.tpl.dest_id = dest_id;
    t.expires_in_s = left;
    return t;
}

Service service(Proto proto, const char* vip, uint16_t port, uint32_t id, std::vector<Dest> dests) {
    Service svc;
    svc.key = {.proto = proto, .addr = parse_addr(vip), .port = port};
    svc.sched = "rr";
    svc.flags = LVS_SVC_F_PERSISTENT;
    svc.timeout = 360;
    svc.id = id;
    svc.dests = std::move(dests);
    return svc;
}

Dest dest(const char* addr, uint16_t port, uint32_t id) {
    Dest d;
    d.addr = parse_addr(addr);
    d.port = port;
    d.id = id;
    return d;
}

// IPVS lists its templates among the connections (/proc/net/ip_vs_conn):
// the service's protocol, state NONE, the client network with port 0, the
// service's port and the server's; ip_vs_sched_persist makes both ports 0
// for a port-0 (all ports) or FTP service, whose one template covers every port.
TEST(ConnListing, TemplatesAsIpvsListsThem) {
    Config cfg;
    cfg.services().push_back(service(Proto::Tcp, "192.168.88.250", 443, 3, {dest("192.168.88.50", 8443, 7)}));
    cfg.services().push_back(service(Proto::Udp, "192.168.88.250", 53, 4, {dest("192.168.88.53", 53, 8)}));
    cfg.services().push_back(service(Proto::Tcp, "192.168.88.251", 0, 5, {dest("192.168.88.54", 0, 9)}));
    cfg.services().push_back(service(Proto::Tcp, "192.168.88.252", 21, 6, {dest("192.168.88.55", 21, 10)}));
    auto rows = conn_rows({live("192.168.88.10", 51234, 6, LVS_TCP_S_ESTABLISHED, 7, 899)},
                          {tpl("192.168.88.0", 3, 7, 360), tpl("10.0.0.9", 4, 8, 299), tpl("10.0.0.10", 5, 9, 5),
                           tpl("10.0.0.11", 6, 10, 61),
                           tpl("10.0.0.12", 3, 99, 60),  // its server is gone
                           tpl("10.0.0.13", 4, 7, 60)},  // a server of another service: not this template's
                          cfg);
    EXPECT_EQ(format_conns(rows, true, false),
              "IPVS connection entries\n"
              "pro expire state       source             virtual            destination\n"
              "TCP 14:59  ESTABLISHED 192.168.88.10:51234 192.168.88.250:80  192.168.88.50:8443\n"
              "TCP 06:00  NONE        192.168.88.0:0     192.168.88.250:443 192.168.88.50:8443\n"
              "UDP 04:59  NONE        10.0.0.9:0         192.168.88.250:53  192.168.88.53:53\n"
              "TCP 00:05  NONE        10.0.0.10:0        192.168.88.251:0   192.168.88.54:0\n"
              "TCP 01:01  NONE        10.0.0.11:0        192.168.88.252:0   192.168.88.55:0\n");
}

// ipvsadm -Lc --persistent-conn adds the persistence-engine columns to the
// header; rows of entries without an engine (all of lvs-xdp's) stay short.
TEST(ConnListing, PersistentConnHeader) {
    Config cfg;
    cfg.services().push_back(service(Proto::Tcp, "192.168.88.250", 443, 3, {dest("192.168.88.50", 443, 7)}));
    EXPECT_EQ(format_conns(conn_rows({}, {tpl("192.168.88.0", 3, 7, 360)}, cfg), true, true),
              "IPVS connection entries\n"
              "pro expire state       source             virtual            destination        pe name          "
              "pe_data\n"
              "TCP 06:00  NONE        192.168.88.0:0     192.168.88.250:443 192.168.88.50:443\n");
}

TEST(ConnListing, StateNamesAreIpvss) {
    EXPECT_STREQ(conn_state_name(Proto::Tcp, LVS_TCP_S_SYN_RECV), "SYN_RECV");
    EXPECT_STREQ(conn_state_name(Proto::Tcp, LVS_TCP_S_CLOSE_WAIT), "CLOSE_WAIT");
    EXPECT_STREQ(conn_state_name(Proto::Udp, LVS_TCP_S_NONE), "UDP");
}

}  // namespace
}  // namespace lvs
