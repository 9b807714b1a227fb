// Config operations and apply_command, driven through ipvsadm command lines.
#include <gtest/gtest.h>

#include "cli/command.h"
#include "error.h"
#include "sched/scheduler.h"

using namespace lvs;

namespace {

void run(Config& cfg, std::vector<std::string> args) { apply_command(cfg, parse_ipvsadm(args)); }

// The exit status of the failing command, 0 when it applies.
int exit_of(Config& cfg, std::vector<std::string> args) {
    try {
        run(cfg, args);
    } catch (const UserError& e) {
        return e.exit_code();
    }
    return 0;
}

std::string error_of(Config& cfg, std::vector<std::string> args) {
    try {
        run(cfg, args);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

ServiceKey key(const char* vip, uint16_t port, Proto proto = Proto::Tcp) {
    return ServiceKey{proto, parse_addr(vip), port};
}

// A config with one rr service and one DR server.
Config one_service() {
    Config cfg;
    run(cfg, {"-A", "-t", "192.168.88.250:80", "-s", "rr"});
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80", "-g", "-w", "1"});
    return cfg;
}

}  // namespace

TEST(Config, AddServiceAndServer) {
    const Config cfg = one_service();
    ASSERT_EQ(cfg.services().size(), 1u);
    const Service* svc = cfg.find(key("192.168.88.250", 80));
    ASSERT_NE(svc, nullptr);
    EXPECT_EQ(svc->sched, "rr");
    ASSERT_EQ(svc->dests.size(), 1u);
    EXPECT_EQ(svc->dests[0].addr, parse_addr("192.168.88.50"));
    EXPECT_EQ(svc->dests[0].fwd, Fwd::Route);
    EXPECT_EQ(cfg.find(key("192.168.88.250", 80, Proto::Udp)), nullptr);
}

TEST(Config, IpvsMessages) {
    Config cfg = one_service();
    EXPECT_EQ(error_of(cfg, {"-A", "-t", "192.168.88.250:80", "-s", "wrr"}), "Service already exists");
    EXPECT_EQ(error_of(cfg, {"-E", "-t", "192.168.88.251:80", "-s", "rr"}), "No such service");
    EXPECT_EQ(error_of(cfg, {"-D", "-t", "192.168.88.250:81"}), "No such service");
    EXPECT_EQ(error_of(cfg, {"-a", "-t", "192.168.88.250:81", "-r", "192.168.88.51"}), "Service not defined");
    EXPECT_EQ(error_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"}),
              "Destination already exists");
    EXPECT_EQ(error_of(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.51"}), "No such destination");
    EXPECT_EQ(error_of(cfg, {"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.51"}), "No such destination");
    EXPECT_EQ(error_of(cfg, {"-d", "-t", "192.168.88.250:81", "-r", "192.168.88.50"}), "Service not defined");
}

TEST(Config, FailedCommandsChangeNothing) {
    Config cfg = one_service();
    const auto before = cfg.services().size();
    error_of(cfg, {"-A", "-t", "192.168.88.250:80", "-s", "wrr"});
    EXPECT_EQ(cfg.services().size(), before);
    EXPECT_EQ(cfg.services()[0].sched, "rr");
}

TEST(Config, SchedulerIsValidatedByTheRegistry) {
    Config cfg;
    EXPECT_EQ(error_of(cfg, {"-A", "-t", "192.168.88.250:80", "-s", "bogus"}), scheduler_error("bogus"));
    EXPECT_TRUE(cfg.services().empty());
    run(cfg, {"-A", "-t", "192.168.88.250:80"});
    EXPECT_EQ(cfg.services()[0].sched, "wlc");  // ipvsadm's default
    Config one = one_service();
    EXPECT_EQ(error_of(one, {"-E", "-t", "192.168.88.250:80", "-s", "bogus"}), scheduler_error("bogus"));
    EXPECT_EQ(one.services()[0].sched, "rr");
}

TEST(Config, ServicesAndServersKeepInsertionOrder) {
    Config cfg;
    run(cfg, {"-A", "-t", "192.168.88.252:80", "-s", "rr"});
    run(cfg, {"-A", "-u", "192.168.88.250:53", "-s", "rr"});
    run(cfg, {"-A", "-t", "192.168.88.250:80", "-s", "rr"});
    ASSERT_EQ(cfg.services().size(), 3u);
    EXPECT_EQ(cfg.services()[0].key, key("192.168.88.252", 80));
    EXPECT_EQ(cfg.services()[1].key, key("192.168.88.250", 53, Proto::Udp));
    EXPECT_EQ(cfg.services()[2].key, key("192.168.88.250", 80));
    for (const char* rip : {"10.0.0.3", "10.0.0.1", "10.0.0.2"})
        run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", rip});
    const auto& dests = cfg.find(key("192.168.88.250", 80))->dests;
    ASSERT_EQ(dests.size(), 3u);
    EXPECT_EQ(dests[0].addr.str(), "10.0.0.3");
    EXPECT_EQ(dests[1].addr.str(), "10.0.0.1");
    EXPECT_EQ(dests[2].addr.str(), "10.0.0.2");
}

TEST(Config, EditServiceReplacesOptionsAndKeepsServers) {
    Config cfg = one_service();
    cfg.services()[0].id = 7;
    run(cfg, {"-E", "-t", "192.168.88.250:80", "-s", "wrr", "-p", "600", "-M", "255.255.255.0"});
    const Service& svc = cfg.services()[0];
    EXPECT_EQ(svc.sched, "wrr");
    EXPECT_EQ(svc.flags, uint32_t{LVS_SVC_F_PERSISTENT});
    EXPECT_EQ(svc.timeout, 600u);
    EXPECT_EQ(svc.netmask, 24u);
    EXPECT_EQ(svc.dests.size(), 1u);
    EXPECT_EQ(svc.id, 7u);
    // -E rebuilds the service: without -p it is no longer persistent.
    run(cfg, {"-E", "-t", "192.168.88.250:80", "-s", "rr"});
    EXPECT_EQ(cfg.services()[0].flags, 0u);
    EXPECT_EQ(cfg.services()[0].netmask, 32u);
}

TEST(Config, EditServerKeepsItsSlot) {
    Config cfg = one_service();
    cfg.services()[0].dests[0].id = 42;
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-w", "5", "-x", "10", "-y", "2"});
    const Dest& d = cfg.services()[0].dests[0];
    EXPECT_EQ(d.weight, 5u);
    EXPECT_EQ(d.u_threshold, 10u);
    EXPECT_EQ(d.l_threshold, 2u);
    EXPECT_EQ(d.id, 42u);
}

TEST(Config, DeleteAndClear) {
    Config cfg = one_service();
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51"});
    run(cfg, {"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.50"});
    ASSERT_EQ(cfg.services()[0].dests.size(), 1u);
    EXPECT_EQ(cfg.services()[0].dests[0].addr.str(), "192.168.88.51");
    run(cfg, {"-A", "-u", "192.168.88.250:53", "-s", "rr"});
    run(cfg, {"-D", "-t", "192.168.88.250:80"});
    ASSERT_EQ(cfg.services().size(), 1u);
    EXPECT_EQ(cfg.services()[0].key.proto, Proto::Udp);
    run(cfg, {"-C"});
    EXPECT_TRUE(cfg.services().empty());
}

TEST(Config, LowerThresholdAboveUpperIsRefused) {
    Config cfg = one_service();
    const std::string msg = error_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51", "-y", "5"});
    EXPECT_NE(msg.find("lower threshold"), std::string::npos) << msg;
    EXPECT_EQ(cfg.services()[0].dests.size(), 1u);
    EXPECT_NE(error_of(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-x", "1", "-y", "2"}), "");
}

TEST(Config, ServersMustBeUnicast) {
    Config cfg = one_service();
    for (const char* rip : {"224.0.0.1", "0.0.0.0", "255.255.255.255"}) {
        const std::string msg = error_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", rip});
        EXPECT_NE(msg.find("not a unicast address"), std::string::npos) << rip << ": " << msg;
    }
    EXPECT_EQ(cfg.services()[0].dests.size(), 1u);
}

// IPVS's port 0: a persistent service on every port of its VIP, and servers
// (NAT too) that take each connection's own port.
TEST(ApplyCommand, PortZeroServicesAndServersAreTaken) {
    Config cfg;
    EXPECT_EQ(error_of(cfg, {"-A", "-t", "192.168.88.250", "-s", "rr"}), "Zero port specified for non-persistent service");
    run(cfg, {"-A", "-t", "192.168.88.250:0", "-s", "rr", "-p"});
    run(cfg, {"-a", "-t", "192.168.88.250:0", "-r", "192.168.88.51", "-m"});
    ASSERT_EQ(cfg.services().size(), 1u);
    EXPECT_EQ(cfg.services()[0].key.port, 0);
    EXPECT_EQ(cfg.services()[0].dests[0].port, 0);
}

TEST(ApplyCommand, RefusesWhatTheDataPlaneCannotForward) {
    Config cfg = one_service();
    EXPECT_NE(error_of(cfg, {"-A", "-t", "[2001:db8::1]:80", "-s", "rr"}).find("IPv6"), std::string::npos);
    EXPECT_NE(error_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "[2001:db8::5]:80", "-i"}).find("IPv6"),
              std::string::npos);
    ASSERT_EQ(cfg.services().size(), 1u);
    EXPECT_EQ(cfg.services()[0].dests[0].fwd, Fwd::Route);
    EXPECT_EQ(cfg.services()[0].dests.size(), 1u);
}

TEST(ApplyCommand, TunnelServersMixWithDirectRoutingInOneService) {
    Config cfg = one_service();  // 192.168.88.50 is -g
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51", "-i"});
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.52", "-i", "--tun-type", "gue", "--tun-port", "6080",
              "--tun-remcsum", "-w", "4"});
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.53", "-i", "--tun-type", "gre", "--tun-csum"});
    const auto& dests = cfg.services()[0].dests;
    ASSERT_EQ(dests.size(), 4u);
    EXPECT_EQ(dests[0].fwd, Fwd::Route);
    EXPECT_EQ(dests[1].fwd, Fwd::Tunnel);
    EXPECT_EQ(dests[1].tun_type, TunType::Ipip);
    EXPECT_EQ(dests[2].fwd, Fwd::Tunnel);
    EXPECT_EQ(dests[2].tun_type, TunType::Gue);
    EXPECT_EQ(dests[2].tun_port, 6080);
    EXPECT_EQ(dests[2].tun_csum, TunCsum::RemCsum);
    EXPECT_EQ(dests[2].weight, 4u);
    EXPECT_EQ(dests[3].tun_type, TunType::Gre);
    EXPECT_EQ(dests[3].tun_csum, TunCsum::Csum);
    // The same server may not be added twice, whatever the method.
    EXPECT_EQ(error_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-i"}),
              "Destination already exists");
}

TEST(ApplyCommand, EditServerReplacesTheTunnelAsIpvsadmDoes) {
    Config cfg = one_service();
    cfg.services()[0].dests[0].id = 9;
    const Dest& d = cfg.services()[0].dests[0];
    // DR to GUE with a checksum.
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-i", "--tun-type", "gue", "--tun-port",
              "6080", "--tun-csum"});
    EXPECT_EQ(d.fwd, Fwd::Tunnel);
    EXPECT_EQ(d.tun_type, TunType::Gue);
    EXPECT_EQ(d.tun_port, 6080);
    EXPECT_EQ(d.tun_csum, TunCsum::Csum);
    EXPECT_EQ(d.id, 9u);
    // -e rebuilds the server: plain -i is ipip again, without GUE's port and checksum.
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-i"});
    EXPECT_EQ(d.fwd, Fwd::Tunnel);
    EXPECT_EQ(d.tun_type, TunType::Ipip);
    EXPECT_EQ(d.tun_port, 0);
    EXPECT_EQ(d.tun_csum, TunCsum::NoCsum);
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-i", "--tun-type", "gre", "--tun-csum"});
    EXPECT_EQ(d.tun_type, TunType::Gre);
    EXPECT_EQ(d.tun_csum, TunCsum::Csum);
    // Without a method it is DR again, with the tunnel defaults.
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-w", "2"});
    EXPECT_EQ(d.fwd, Fwd::Route);
    EXPECT_EQ(d.tun_type, TunType::Ipip);
    EXPECT_EQ(d.tun_csum, TunCsum::NoCsum);
    EXPECT_EQ(d.weight, 2u);
    EXPECT_EQ(d.id, 9u);
}

TEST(ApplyCommand, RefusesCommandsThatDoNotChangeTheConfiguration) {
    Config cfg = one_service();
    EXPECT_NE(error_of(cfg, {"-L"}).find("-L does not change the configuration"), std::string::npos);
    EXPECT_NE(error_of(cfg, {"-R"}).find("-R"), std::string::npos);
}

TEST(ApplyCommand, MasqueradingServersMixWithDirectRoutingAndTunnels) {
    Config cfg = one_service();  // 192.168.88.50:80 is -g
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080", "-m"});
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.12:8080", "-m", "-w", "2", "--fullnat"});
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51", "-i", "--tun-type", "gre"});
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.13", "-m"});  // no port: the service's
    const auto& d = cfg.services()[0].dests;
    ASSERT_EQ(d.size(), 5u);
    EXPECT_EQ(d[0].fwd, Fwd::Route);
    EXPECT_EQ(d[1].fwd, Fwd::Masq);
    EXPECT_EQ(d[1].port, 8080);
    EXPECT_FALSE(d[1].fullnat);
    EXPECT_EQ(d[2].fwd, Fwd::Masq);
    EXPECT_EQ(d[2].port, 8080);
    EXPECT_EQ(d[2].weight, 2u);
    EXPECT_TRUE(d[2].fullnat);
    EXPECT_EQ(d[3].fwd, Fwd::Tunnel);
    EXPECT_EQ(d[4].fwd, Fwd::Masq);
    EXPECT_EQ(d[4].port, 80);
    // A server is its address and port: the same address on another port is another server.
    EXPECT_EQ(error_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080", "-m", "--fullnat"}),
              "Destination already exists");
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8081", "-m"});
    EXPECT_EQ(cfg.services()[0].dests.size(), 6u);
    // UDP services take NAT servers too.
    run(cfg, {"-A", "-u", "192.168.88.250:53", "-s", "rr"});
    run(cfg, {"-a", "-u", "192.168.88.250:53", "-r", "10.0.1.11:5353", "-m"});
    EXPECT_EQ(cfg.find(key("192.168.88.250", 53, Proto::Udp))->dests.at(0).port, 5353);
}

TEST(ApplyCommand, EditServerSetsAndClearsFullnat) {
    Config cfg = one_service();
    run(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080", "-m"});
    cfg.services()[0].dests[1].id = 5;
    const Dest& d = cfg.services()[0].dests[1];
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080", "-m", "--fullnat", "-w", "3"});
    EXPECT_EQ(d.fwd, Fwd::Masq);
    EXPECT_TRUE(d.fullnat);
    EXPECT_EQ(d.weight, 3u);
    EXPECT_EQ(d.id, 5u);
    // -e rebuilds the server: without --fullnat it is plain NAT again.
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080", "-m"});
    EXPECT_FALSE(d.fullnat);
    EXPECT_EQ(d.weight, 1u);
    // A DR server can become NAT only on its own port (DR forces the service's port).
    run(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80", "-m", "--fullnat"});
    EXPECT_EQ(cfg.services()[0].dests[0].fwd, Fwd::Masq);
    EXPECT_TRUE(cfg.services()[0].dests[0].fullnat);
}

TEST(ApplyCommand, KernelRefusalsExit255AndLvsXdpLimitsExit1) {
    Config cfg = one_service();
    // What IPVS refuses; ipvsadm prints ipvs_strerror and returns -1.
    EXPECT_EQ(exit_of(cfg, {"-A", "-t", "192.168.88.250:80", "-s", "wrr"}), 255);  // Service already exists
    EXPECT_EQ(exit_of(cfg, {"-E", "-t", "192.168.88.251:80", "-s", "rr"}), 255);   // No such service
    EXPECT_EQ(exit_of(cfg, {"-D", "-t", "192.168.88.250:81"}), 255);               // No such service
    EXPECT_EQ(exit_of(cfg, {"-a", "-t", "192.168.88.250:81", "-r", "192.168.88.51"}), 255);  // Service not defined
    EXPECT_EQ(exit_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"}), 255);  // Destination already exists
    EXPECT_EQ(exit_of(cfg, {"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.51"}), 255);  // No such destination
    EXPECT_EQ(exit_of(cfg, {"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.51"}), 255);
    EXPECT_EQ(exit_of(cfg, {"-d", "-t", "192.168.88.250:81", "-r", "192.168.88.50"}), 255);
    EXPECT_EQ(exit_of(cfg, {"-A", "-t", "192.168.88.250:81", "-s", "bogus"}), 255);  // scheduler not found
    EXPECT_EQ(exit_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51", "-y", "5"}), 255);  // ERANGE
    EXPECT_EQ(exit_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "224.0.0.1"}), 255);  // EINVAL
    // ipvsadm's own checks: 2.
    EXPECT_EQ(exit_of(cfg, {"-a", "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080", "--fullnat"}), 2);
    // lvs-xdp's limits: 1.
    EXPECT_EQ(exit_of(cfg, {"-A", "-t", "[2001:db8::1]:80", "-s", "rr"}), 1);
    EXPECT_EQ(exit_of(cfg, {"-A", "-f", "1", "-s", "rr"}), 1);
    EXPECT_EQ(exit_of(cfg, {"-L"}), 1);
    // And nothing of it changed the table.
    ASSERT_EQ(cfg.services().size(), 1u);
    EXPECT_EQ(cfg.services()[0].dests.size(), 1u);
}
