#include <gtest/gtest.h>

#include "cli/command.h"
#include "format/save.h"

using namespace lvs;

namespace {

Config config_of(std::vector<std::vector<std::string>> commands) {
    Config cfg;
    for (const auto& c : commands)
        apply_command(cfg, parse_ipvsadm(c));
    return cfg;
}

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

TEST(SaveFormat, WithoutNumericNamesAreUsed) {
    const Config cfg = config_of({{"-A", "-t", "127.0.0.1:80", "-s", "rr"}});
    EXPECT_EQ(format_save(cfg, false), "-A -t localhost:http -s rr\n");
}

TEST(SaveFormat, EmptyTableSavesNothing) {
    EXPECT_EQ(format_save(Config{}, true), "");
}
