// Golden output of every -L listing of one table, against text laid out by
// ipvsadm 1.31's own printf formats (print_title, print_service_entry and
// print_largenum in ipvsadm.c; docs/notes-ipvsadm.md section 1); the table is
// test_list_golden_table.h's.
#include <gtest/gtest.h>

#include "error.h"
#include "test_list_golden_table.h"

using namespace lvs;
using lvs::test::golden_data;
using lvs::test::golden_table;

namespace {

std::string listing(const std::vector<std::string>& args) {
    const Config cfg = golden_table();
    return test::list_by_args(golden_data(cfg), args, format_list);
}

}  // namespace

TEST(ListGolden, Plain) {
    EXPECT_EQ(listing({"-L", "-n"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
              "TCP  192.168.88.250:80 wrr\n"
              "  -> 192.168.88.50:80             Route   3      11         22        \n"
              "  -> 192.168.88.51:80             Tunnel  1      12         24        \n"
              "TCP  192.168.88.250:443 sh (sh-port) persistent 600 mask 255.255.255.0\n"
              "  -> 10.0.1.11:443                Masq    2      13         26        \n"
              "UDP  192.168.88.250:53 rr\n"
              "  -> 10.0.1.12:5353               Masq    1      14         28        \n");
}

TEST(ListGolden, Stats) {
    EXPECT_EQ(listing({"-L", "-n", "--stats"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80            99999999  100000K  999999K    1000M   99999M\n"
              "  -> 192.168.88.50:80                 100G   99999G     100T        0        7\n"
              "  -> 192.168.88.51:80                    1        2        3        4        5\n"
              "TCP  192.168.88.250:443                  5        6        7        8        9\n"
              "  -> 10.0.1.11:443                       0        0        0        0        0\n"
              "UDP  192.168.88.250:53                   0        0        0        0        0\n"
              "  -> 10.0.1.12:5353                     10       20       30       40       50\n");
}

TEST(ListGolden, StatsExact) {
    EXPECT_EQ(listing({"-L", "-n", "--stats", "--exact"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80            99999999 100000000 999999999 1000000000 99999999999\n"
              "  -> 192.168.88.50:80             100000000000 99999999999999 100000000000000        0        7\n"
              "  -> 192.168.88.51:80                    1        2        3        4        5\n"
              "TCP  192.168.88.250:443                  5        6        7        8        9\n"
              "  -> 10.0.1.11:443                       0        0        0        0        0\n"
              "UDP  192.168.88.250:53                   0        0        0        0        0\n"
              "  -> 10.0.1.12:5353                     10       20       30       40       50\n");
}

TEST(ListGolden, Rate) {
    // A server's CPS, InPPS and OutPPS are ipvsadm's plain %8llu: 123456789
    // stays whole where the service's 100000000 becomes 100000K.
    EXPECT_EQ(listing({"-L", "-n", "--rate"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80            99999999  100000K        5    1000M     100T\n"
              "  -> 192.168.88.50:80             123456789       42        0 99999999  100000K\n"
              "  -> 192.168.88.51:80                    7        8        9       10       11\n"
              "TCP  192.168.88.250:443                  1        2        3        4        5\n"
              "  -> 10.0.1.11:443                       0        0        0        0        0\n"
              "UDP  192.168.88.250:53                   0        0        0        0        0\n"
              "  -> 10.0.1.12:5353                      1        1        1      100      100\n");
}

TEST(ListGolden, RateExact) {
    EXPECT_EQ(listing({"-Ln", "--rate", "-X"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80            99999999 100000000        5 1000000000 100000000000000\n"
              "  -> 192.168.88.50:80             123456789       42        0 99999999 100000000\n"
              "  -> 192.168.88.51:80                    7        8        9       10       11\n"
              "TCP  192.168.88.250:443                  1        2        3        4        5\n"
              "  -> 10.0.1.11:443                       0        0        0        0        0\n"
              "UDP  192.168.88.250:53                   0        0        0        0        0\n"
              "  -> 10.0.1.12:5353                      1        1        1      100      100\n");
}

TEST(ListGolden, Thresholds) {
    EXPECT_EQ(listing({"-L", "-n", "--thresholds"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80 wrr\n"
              "  -> 192.168.88.50:80             100        10         11         22        \n"
              "  -> 192.168.88.51:80             0          0          12         24        \n"
              "TCP  192.168.88.250:443 sh (sh-port) persistent 600 mask 255.255.255.0\n"
              "  -> 10.0.1.11:443                0          0          13         26        \n"
              "UDP  192.168.88.250:53 rr\n"
              "  -> 10.0.1.12:5353               0          0          14         28        \n");
}

TEST(ListGolden, PersistentConn) {
    EXPECT_EQ(listing({"-L", "-n", "--persistent-conn"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:80 wrr\n"
              "  -> 192.168.88.50:80             3         2           11         22        \n"
              "  -> 192.168.88.51:80             1         0           12         24        \n"
              "TCP  192.168.88.250:443 sh (sh-port) persistent 600 mask 255.255.255.0\n"
              "  -> 10.0.1.11:443                2         1           13         26        \n"
              "UDP  192.168.88.250:53 rr\n"
              "  -> 10.0.1.12:5353               1         2           14         28        \n");
}

TEST(ListGolden, TunInfo) {
    EXPECT_EQ(listing({"-L", "-n", "--tun-info"}),
              "IP Virtual Server version 1.2.1 (size=4096)\n"
              "Prot LocalAddress:Port Scheduler Flags\n"
              "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
              "TCP  192.168.88.250:80 wrr\n"
              "  -> 192.168.88.50:80             Route   n/a           3      11         22        \n"
              "  -> 192.168.88.51:80             Tunnel  gue:6080:+c   1      12         24        \n"
              "TCP  192.168.88.250:443 sh (sh-port) persistent 600 mask 255.255.255.0\n"
              "  -> 10.0.1.11:443                Masq    n/a           2      13         26        \n"
              "UDP  192.168.88.250:53 rr\n"
              "  -> 10.0.1.12:5353               Masq    n/a           1      14         28        \n");
}

// print_title and print_service_entry test FMT_STATS before FMT_RATE and
// FMT_RATE before the others, and ipvsadm lets them be combined.
TEST(ListGolden, StatsBeforeRateBeforeThresholds) {
    EXPECT_EQ(listing({"-L", "-n", "--rate", "--stats"}), listing({"-L", "-n", "--stats"}));
    EXPECT_EQ(listing({"-L", "-n", "--thresholds", "--rate"}), listing({"-L", "-n", "--rate"}));
}

TEST(ListGolden, RateOfOneService) {
    EXPECT_EQ(listing({"-L", "-n", "--rate", "-t", "192.168.88.250:443"}),
              "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
              "  -> RemoteAddress:Port\n"
              "TCP  192.168.88.250:443                  1        2        3        4        5\n"
              "  -> 10.0.1.11:443                       0        0        0        0        0\n");
    EXPECT_THROW(listing({"-L", "-n", "--rate", "-u", "192.168.88.250:80"}), UserError);
}

TEST(ListGolden, StatsOfOneService) {
    EXPECT_EQ(listing({"-L", "-n", "--stats", "-u", "192.168.88.250:53"}),
              "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
              "  -> RemoteAddress:Port\n"
              "UDP  192.168.88.250:53                   0        0        0        0        0\n"
              "  -> 10.0.1.12:5353                     10       20       30       40       50\n");
}

TEST(ListGolden, Timeout) {
    EXPECT_EQ(listing({"-L", "--timeout"}), "Timeout (tcp tcpfin udp): 900 120 300\n");
}

// -Z is IPVS's ip_vs_zero_all, or ip_vs_zero_service with -t/-u: the service
// and every one of its servers, nothing of the other services.
TEST(ListGolden, ZeroAllOrOneService) {
    const Config cfg = golden_table();
    const ZeroTargets all = zero_targets(cfg, std::nullopt);
    EXPECT_EQ(all.svc_ids, (std::vector<uint32_t>{1, 2, 3}));
    EXPECT_EQ(all.dest_ids, (std::vector<uint32_t>{11, 12, 13, 14}));

    const ZeroTargets one = zero_targets(cfg, parse_ipvsadm({"-Z", "-t", "192.168.88.250:80"}).service->key);
    EXPECT_EQ(one.svc_ids, (std::vector<uint32_t>{1}));
    EXPECT_EQ(one.dest_ids, (std::vector<uint32_t>{11, 12}));

    // The same address and port over UDP is another service, which is not there.
    try {
        zero_targets(cfg, parse_ipvsadm({"-Z", "-u", "192.168.88.250:80"}).service->key);
        ADD_FAILURE() << "zeroing a missing service succeeded";
    } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "No such service");
        EXPECT_EQ(e.exit_code(), 255);  // IPVS's ESRCH through ipvsadm's process_options
    }
}
