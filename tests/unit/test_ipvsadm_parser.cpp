#include <gtest/gtest.h>

#include "cli/command.h"
#include "error.h"

using namespace lvs;

namespace {

Command parse(std::vector<std::string> args) { return parse_ipvsadm(args); }

// The message parse_ipvsadm fails with, or "" when it accepts the line.
std::string error_of(std::vector<std::string> args) {
    try {
        parse_ipvsadm(args);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

// The exit status lvs-xdp gives the line (UserError's), or 0 when it parses.
int exit_of(std::vector<std::string> args) {
    try {
        parse_ipvsadm(args);
    } catch (const UserError& e) {
        return e.exit_code();
    }
    return 0;
}

std::vector<std::string> add_server(std::vector<std::string> extra, const char* cmd = "-a") {
    std::vector<std::string> args = {cmd, "-t", "192.168.88.250:80", "-r", "10.0.1.11:8080"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

const Addr kVip = parse_addr("192.168.88.250");
const Addr kRip = parse_addr("192.168.88.50");
const std::string kTryHelp = "Try `lvs-xdp -h' or 'lvs-xdp --help' for more information.";

}  // namespace

TEST(Parser, NoArgumentsListsWithNames) {
    const Command c = parse({});
    EXPECT_EQ(c.action, Action::List);
    EXPECT_FALSE(c.list.numeric);
    EXPECT_FALSE(c.service);
}

TEST(Parser, AddService) {
    const Command c = parse({"-A", "-t", "192.168.88.250:80", "-s", "rr"});
    EXPECT_EQ(c.action, Action::AddService);
    ASSERT_TRUE(c.service);
    EXPECT_EQ(c.service->key.proto, Proto::Tcp);
    EXPECT_EQ(c.service->key.addr, kVip);
    EXPECT_EQ(c.service->key.port, 80);
    EXPECT_EQ(c.service->sched, "rr");
    EXPECT_EQ(c.service->flags, 0u);
    EXPECT_FALSE(c.dest);
}

TEST(Parser, LongOptionsAndUdp) {
    const Command c = parse({"--add-service", "--udp-service=192.168.88.250:53", "--scheduler", "wrr"});
    EXPECT_EQ(c.action, Action::AddService);
    EXPECT_EQ(c.service->key.proto, Proto::Udp);
    EXPECT_EQ(c.service->key.port, 53);
    EXPECT_EQ(c.service->sched, "wrr");
}

TEST(Parser, DefaultSchedulerIsWlc) {
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80"}).service->sched, "wlc");
    // -E rebuilds the service too, so it falls back to wlc as well.
    EXPECT_EQ(parse({"-E", "-t", "192.168.88.250:80"}).service->sched, "wlc");
}

TEST(Parser, ShortOptionsCluster) {
    const Command list = parse({"-Ln"});
    EXPECT_EQ(list.action, Action::List);
    EXPECT_TRUE(list.list.numeric);

    const Command add = parse({"-At", "192.168.88.250:80", "-srr"});
    EXPECT_EQ(add.service->key.port, 80);
    EXPECT_EQ(add.service->sched, "rr");

    EXPECT_EQ(parse({"-A", "-t192.168.88.250:81"}).service->key.port, 81);
}

TEST(Parser, PersistentTimeoutIsOptional) {
    const Command alone = parse({"-A", "-t", "192.168.88.250:80", "-p"});
    EXPECT_EQ(alone.service->flags, uint32_t{LVS_SVC_F_PERSISTENT});
    EXPECT_EQ(alone.service->timeout, 360u);
    // The next word is the timeout only when it is not an option.
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80", "-p", "-s", "rr"}).service->timeout, 360u);
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80", "-p", "600"}).service->timeout, 600u);
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80", "-p900"}).service->timeout, 900u);
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80", "--persistent=120"}).service->timeout, 120u);
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-p", "0"}), "invalid timeout value `0' specified");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-p", "2678401"}),
              "invalid timeout value `2678401' specified");
}

TEST(Parser, NetmaskBecomesAPrefixLength) {
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80", "-p", "-M", "255.255.255.0"}).service->netmask, 24u);
    EXPECT_EQ(parse({"-A", "-t", "192.168.88.250:80"}).service->netmask, 32u);
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-M", "2001:db8::"}),
              "illegal virtual server persistent mask specified");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-M", "nonsense"})
                  .rfind("illegal virtual server persistent mask specified", 0),
              0u);
    EXPECT_NE(error_of({"-A", "-t", "192.168.88.250:80", "-M", "255.0.255.0"}).find("contiguous"),
              std::string::npos);
}

TEST(Parser, Ipv6NetmaskIsAPrefixReadByTheFamilySeenSoFar) {
    EXPECT_EQ(parse({"-A", "-t", "[2001:db8::1]:80", "-p", "-M", "64"}).service->netmask, 64u);
    EXPECT_EQ(parse({"-A", "-t", "[2001:db8::1]:80"}).service->netmask, 128u);
    EXPECT_EQ(error_of({"-A", "-t", "[2001:db8::1]:80", "-M", "129"}), "illegal ipv6 netmask specified");
    // Before -t the service is still IPv4, so "64" is read as a dotted mask.
    EXPECT_NE(error_of({"-A", "-M", "64", "-t", "[2001:db8::1]:80"}), "");
}

TEST(Parser, AddServerDefaults) {
    const Command c = parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80"});
    EXPECT_EQ(c.action, Action::AddDest);
    ASSERT_TRUE(c.dest);
    EXPECT_EQ(c.dest->addr, kRip);
    EXPECT_EQ(c.dest->port, 80);
    EXPECT_EQ(c.dest->fwd, Fwd::Route);
    EXPECT_EQ(c.dest->weight, 1u);
    EXPECT_EQ(c.dest->u_threshold, 0u);
    EXPECT_EQ(c.dest->l_threshold, 0u);
}

TEST(Parser, WeightAndThresholds) {
    const Command c = parse({"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-w", "0", "-x", "100",
                             "-y", "50"});
    EXPECT_EQ(c.action, Action::EditDest);
    EXPECT_EQ(c.dest->weight, 0u);
    EXPECT_EQ(c.dest->u_threshold, 100u);
    EXPECT_EQ(c.dest->l_threshold, 50u);
    EXPECT_EQ(parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-w", "65535"}).dest->weight, 65535u);
    const std::vector<std::string> svc = {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = svc;
        args.insert(args.end(), extra.begin(), extra.end());
        return error_of(args);
    };
    EXPECT_EQ(with({"-w", "65536"}), "illegal weight specified");
    EXPECT_EQ(with({"-w", "-1"}), "illegal weight specified");  // -w takes "-1" as its value
    EXPECT_EQ(with({"-w", "x"}), "illegal weight specified");
    EXPECT_EQ(with({"-x", "-5"}), "illegal u_threshold specified");
    EXPECT_EQ(with({"-y", "2147483648"}), "illegal l_threshold specified");
}

TEST(Parser, DirectRoutingAndTunnelForceTheServicePort) {
    EXPECT_EQ(parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:8080", "-g"}).dest->port, 80);
    EXPECT_EQ(parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:8080"}).dest->port, 80);
    const Command tun = parse({"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50:8080", "-i"});
    EXPECT_EQ(tun.dest->fwd, Fwd::Tunnel);
    EXPECT_EQ(tun.dest->port, 80);
    // Masquerading may change the port.
    const Command nat = parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:8080", "-m"});
    EXPECT_EQ(nat.dest->fwd, Fwd::Masq);
    EXPECT_EQ(nat.dest->port, 8080);
}

TEST(Parser, ServerWithoutPortTakesTheServicePortSeenSoFar) {
    EXPECT_EQ(parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-m"}).dest->port, 80);
    EXPECT_EQ(parse({"-a", "-r", "192.168.88.50", "-m", "-t", "192.168.88.250:80"}).dest->port, 0);
    // -d does not force the port: it names the server as it was added.
    EXPECT_EQ(parse({"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.50:8080"}).dest->port, 8080);
    EXPECT_EQ(parse({"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.50"}).dest->port, 80);
}

TEST(Parser, ZeroPortNeedsPersistence) {
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250"}), "Zero port specified for non-persistent service");
    const Command c = parse({"-A", "-t", "192.168.88.250", "-p"});
    EXPECT_EQ(c.service->key.port, 0);
    EXPECT_TRUE(c.service->flags & LVS_SVC_F_PERSISTENT);
}

TEST(Parser, BadAddressesUseIpvsadmsMessageWithTheReason) {
    const std::string svc = error_of({"-A", "-t", "foo:80"});
    EXPECT_EQ(svc.rfind("illegal virtual server address[:port] specified", 0), 0u) << svc;
    EXPECT_NE(svc.find("'foo'"), std::string::npos) << svc;
    const std::string rs = error_of({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:99999"});
    EXPECT_EQ(rs.rfind("illegal real server address[:port] specified", 0), 0u) << rs;
}

TEST(Parser, CommandOptionTable) {
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-w", "2"}),
              "Illegal 'weight' option with the 'add-service' command");
    EXPECT_EQ(error_of({"-a", "-t", "192.168.88.250:80"}),
              "You need to supply the 'real-server' option for the 'add-server' command");
    EXPECT_EQ(error_of({"-a", "-r", "192.168.88.50"}),
              "You need to supply the 'service-address' option for the 'add-server' command");
    EXPECT_EQ(error_of({"-D", "-t", "192.168.88.250:80", "-s", "rr"}),
              "Illegal 'scheduler' option with the 'delete-service' command");
    EXPECT_EQ(error_of({"-C", "-n"}), "Illegal 'numeric' option with the 'flush' command");
    EXPECT_EQ(error_of({"-R", "-n"}), "Illegal 'numeric' option with the 'restore' command");
    EXPECT_EQ(error_of({"-S", "--nosort"}), "Illegal 'nosort' option with the 'save' command");
    EXPECT_EQ(error_of({"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-w", "1"}),
              "Illegal 'weight' option with the 'delete-server' command");
    // The later option in the table is named first, whatever the argv order.
    EXPECT_EQ(error_of({"-L", "-t", "192.168.88.250:80", "-c"}),
              "The option 'service-address' conflicts with the 'connection' option in the 'list' command");
    EXPECT_EQ(error_of({"-L", "-c", "--stats"}), "options conflicts in the list command");
}

TEST(Parser, RepeatedOptions) {
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-u", "192.168.88.250:53"}),
              "multiple 'service-address' options specified");
    EXPECT_EQ(error_of({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-g", "-m"}),
              "multiple 'forwarding-method' options specified");
    EXPECT_EQ(error_of({"-Lnn"}), "multiple 'numeric' options specified");
}

TEST(Parser, TheFirstOptionMustBeACommand) {
    EXPECT_EQ(error_of({"-n", "-L"}), kTryHelp);
    EXPECT_EQ(error_of({"foo"}), kTryHelp);
    EXPECT_EQ(error_of({"--bogus"}), kTryHelp);
    EXPECT_EQ(error_of({"-A", "-D", "-t", "192.168.88.250:80"}), "invalid option `-D'");
    EXPECT_EQ(error_of({"-Ld"}), "invalid option `-Ld'");
    EXPECT_EQ(error_of({"-L", "-h"}), "invalid option `-h'");
}

TEST(Parser, HelpAndVersion) {
    EXPECT_EQ(parse({"-h"}).action, Action::Help);
    EXPECT_EQ(parse({"--help"}).action, Action::Help);
    EXPECT_EQ(parse({"-v", "whatever"}).action, Action::Version);
}

TEST(Parser, PoptErrorsNameTheWord) {
    EXPECT_EQ(error_of({"-L", "--foo"}), "--foo: unknown option");
    EXPECT_EQ(error_of({"-L", "-q"}), "-q: unknown option");
    EXPECT_EQ(error_of({"-A", "-t"}), "-t: missing argument");
    EXPECT_EQ(error_of({"-L", "--stats=1"}), "--stats=1: option does not take an argument");
}

TEST(Parser, LeftoverWords) {
    EXPECT_EQ(error_of({"-L", "foo"}), "unexpected argument foo");
    EXPECT_EQ(error_of({"-L", "--", "-n"}), "unexpected argument -n");
}

TEST(Parser, ListSaveZeroRestore) {
    const Command one = parse({"-L", "-n", "-t", "192.168.88.250:80"});
    EXPECT_EQ(one.action, Action::List);
    ASSERT_TRUE(one.service);
    EXPECT_EQ(one.service->key.port, 80);
    const Command flags = parse({"-l", "--thresholds", "--nosort", "-X", "--sort"});
    EXPECT_TRUE(flags.list.thresholds);
    EXPECT_TRUE(flags.list.nosort);
    EXPECT_TRUE(flags.list.exact);
    EXPECT_FALSE(flags.list.numeric);
    const Command save = parse({"-S", "-n"});
    EXPECT_EQ(save.action, Action::Save);
    EXPECT_TRUE(save.list.numeric);
    EXPECT_EQ(parse({"-Z"}).action, Action::Zero);
    EXPECT_TRUE(parse({"-Z", "-t", "192.168.88.250:80"}).service);
    EXPECT_EQ(parse({"-R"}).action, Action::Restore);
    EXPECT_EQ(parse({"-C"}).action, Action::Clear);
    EXPECT_EQ(parse({"-D", "-t", "192.168.88.250:80"}).action, Action::DeleteService);
}

TEST(Parser, AddressFamiliesMustMatchExceptForTunnels) {
    EXPECT_EQ(error_of({"-a", "-t", "192.168.88.250:80", "-r", "[2001:db8::5]:80"}),
              "Different address family is allowed only for tunneling servers");
    EXPECT_EQ(parse({"-a", "-t", "192.168.88.250:80", "-r", "[2001:db8::5]:80", "-i"}).dest->fwd, Fwd::Tunnel);
}

TEST(Parser, TunnelOptions) {
    const std::vector<std::string> add = {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = add;
        args.insert(args.end(), extra.begin(), extra.end());
        return error_of(args);
    };
    EXPECT_EQ(with({"--tun-type", "gue"}), "Tunnel options conflict with forward method");
    EXPECT_EQ(with({"-i", "--tun-type", "gue"}), "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    EXPECT_EQ(with({"-i", "--tun-port", "5"}), "Illegal 'tun-port' option with the 'ipip' tunnel type");
    EXPECT_EQ(with({"-i", "--tun-type", "gue", "--tun-port", "5", "--tun-csum", "--tun-nocsum"}),
              "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type");
    EXPECT_EQ(with({"-i", "--tun-type", "vxlan"}), "illegal tunnel type specified");
    EXPECT_EQ(with({"-i", "--tun-type", "gue", "--tun-port", "6080"}), "");
}

TEST(Parser, TunnelTableErrors) {
    const std::vector<std::string> add = {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-i"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = add;
        args.insert(args.end(), extra.begin(), extra.end());
        return error_of(args);
    };
    // ipip takes no tunnel option at all.
    EXPECT_EQ(with({"--tun-csum"}), "Illegal 'tun-csum' option with the 'ipip' tunnel type");
    EXPECT_EQ(with({"--tun-type", "ipip", "--tun-nocsum"}),
              "Illegal 'tun-nocsum' option with the 'ipip' tunnel type");
    // gre: no port, no remote checksum, one of nocsum and csum.
    EXPECT_EQ(with({"--tun-type", "gre", "--tun-port", "4754"}),
              "Illegal 'tun-port' option with the 'gre' tunnel type");
    EXPECT_EQ(with({"--tun-type", "gre", "--tun-remcsum"}),
              "Illegal 'tun-remcsum' option with the 'gre' tunnel type");
    EXPECT_EQ(with({"--tun-type", "gre", "--tun-csum", "--tun-nocsum"}),
              "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type");
    // gue: the port is required; table order decides which conflict is named.
    EXPECT_EQ(with({"--tun-type", "gue", "--tun-remcsum", "--tun-port", "6080", "--tun-csum"}),
              "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type");
    EXPECT_EQ(with({"--tun-type", "gue", "--tun-csum"}),
              "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    for (const char* port : {"0", "65536", "http", ""})
        EXPECT_EQ(with({"--tun-type", "gue", "--tun-port", port}), "illegal tunnel port specified") << port;
    EXPECT_EQ(with({"--tun-type", "gre", "--tun-csum", "--tun-csum"}), "multiple 'tun-csum' options specified");
    EXPECT_EQ(with({"--tun-type", "gre", "--tun-type", "gue"}), "multiple 'tun-type' options specified");
    // The command table comes first, then the forwarding method, then the tunnel table.
    EXPECT_EQ(error_of({"-d", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "--tun-type", "gre"}),
              "Illegal 'tun-type' option with the 'delete-server' command");
    EXPECT_EQ(with({"--tun-info"}), "Illegal 'tun-info' option with the 'add-server' command");
    EXPECT_EQ(error_of({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-m", "--tun-port", "5"}),
              "Tunnel options conflict with forward method");
}

TEST(Parser, TunnelOptionsAreStoredInTheServer) {
    auto dest = [](std::vector<std::string> extra) {
        std::vector<std::string> args = {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"};
        args.insert(args.end(), extra.begin(), extra.end());
        return *parse(args).dest;
    };
    const Dest ipip = dest({"-i"});
    EXPECT_EQ(ipip.fwd, Fwd::Tunnel);
    EXPECT_EQ(ipip.tun_type, TunType::Ipip);
    EXPECT_EQ(ipip.tun_port, 0);
    EXPECT_EQ(ipip.tun_csum, TunCsum::NoCsum);
    EXPECT_EQ(dest({"-i", "--tun-type", "ipip"}).tun_type, TunType::Ipip);

    const Dest gue = dest({"--ipip", "--tun-type=gue", "--tun-port=6080"});
    EXPECT_EQ(gue.tun_type, TunType::Gue);
    EXPECT_EQ(gue.tun_port, 6080);
    EXPECT_EQ(gue.tun_csum, TunCsum::NoCsum);  // no checksum option: nocsum, as in ipvsadm
    EXPECT_EQ(gue.port, 80);                   // tunnels keep the service's port
    EXPECT_EQ(dest({"-i", "--tun-type", "gue", "--tun-port", "65535", "--tun-nocsum"}).tun_port, 65535);
    EXPECT_EQ(dest({"-i", "--tun-type", "gue", "--tun-port", "1", "--tun-nocsum"}).tun_csum, TunCsum::NoCsum);
    EXPECT_EQ(dest({"-i", "--tun-type", "gue", "--tun-port", "1", "--tun-csum"}).tun_csum, TunCsum::Csum);
    EXPECT_EQ(dest({"-i", "--tun-type", "gue", "--tun-port", "1", "--tun-remcsum"}).tun_csum, TunCsum::RemCsum);

    const Dest gre = dest({"--tun-csum", "--tun-type", "gre", "-i", "-w", "3"});  // any order
    EXPECT_EQ(gre.tun_type, TunType::Gre);
    EXPECT_EQ(gre.tun_port, 0);
    EXPECT_EQ(gre.tun_csum, TunCsum::Csum);
    EXPECT_EQ(gre.weight, 3u);
    EXPECT_EQ(dest({"-i", "--tun-type", "gre"}).tun_csum, TunCsum::NoCsum);
    EXPECT_EQ(dest({"-i", "--tun-type", "gre", "--tun-nocsum"}).tun_csum, TunCsum::NoCsum);

    // -e takes the same options.
    const Command edit = parse({"-e", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-i", "--tun-type", "gue",
                                "--tun-port", "7000", "--tun-remcsum"});
    EXPECT_EQ(edit.dest->tun_type, TunType::Gue);
    EXPECT_EQ(edit.dest->tun_port, 7000);
    EXPECT_EQ(edit.dest->tun_csum, TunCsum::RemCsum);
}

TEST(Parser, NonTunnelServersKeepTheTunnelDefaults) {
    for (const char* fwd : {"-g", "-m"}) {
        const Dest d = *parse({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", fwd}).dest;
        EXPECT_EQ(d.tun_type, TunType::Ipip) << fwd;
        EXPECT_EQ(d.tun_port, 0) << fwd;
        EXPECT_EQ(d.tun_csum, TunCsum::NoCsum) << fwd;
    }
}

TEST(Parser, TunnelWordsAreTheOnesTheParserReads) {
    EXPECT_EQ(tun_type_name(TunType::Ipip), "ipip");
    EXPECT_EQ(tun_type_name(TunType::Gue), "gue");
    EXPECT_EQ(tun_type_name(TunType::Gre), "gre");
    EXPECT_EQ(tun_csum_option(TunCsum::NoCsum), "--tun-nocsum");
    EXPECT_EQ(tun_csum_option(TunCsum::Csum), "--tun-csum");
    EXPECT_EQ(tun_csum_option(TunCsum::RemCsum), "--tun-remcsum");
}

TEST(Parser, IpvsadmChecksComeBeforeLvsXdpLimits) {
    // ipvsadm refuses -w with -A; that is what the user hears first.
    EXPECT_EQ(error_of({"-A", "-f", "1", "-w", "3"}), "Illegal 'weight' option with the 'add-service' command");
    EXPECT_EQ(error_of({"-A", "-f", "0"}), "invalid fwmark value `0' specified");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-o"}),
              "One-Packet Scheduling is only for UDP virtual services");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-6"}), "-6 used before -f");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-s", "rr", "-b", "sh-port"}),
              "incompatible scheduler flag `sh-port'");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-b", "bogus"}), "invalid scheduler flag `bogus'");
    EXPECT_EQ(error_of({"--set", "1", "2"}), "--set option requires 3 timeout values");
    EXPECT_EQ(error_of({"--start-daemon", "primary"}), "illegal start-daemon parameter specified");
}

TEST(Parser, SchedulerFlagsAreStoredInTheServiceFlags) {
    auto flags_of = [](std::vector<std::string> args) { return parse(args).service->flags; };
    EXPECT_EQ(flags_of({"-A", "-t", "192.168.88.250:80", "-s", "sh", "-b", "sh-fallback,sh-port"}),
              uint32_t{LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED2});
    EXPECT_EQ(flags_of({"-A", "-t", "192.168.88.250:80", "-b", "mh-port", "-s", "mh"}), uint32_t{LVS_SVC_F_SCHED2});
    EXPECT_EQ(flags_of({"-E", "-t", "192.168.88.250:80", "-s", "mh", "--sched-flags", "mh-fallback"}),
              uint32_t{LVS_SVC_F_SCHED1});
    // flag-N fit any scheduler; empty items are skipped as strtok skips them.
    EXPECT_EQ(flags_of({"-A", "-t", "192.168.88.250:80", "-s", "rr", "-b", "flag-1,,flag-3"}),
              uint32_t{LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED3});
    EXPECT_EQ(flags_of({"-A", "-t", "192.168.88.250:80", "-p", "-s", "sh", "-b", "flag-2"}),
              uint32_t{LVS_SVC_F_PERSISTENT | LVS_SVC_F_SCHED2});
    // Without -s the scheduler is wlc, which has no named flags.
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-b", "sh-port"}), "incompatible scheduler flag `sh-port'");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-s", "sh", "-b", "mh-port"}),
              "incompatible scheduler flag `mh-port'");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-s", "sh", "-b", "sh-port,flag-4"}),
              "invalid scheduler flag `flag-4'");
}

TEST(Parser, FeaturesLvsXdpLacksAreRefusedClearly) {
    auto refused = [](std::vector<std::string> args, const std::string& what) {
        const std::string msg = error_of(args);
        EXPECT_NE(msg.find(what), std::string::npos) << msg;
        EXPECT_NE(msg.find("not available in this version of lvs-xdp"), std::string::npos) << msg;
    };
    refused({"-A", "-f", "1", "-s", "rr"}, "-f");
    refused({"-A", "-f", "1", "-6", "-s", "rr"}, "-f");
    refused({"-A", "--sctp-service", "192.168.88.250:80"}, "--sctp-service");
    refused({"-A", "-u", "192.168.88.250:53", "-o"}, "-o");
    refused({"-A", "-t", "192.168.88.250:80", "--pe", "sip"}, "--pe");
    refused({"--start-daemon", "master"}, "--start-daemon");
    refused({"-L", "--daemon"}, "--daemon");
}

TEST(Parser, MasqueradingKeepsThePortAndTakesFullnat) {
    const Dest nat = *parse(add_server({"-m", "-w", "2"})).dest;
    EXPECT_EQ(nat.fwd, Fwd::Masq);
    EXPECT_EQ(nat.port, 8080);
    EXPECT_EQ(nat.weight, 2u);
    EXPECT_FALSE(nat.fullnat);
    EXPECT_TRUE(parse(add_server({"--masquerading"})).dest->fwd == Fwd::Masq);

    for (const char* cmd : {"-a", "-e", "--add-server", "--edit-server"}) {
        const Command c = parse(add_server({"-m", "--fullnat"}, cmd));
        ASSERT_TRUE(c.dest) << cmd;
        EXPECT_EQ(c.dest->fwd, Fwd::Masq) << cmd;
        EXPECT_TRUE(c.dest->fullnat) << cmd;
        EXPECT_EQ(c.dest->port, 8080) << cmd;
    }
    // Anywhere on the line, like any option.
    EXPECT_TRUE(parse({"-a", "--fullnat", "-t", "192.168.88.250:80", "-m", "-r", "10.0.1.11:8080"}).dest->fullnat);
}

TEST(Parser, FullnatOnlyWithServerCommandsInIpvsadmsWords) {
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "-s", "rr", "--fullnat"}),
              "Illegal 'fullnat' option with the 'add-service' command");
    EXPECT_EQ(error_of({"-E", "-t", "192.168.88.250:80", "--fullnat"}),
              "Illegal 'fullnat' option with the 'edit-service' command");
    EXPECT_EQ(error_of({"-D", "-t", "192.168.88.250:80", "--fullnat"}),
              "Illegal 'fullnat' option with the 'delete-service' command");
    EXPECT_EQ(error_of(add_server({"--fullnat"}, "-d")), "Illegal 'fullnat' option with the 'delete-server' command");
    EXPECT_EQ(error_of({"-L", "--fullnat"}), "Illegal 'fullnat' option with the 'list' command");
    EXPECT_EQ(error_of({"-S", "--fullnat"}), "Illegal 'fullnat' option with the 'save' command");
    EXPECT_EQ(error_of({"-C", "--fullnat"}), "Illegal 'fullnat' option with the 'flush' command");
    EXPECT_EQ(error_of({"-Z", "--fullnat"}), "Illegal 'fullnat' option with the 'zero' command");
    EXPECT_EQ(error_of({"--set", "1", "2", "3", "--fullnat"}), "Illegal 'fullnat' option with the 'set' command");
    EXPECT_EQ(error_of(add_server({"-m", "--fullnat", "--fullnat"})), "multiple 'fullnat' options specified");
    EXPECT_EQ(error_of(add_server({"-m", "--fullnat=yes"})), "--fullnat=yes: option does not take an argument");
}

TEST(Parser, FullnatNeedsMasquerading) {
    const std::string needs_m = "FullNAT is only for masquerading servers: --fullnat needs -m";
    EXPECT_EQ(error_of(add_server({"--fullnat"})), needs_m);  // DR is the default
    EXPECT_EQ(error_of(add_server({"-g", "--fullnat"})), needs_m);
    EXPECT_EQ(error_of(add_server({"-i", "--fullnat"})), needs_m);
    EXPECT_EQ(error_of(add_server({"--fullnat"}, "-e")), needs_m);
    EXPECT_EQ(exit_of(add_server({"--fullnat"})), 2);
    // ipvsadm's own checks come first.
    EXPECT_EQ(error_of({"-a", "-t", "192.168.88.250:80", "-r", "[2001:db8::5]:80", "--fullnat"}),
              "Different address family is allowed only for tunneling servers");
    EXPECT_EQ(error_of(add_server({"--tun-type", "gre", "--fullnat"})), "Tunnel options conflict with forward method");
}

TEST(Parser, SetTakesThreeTimeouts) {
    const Command c = parse({"--set", "900", "120", "300"});
    EXPECT_EQ(c.action, Action::SetTimeouts);
    EXPECT_EQ(c.timeouts, (Timeouts{.tcp = 900, .tcpfin = 120, .udp = 300}));
    EXPECT_EQ(parse({"--set", "0", "60", "0"}).timeouts, (Timeouts{.tcp = 0, .tcpfin = 60, .udp = 0}));
    EXPECT_EQ(parse({"--set", "2678400", "+1", "0"}).timeouts, (Timeouts{.tcp = 2678400, .tcpfin = 1, .udp = 0}));
    // The values may stand anywhere after --set ("--" lets one start with '-').
    EXPECT_EQ(parse({"--set", "--", "5", "6", "7"}).timeouts, (Timeouts{.tcp = 5, .tcpfin = 6, .udp = 7}));
    EXPECT_FALSE(parse({"--set", "1", "2", "3"}).service);
}

TEST(Parser, SetErrorsAreIpvsadms) {
    EXPECT_EQ(error_of({"--set"}), "--set option requires 3 timeout values");
    EXPECT_EQ(error_of({"--set", "900", "120"}), "--set option requires 3 timeout values");
    EXPECT_EQ(error_of({"--set", "900", "120", "x"}), "invalid timeout value `x' specified");
    EXPECT_EQ(error_of({"--set", "900", "2678401", "300"}), "invalid timeout value `2678401' specified");
    EXPECT_EQ(error_of({"--set", "1", "2", "3", "4"}), "unexpected argument 4");
    EXPECT_EQ(error_of({"--set", "-n", "1", "2", "3"}), "Illegal 'numeric' option with the 'set' command");
    EXPECT_EQ(error_of({"--set", "1", "2", "3", "-t", "192.168.88.250:80"}),
              "Illegal 'service-address' option with the 'set' command");
    for (auto args : {std::vector<std::string>{"--set", "1"}, {"--set", "1", "2", "x"}, {"--set", "1", "2", "3", "4"}})
        EXPECT_EQ(exit_of(args), 2) << args.back();
}

TEST(Parser, ListTimeout) {
    const Command c = parse({"-L", "--timeout"});
    EXPECT_EQ(c.action, Action::List);
    EXPECT_TRUE(c.list.timeout);
    EXPECT_TRUE(parse({"-L", "-n", "--timeout"}).list.timeout);
    EXPECT_EQ(error_of({"-L", "--timeout", "--stats"}), "options conflicts in the list command");
    EXPECT_EQ(error_of({"-L", "--timeout", "--persistent-conn"}), "options conflicts in the list command");
    EXPECT_EQ(error_of({"-L", "--timeout", "-t", "192.168.88.250:80"}),
              "The option 'timeout' conflicts with the 'service-address' option in the 'list' command");
}

TEST(Parser, ExitStatusesAreIpvsadms) {
    // fail(2, ...): bad values, option/command table, leftovers, second commands.
    EXPECT_EQ(exit_of({"-A", "-t", "192.168.88.250:80", "-w", "2"}), 2);
    EXPECT_EQ(exit_of({"-A", "-t", "foo:80"}), 2);
    EXPECT_EQ(exit_of({"-A", "-t", "192.168.88.250"}), 2);  // zero port, not persistent
    EXPECT_EQ(exit_of(add_server({"-w", "65536"})), 2);
    EXPECT_EQ(exit_of(add_server({"-g", "-m"})), 2);
    EXPECT_EQ(exit_of({"-L", "foo"}), 2);
    EXPECT_EQ(exit_of({"-A", "-D"}), 2);
    EXPECT_EQ(exit_of({"-L", "-c", "--stats"}), 2);
    EXPECT_EQ(exit_of(add_server({"--tun-port", "5"})), 2);
    EXPECT_EQ(exit_of({"-A", "-t", "192.168.88.250:80", "-6"}), 2);
    // tryhelp_exit(-1) and popt's errors: 255.
    EXPECT_EQ(exit_of({"-n", "-L"}), 255);
    EXPECT_EQ(exit_of({"--bogus"}), 255);
    EXPECT_EQ(exit_of({"-L", "--foo"}), 255);
    EXPECT_EQ(exit_of({"-A", "-t"}), 255);
    // What ipvsadm takes and lvs-xdp lacks: 1.
    EXPECT_EQ(exit_of({"-A", "-f", "1", "-s", "rr"}), 1);
    EXPECT_EQ(exit_of({"-L", "--daemon"}), 1);
    EXPECT_EQ(exit_of({"-A", "-t", "192.168.88.250:80", "--pe", "sip"}), 1);
    // Lines that parse.
    EXPECT_EQ(exit_of(add_server({"-m", "--fullnat"})), 0);
    EXPECT_EQ(exit_of({"--set", "1", "2", "3"}), 0);
}

// --rate as ipvsadm takes it: with the listings, not with -c or --timeout
// (process_options' "options conflicts in the list command"), and with
// --stats and --thresholds, whose precedence the listing decides.
TEST(Parser, ListRate) {
    const Command c = parse({"-L", "-n", "--rate"});
    EXPECT_EQ(c.action, Action::List);
    EXPECT_TRUE(c.list.rate);
    EXPECT_TRUE(parse({"-Ln", "--rate", "--exact", "-t", "192.168.88.250:80"}).list.rate);
    EXPECT_TRUE(parse({"-L", "--rate", "--stats", "--thresholds"}).list.rate);
    for (auto other : {"-c", "--timeout"}) {
        EXPECT_EQ(error_of({"-L", "--rate", other}), "options conflicts in the list command") << other;
        EXPECT_EQ(exit_of({"-L", other, "--rate"}), 2) << other;
    }
    EXPECT_EQ(error_of({"-L", "--rate", "--rate"}), "multiple 'rate' options specified");
    EXPECT_EQ(error_of({"-S", "--rate"}), "Illegal 'rate' option with the 'save' command");
    EXPECT_EQ(error_of({"-Z", "--rate"}), "Illegal 'rate' option with the 'zero' command");
}

// --json is lvs-xdp's own: with -L in every form, with nothing else.
TEST(Parser, ListJson) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-L", "--json"}, {"-Ln", "--json"}, {"-L", "--stats", "--json"}, {"-L", "--rate", "--json", "-X"},
             {"-L", "--thresholds", "--json"}, {"-L", "--persistent-conn", "--json"}, {"-L", "--tun-info", "--json"},
             {"-L", "-c", "--json"}, {"-L", "-c", "--persistent-conn", "--json"}, {"-L", "--timeout", "--json"},
             {"-l", "--json", "-t", "192.168.88.250:80"}, {"--list", "--json", "--nosort"}})
        EXPECT_TRUE(parse(args).list.json) << ::testing::PrintToString(args);
    EXPECT_FALSE(parse({"-L"}).list.json);
    EXPECT_EQ(error_of({"-S", "--json"}), "Illegal 'json' option with the 'save' command");
    EXPECT_EQ(error_of({"-A", "-t", "192.168.88.250:80", "--json"}),
              "Illegal 'json' option with the 'add-service' command");
    EXPECT_EQ(error_of({"-L", "--json", "--json"}), "multiple 'json' options specified");
    EXPECT_EQ(error_of({"-L", "-c", "--stats", "--json"}), "options conflicts in the list command");
}
