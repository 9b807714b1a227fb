#include <gtest/gtest.h>

#include "cli/command.h"
#include "config_of.h"
#include "test_list_golden_table.h"
#include "error.h"
#include "format/list.h"

using namespace lvs;

namespace {

using lvs::test::config_of;

// format_list for the -L command line args.
std::string list(const Config& cfg, const std::vector<std::string>& args) {
    return test::list_by_args(ListData{.cfg = &cfg, .conn_table_size = 4096}, args, format_list);
}

const std::string kHeader =
    "IP Virtual Server version 1.2.1 (size=4096)\n"
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

}  // namespace

TEST(ListFormat, GoldenNumericListing) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80", "-g", "-w", "1"}});
    // ipvsadm pads ActiveConn and InActConn to 10 columns, so lines end in spaces.
    EXPECT_EQ(list(cfg, {"-L", "-n"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "TCP  192.168.88.250:80 rr\n"
              "  -> 192.168.88.50:80             Route   1      0          0         \n");
}

TEST(ListFormat, EmptyTable) {
    EXPECT_EQ(list(Config{}, {"-Ln"}), kHeader);
}

TEST(ListFormat, ConnectionCountsComeFromTheCallback) {
    Config cfg = config_of({{"-A", "-u", "192.168.88.250:53", "-s", "wrr"},
                            {"-a", "-u", "192.168.88.250:53", "-r", "192.168.88.53", "-w", "12"}});
    cfg.services()[0].dests[0].id = 7;
    ListData data{.cfg = &cfg,
                  .conn_table_size = 1048576,
                  .conn_counts = [](uint32_t id) { return DestConnCounts{.active = id * 100, .inactive = 5}; }};
    ListOptions numeric;
    numeric.numeric = true;
    EXPECT_EQ(format_list(data, numeric),
              "IP Virtual Server version 1.2.1 (size=1048576)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "UDP  192.168.88.250:53 wrr\n"
              "  -> 192.168.88.53:53             Route   12     700        5         \n");
}

TEST(ListFormat, PersistenceAndNetmask) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:443", "-s", "rr", "-p"},
                                  {"-A", "-t", "192.168.88.251:443", "-s", "rr", "-p", "60", "-M", "255.255.255.0"}});
    EXPECT_EQ(list(cfg, {"-L", "-n"}), kHeader +
                                           "TCP  192.168.88.250:443 rr persistent 360\n"
                                           "TCP  192.168.88.251:443 rr persistent 60 mask 255.255.255.0\n");
}

TEST(ListFormat, SortedAsIpvsadmSortsUnlessNosort) {
    const Config cfg = config_of({{"-A", "-u", "192.168.88.250:53", "-s", "rr"},
                                  {"-A", "-t", "192.168.88.250:443", "-s", "rr"},
                                  {"-A", "-t", "192.168.88.249:8080", "-s", "rr"},
                                  {"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.60", "-w", "2"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-w", "3"}});
    // TCP before UDP, then address, then port; servers by address.
    EXPECT_EQ(list(cfg, {"-L", "-n"}),
              kHeader +
                  "TCP  192.168.88.249:8080 rr\n"
                  "TCP  192.168.88.250:80 rr\n"
                  "  -> 192.168.88.50:80             Route   3      0          0         \n"
                  "  -> 192.168.88.60:80             Route   2      0          0         \n"
                  "TCP  192.168.88.250:443 rr\n"
                  "UDP  192.168.88.250:53 rr\n");
    EXPECT_EQ(list(cfg, {"-L", "-n", "--nosort"}),
              kHeader +
                  "UDP  192.168.88.250:53 rr\n"
                  "TCP  192.168.88.250:443 rr\n"
                  "TCP  192.168.88.249:8080 rr\n"
                  "TCP  192.168.88.250:80 rr\n"
                  "  -> 192.168.88.60:80             Route   2      0          0         \n"
                  "  -> 192.168.88.50:80             Route   3      0          0         \n");
}

TEST(ListFormat, AddressesFarApartSortAsIpvsadmsWrappingCompare) {
    // libipvs subtracts addresses as 32-bit numbers into an int, so 10.0.0.1 -
    // 192.168.0.1 comes out positive and 10.0.0.1 is listed second.
    const Config cfg = config_of({{"-A", "-t", "10.0.0.1:80", "-s", "rr"},
                                  {"-A", "-t", "192.168.0.1:80", "-s", "rr"}});
    EXPECT_EQ(list(cfg, {"-L", "-n"}), kHeader +
                                           "TCP  192.168.0.1:80 rr\n"
                                           "TCP  10.0.0.1:80 rr\n");
}

TEST(ListFormat, OneServiceHasNoVersionLine) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-A", "-t", "192.168.88.250:443", "-s", "wrr"}});
    EXPECT_EQ(list(cfg, {"-L", "-n", "-t", "192.168.88.250:443"}),
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "TCP  192.168.88.250:443 wrr\n");
    EXPECT_THROW(
        {
            try {
                list(cfg, {"-L", "-n", "-t", "192.168.88.250:8443"});
            } catch (const UserError& e) {
                EXPECT_STREQ(e.what(), "No such service");
                throw;
            }
        },
        UserError);
}

TEST(ListFormat, Thresholds) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-x", "100", "-y", "10"}});
    EXPECT_EQ(list(cfg, {"-L", "-n", "--thresholds"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80 rr\n"
              "  -> 192.168.88.50:80             100        10         0          0         \n");
}

TEST(ListFormat, TunnelInfo) {
    const Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                                  {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"}});
    EXPECT_EQ(list(cfg, {"-L", "-n", "--tun-info"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
              "TCP  192.168.88.250:80 rr\n"
              "  -> 192.168.88.50:80             Route   n/a           1      0          0         \n");
}

// One DR server and a tunnel server of every type and checksum option.
const std::vector<std::vector<std::string>> kTunnelTable = {
    {"-A", "-t", "192.168.88.250:80", "-s", "rr"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.56", "-i", "--tun-type", "gre", "--tun-csum", "-w", "0"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50", "-g"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51", "-i"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.52", "-i", "--tun-type", "gue", "--tun-port", "6080"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.53", "-i", "--tun-type", "gue", "--tun-port", "6081",
     "--tun-csum", "-w", "2"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.54", "-i", "--tun-type", "gue", "--tun-port", "65535",
     "--tun-remcsum"},
    {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.55", "-i", "--tun-type", "gre"},
};

TEST(ListFormat, TunnelInfoOfEveryTunnelType) {
    // ipvsadm's fwd_tun_info: the longest, gue:65535:r+c, fills the 13 columns.
    EXPECT_EQ(list(config_of(kTunnelTable), {"-L", "-n", "--tun-info"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
              "TCP  192.168.88.250:80 rr\n"
              "  -> 192.168.88.50:80             Route   n/a           1      0          0         \n"
              "  -> 192.168.88.51:80             Tunnel  ipip          1      0          0         \n"
              "  -> 192.168.88.52:80             Tunnel  gue:6080:-c   1      0          0         \n"
              "  -> 192.168.88.53:80             Tunnel  gue:6081:+c   2      0          0         \n"
              "  -> 192.168.88.54:80             Tunnel  gue:65535:r+c 1      0          0         \n"
              "  -> 192.168.88.55:80             Tunnel  gre:-c        1      0          0         \n"
              "  -> 192.168.88.56:80             Tunnel  gre:+c        0      0          0         \n");
}

TEST(ListFormat, TunnelServersForwardAsTunnel) {
    EXPECT_EQ(list(config_of(kTunnelTable), {"-L", "-n"}),
              kHeader +
                  "TCP  192.168.88.250:80 rr\n"
                  "  -> 192.168.88.50:80             Route   1      0          0         \n"
                  "  -> 192.168.88.51:80             Tunnel  1      0          0         \n"
                  "  -> 192.168.88.52:80             Tunnel  1      0          0         \n"
                  "  -> 192.168.88.53:80             Tunnel  2      0          0         \n"
                  "  -> 192.168.88.54:80             Tunnel  1      0          0         \n"
                  "  -> 192.168.88.55:80             Tunnel  1      0          0         \n"
                  "  -> 192.168.88.56:80             Tunnel  0      0          0         \n");
}

TEST(ListFormat, WithoutNumericNamesAreResolved) {
    const Config cfg = config_of({{"-A", "-t", "127.0.0.1:80", "-s", "rr"},
                                  {"-a", "-t", "127.0.0.1:80", "-r", "127.0.0.1"}});
    EXPECT_EQ(list(cfg, {"-L"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "TCP  localhost:http rr\n"
              "  -> localhost:http               Route   1      0          0         \n");
}

TEST(ListFormat, RateWithoutRatesShowsZeros) {
    const Config cfg = config_of({{"-A", "-u", "192.168.88.250:53", "-s", "rr"},
                                  {"-a", "-u", "192.168.88.250:53", "-r", "192.168.88.53", "-m"}});
    EXPECT_EQ(list(cfg, {"-L", "-n", "--rate"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
              "  -> RemoteAddress:Port\n"
              "UDP  192.168.88.250:53                   0        0        0        0        0\n"
              "  -> 192.168.88.53:53                    0        0        0        0        0\n");
}

// ipvsadm's print_title and print_service_entry under FMT_PERSISTENTCONN: the
// default service line, then weight, persistconns, activeconns, inactconns.
TEST(ListFormat, GoldenPersistentConn) {
    Config cfg = config_of({{"-A", "-t", "192.168.88.250:443", "-s", "rr", "-p", "600"},
                            {"-a", "-t", "192.168.88.250:443", "-r", "192.168.88.50", "-g", "-w", "3"},
                            {"-a", "-t", "192.168.88.250:443", "-r", "192.168.88.51", "-g", "-w", "0"}});
    cfg.services()[0].dests[0].id = 1;
    cfg.services()[0].dests[1].id = 2;
    ListData data{.cfg = &cfg, .conn_table_size = 4096, .conn_counts = [](uint32_t id) {
                      return id == 1 ? DestConnCounts{.active = 12, .inactive = 3, .persist = 7}
                                     : DestConnCounts{.active = 0, .inactive = 1, .persist = 123456789};
                  }};
    ListOptions o;
    o.numeric = o.persistent_conn = true;
    EXPECT_EQ(format_list(data, o),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:443 rr persistent 600\n"
              "  -> 192.168.88.50:443            3         7           12         3         \n"
              "  -> 192.168.88.51:443            0         123456789   0          1         \n");
}

TEST(ListFormat, PersistentConnOfOneService) {
    const Config cfg = config_of({{"-A", "-u", "192.168.88.250:53", "-s", "rr"},
                                  {"-a", "-u", "192.168.88.250:53", "-r", "192.168.88.53", "-w", "2"}});
    EXPECT_EQ(list(cfg, {"-L", "-n", "--persistent-conn", "-u", "192.168.88.250:53"}),
              "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
              "  -> RemoteAddress:Port\n"
              "UDP  192.168.88.250:53 rr\n"
              "  -> 192.168.88.53:53             2         0           0          0         \n");
}

// print_service_entry: " (" + print_sched_flags + ")" after the scheduler,
// before persistence, in every listing with the default service line.
TEST(ListFormat, SchedulerFlagsFollowTheScheduler) {
    Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr", "-p", "60"},
                            {"-A", "-t", "192.168.88.251:80", "-s", "rr"}});
    cfg.services()[0].sched = "sh";
    cfg.services()[0].flags |= LVS_SVC_F_SCHED1 | LVS_SVC_F_SCHED2;
    cfg.services()[1].flags |= LVS_SVC_F_SCHED3;
    const std::string services = "TCP  192.168.88.250:80 sh (sh-fallback,sh-port) persistent 60\n"
                                 "TCP  192.168.88.251:80 rr (flag-3)\n";
    EXPECT_EQ(list(cfg, {"-L", "-n"}), kHeader + services);
    EXPECT_EQ(list(cfg, {"-L", "-n", "--thresholds"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
              "  -> RemoteAddress:Port\n" +
                  services);
}

// The seed's NAT set-up plus a FullNAT server and a DR one in the same service.
const std::vector<std::vector<std::string>> kNatTable = {
    {"-A", "-t", "203.0.113.10:80", "-s", "rr"},
    {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.11:8080", "-m"},
    {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.12:8080", "-m", "-w", "2"},
    {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.13:8080", "-m", "--fullnat", "-w", "3"},
    {"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.14", "-g"},
    {"-A", "-u", "203.0.113.10:53", "-s", "rr"},
    {"-a", "-u", "203.0.113.10:53", "-r", "10.0.1.11:53", "-m"},
};

TEST(ListFormat, MasqueradingAsMasqFullnatAsFullNat) {
    EXPECT_EQ(list(config_of(kNatTable), {"-L", "-n"}),
              kHeader +
                  "TCP  203.0.113.10:80 rr\n"
                  "  -> 10.0.1.11:8080               Masq    1      0          0         \n"
                  "  -> 10.0.1.12:8080               Masq    2      0          0         \n"
                  "  -> 10.0.1.13:8080               FullNat 3      0          0         \n"
                  "  -> 10.0.1.14:80                 Route   1      0          0         \n"
                  "UDP  203.0.113.10:53 rr\n"
                  "  -> 10.0.1.11:53                 Masq    1      0          0         \n");
    EXPECT_EQ(list(config_of(kNatTable), {"-L", "-n", "--tun-info", "-u", "203.0.113.10:53"}),
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
              "UDP  203.0.113.10:53 rr\n"
              "  -> 10.0.1.11:53                 Masq    n/a           1      0          0         \n");
    EXPECT_EQ(list(config_of(kNatTable), {"-L", "-n", "--tun-info", "-t", "203.0.113.10:80"}),
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
              "TCP  203.0.113.10:80 rr\n"
              "  -> 10.0.1.11:8080               Masq    n/a           1      0          0         \n"
              "  -> 10.0.1.12:8080               Masq    n/a           2      0          0         \n"
              "  -> 10.0.1.13:8080               FullNat n/a           3      0          0         \n"
              "  -> 10.0.1.14:80                 Route   n/a           1      0          0         \n");
}

TEST(ListFormat, TimeoutIsIpvsadmsOneLine) {
    const Config cfg = config_of(kNatTable);
    ListData data{.cfg = &cfg, .conn_table_size = 4096, .timeouts = {.tcp = 900, .tcpfin = 120, .udp = 300}};
    ListOptions timeout;
    timeout.timeout = true;
    // No version line, no titles, no services: list_timeout's printf alone.
    EXPECT_EQ(format_list(data, timeout), "Timeout (tcp tcpfin udp): 900 120 300\n");
    data.timeouts = {.tcp = 2678400, .tcpfin = 1, .udp = 45};
    EXPECT_EQ(format_list(data, timeout), "Timeout (tcp tcpfin udp): 2678400 1 45\n");
    // -n, --nosort and --tun-info may come along and change nothing.
    const Command cmd = parse_ipvsadm({"-L", "-n", "--timeout", "--nosort", "--tun-info"});
    EXPECT_EQ(format_list(data, cmd.list), "Timeout (tcp tcpfin udp): 2678400 1 45\n");
}

// print_largenum (docs/notes-ipvsadm.md 1.7): each side of every threshold.
TEST(ListFormat, LargenumThresholds) {
    EXPECT_EQ(largenum(0, false), "        0");
    EXPECT_EQ(largenum(99999999, false), " 99999999");
    EXPECT_EQ(largenum(100000000, false), "  100000K");
    EXPECT_EQ(largenum(999999999, false), "  999999K");
    EXPECT_EQ(largenum(1000000000, false), "    1000M");
    EXPECT_EQ(largenum(99999999999ULL, false), "   99999M");
    EXPECT_EQ(largenum(100000000000ULL, false), "     100G");
    EXPECT_EQ(largenum(99999999999999ULL, false), "   99999G");
    EXPECT_EQ(largenum(100000000000000ULL, false), "     100T");
    EXPECT_EQ(largenum(18446744073709551615ULL, false), "18446744T");  // 9 columns, no space
    // --exact: 9 columns up to 8 digits, then one space before the digits.
    EXPECT_EQ(largenum(0, true), "        0");
    EXPECT_EQ(largenum(12345678, true), " 12345678");
    EXPECT_EQ(largenum(123456789, true), " 123456789");
    EXPECT_EQ(largenum(18446744073709551615ULL, true), " 18446744073709551615");
}

namespace {

// A DR service with two servers; the first server's counters and the
// service's cross the K/M/G/T thresholds, the second's are all 0.
std::string stats_listing(std::vector<std::string> args) {
    Config cfg = config_of({{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                            {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80", "-g"},
                            {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51:80", "-g"}});
    cfg.services()[0].id = 3;
    cfg.services()[0].dests[0].id = 7;
    cfg.services()[0].dests[1].id = 8;
    ListData data{.cfg = &cfg,
                  .conn_table_size = 4096,
                  .service_stats =
                      [](uint32_t id) {
                          return id == 3 ? lvs_counters{99999999, 100000000, 999999999, 1000000000, 99999999999ULL}
                                         : lvs_counters{};
                      },
                  .dest_stats =
                      [](uint32_t id) {
                          return id == 7 ? lvs_counters{100000000000ULL, 99999999999999ULL, 100000000000000ULL, 0, 7}
                                         : lvs_counters{};
                      }};
    const Command cmd = parse_ipvsadm(args);
    return format_list(data, cmd.list);
}

const std::string kStatsTitle =
    "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
    "  -> RemoteAddress:Port\n";

}  // namespace

TEST(ListFormat, GoldenStats) {
    EXPECT_EQ(stats_listing({"-L", "-n", "--stats"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n" + kStatsTitle +
                  "TCP  192.168.88.250:80            99999999  100000K  999999K    1000M   99999M\n"
                  "  -> 192.168.88.50:80                 100G   99999G     100T        0        7\n"
                  "  -> 192.168.88.51:80                    0        0        0        0        0\n");
}

TEST(ListFormat, GoldenStatsExact) {
    const std::string exact =
        "IP Virtual Server version 1.2.1 (size=4096)\n" + kStatsTitle +
        "TCP  192.168.88.250:80            99999999 100000000 999999999 1000000000 99999999999\n"
        "  -> 192.168.88.50:80             100000000000 99999999999999 100000000000000        0        7\n"
        "  -> 192.168.88.51:80                    0        0        0        0        0\n";
    EXPECT_EQ(stats_listing({"-L", "-n", "--stats", "--exact"}), exact);
    EXPECT_EQ(stats_listing({"-Ln", "--stats", "-X"}), exact);
}

TEST(ListFormat, StatsWithoutCountersShowZeros) {
    const Config cfg = config_of({{"-A", "-u", "192.168.88.250:53", "-s", "rr"},
                                  {"-a", "-u", "192.168.88.250:53", "-r", "192.168.88.53", "-m"}});
    EXPECT_EQ(list(cfg, {"-L", "-n", "--stats"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n" + kStatsTitle +
                  "UDP  192.168.88.250:53                   0        0        0        0        0\n"
                  "  -> 192.168.88.53:53                    0        0        0        0        0\n");
}
