#include <gtest/gtest.h>

#include "cli/command.h"
#include "config_of.h"
#include "format/save.h"

using namespace lvs;

namespace {

using lvs::test::config_of;

}  // namespace

TEST(SaveFormat, ServiceAndServerLines) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80", "-g"}});
    EXPECT_EQ(format_save(cfg, true),
              "-A -t 192.168.88.250:80 -s rr\n"
              "-a -t 192.168.88.250:80 -r 192.168.88.50:80 -g -w 1\n");
}

TEST(SaveFormat, PersistenceTimeoutAlwaysNetmaskOnlyWhenNotSlash32) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "wrr", "-p"},
                                  {"-A", "-u", "192.168.88.250:53", "-s", "rr", "-p", "60", "-M", "255.255.0.0"}});
    EXPECT_EQ(format_save(cfg, true),
              "-A -t 192.168.88.250:80 -s wrr -p 360\n"
              "-A -u 192.168.88.250:53 -s rr -p 60 -M 255.255.0.0\n");
}

TEST(SaveFormat, SchedulerFlagsAsIpvsadmNamesThem) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "sh", "-b", "sh-port,sh-fallback"},
                                  {"-A", "-t", "192.168.88.250:81", "-s", "mh", "-p", "60", "-b", "mh-port"},
                                  {"-A", "-t", "192.168.88.250:82", "-s", "rr", "-b", "flag-3"},
                                  {"-A", "-t", "192.168.88.250:83", "-s", "sh"}});
    EXPECT_EQ(format_save(cfg, true),
              "-A -t 192.168.88.250:80 -s sh -b sh-fallback,sh-port\n"
              "-A -t 192.168.88.250:81 -s mh -p 60 -b mh-port\n"
              "-A -t 192.168.88.250:82 -s rr -b flag-3\n"
              "-A -t 192.168.88.250:83 -s sh\n");
}

TEST(SaveFormat, AlwaysSortedAndThresholdsLeftOut) {
    const Config cfg = config_of({{"-A", "-u", "192.168.88.250:53", "-s", "rr"},
                                  {"-A", "-t", "192.168.88.250:443", "-s", "rr"},
                                  {"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.60", "-w", "0"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-x", "9", "-y", "1"}});
    EXPECT_EQ(format_save(cfg, true),
              "-A -t 192.168.88.250:80 -s rr\n"
              "-a -t 192.168.88.250:80 -r 192.168.88.50:80 -g -w 1\n"
              "-a -t 192.168.88.250:80 -r 192.168.88.60:80 -g -w 0\n"
              "-A -t 192.168.88.250:443 -s rr\n"
              "-A -u 192.168.88.250:53 -s rr\n");
}

TEST(SaveFormat, TunnelServersAsIpvsadmsPrintTunnelRule) {
    const std::string add = "-a -t 192.168.88.250:80 -r ";
    auto saved = [&](const std::string& rip, std::vector<std::string> opts) {
        std::vector<std::string> args = {"-a", "-t", "192.168.88.250:80", "-r", rip, "-i"};
        args.insert(args.end(), opts.begin(), opts.end());
        const std::string out = format_save(config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"}, args}), true);
        return out.substr(out.find('\n') + 1);  // the server line
    };
    // ipip always names its type, even when --tun-type was left out.
    EXPECT_EQ(saved("192.168.88.51", {}), add + "192.168.88.51:80 -i -w 1 --tun-type ipip\n");
    EXPECT_EQ(saved("192.168.88.51", {"--tun-type", "ipip", "-w", "3"}),
              add + "192.168.88.51:80 -i -w 3 --tun-type ipip\n");
    // gue: port and checksum option, nocsum when none was given.
    EXPECT_EQ(saved("192.168.88.52", {"--tun-type", "gue", "--tun-port", "6080"}),
              add + "192.168.88.52:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n");
    EXPECT_EQ(saved("192.168.88.52", {"--tun-type", "gue", "--tun-port", "6080", "--tun-nocsum"}),
              add + "192.168.88.52:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n");
    EXPECT_EQ(saved("192.168.88.53", {"--tun-type", "gue", "--tun-port", "6081", "--tun-csum"}),
              add + "192.168.88.53:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-csum\n");
    EXPECT_EQ(saved("192.168.88.54", {"--tun-type", "gue", "--tun-port", "65535", "--tun-remcsum", "-w", "0"}),
              add + "192.168.88.54:80 -i -w 0 --tun-type gue --tun-port 65535 --tun-remcsum\n");
    // gre: checksum option, no port.
    EXPECT_EQ(saved("192.168.88.55", {"--tun-type", "gre"}),
              add + "192.168.88.55:80 -i -w 1 --tun-type gre --tun-nocsum\n");
    EXPECT_EQ(saved("192.168.88.55", {"--tun-type", "gre", "--tun-nocsum"}),
              add + "192.168.88.55:80 -i -w 1 --tun-type gre --tun-nocsum\n");
    EXPECT_EQ(saved("192.168.88.56", {"--tun-type", "gre", "--tun-csum"}),
              add + "192.168.88.56:80 -i -w 1 --tun-type gre --tun-csum\n");
}

TEST(SaveFormat, DirectRoutingAndTunnelServersInOneService) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "wrr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.52", "-i", "--tun-type", "gre"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-g", "-w", "2"}});
    EXPECT_EQ(format_save(cfg, true),
              "-A -t 192.168.88.250:80 -s wrr\n"
              "-a -t 192.168.88.250:80 -r 192.168.88.50:80 -g -w 2\n"
              "-a -t 192.168.88.250:80 -r 192.168.88.52:80 -i -w 1 --tun-type gre --tun-nocsum\n");
}

TEST(SaveFormat, MasqueradingAndFullnatServers) {
    const Config cfg = config_of({{"-A", "-t", "203.0.113.10:80", "-s", "wrr"},
                                  {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.12:8080", "-m", "-w", "2", "--fullnat"},
                                  {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.11:8080", "-m"},
                                  {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.13", "-g", "-w", "0"},
                                  {"-A", "-u", "203.0.113.10:53", "-s", "rr"},
                                  {"-a", "-u", "203.0.113.10:53", "-r", "10.0.1.11:5353", "--fullnat", "-m"}});
    EXPECT_EQ(format_save(cfg, true),
              "-A -t 203.0.113.10:80 -s wrr\n"
              "-a -t 203.0.113.10:80 -r 10.0.1.11:8080 -m -w 1\n"
              "-a -t 203.0.113.10:80 -r 10.0.1.12:8080 -m -w 2 --fullnat\n"
              "-a -t 203.0.113.10:80 -r 10.0.1.13:80 -g -w 0\n"
              "-A -u 203.0.113.10:53 -s rr\n"
              "-a -u 203.0.113.10:53 -r 10.0.1.11:5353 -m -w 1 --fullnat\n");
}

TEST(SaveFormat, WithoutNumericNamesAreUsed) {
    const Config cfg = config_of({{"-A", "-t", "127.0.0.1:80", "-s", "rr"}});
    EXPECT_EQ(format_save(cfg, false), "-A -t localhost:http -s rr\n");
}

TEST(SaveFormat, EmptyTableSavesNothing) {
    EXPECT_EQ(format_save(Config{}, true), "");
}
