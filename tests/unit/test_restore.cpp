#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "cli/command.h"
#include "cli/restore.h"
#include "error.h"
#include "format/list.h"
#include "format/save.h"

using namespace lvs;

namespace {

using Words = std::vector<std::string>;

std::string restore_error(Config& cfg, const std::string& text) {
    std::istringstream in(text);
    try {
        restore_into(cfg, in);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(SplitCommandLine, SplitsOnBlanks) {
    EXPECT_EQ(split_command_line("-A -t 192.168.88.250:80  -s\trr\r"),
              (Words{"-A", "-t", "192.168.88.250:80", "-s", "rr"}));
    EXPECT_EQ(split_command_line("   -C   "), Words{"-C"});
}

TEST(SplitCommandLine, SkipsBlankAndCommentLines) {
    EXPECT_TRUE(split_command_line("").empty());
    EXPECT_TRUE(split_command_line(" \t \r").empty());
    EXPECT_TRUE(split_command_line("# -A -t 192.168.88.250:80").empty());
    EXPECT_TRUE(split_command_line("   # indented comment").empty());
}

TEST(SplitCommandLine, DropsTheProgramName) {
    EXPECT_EQ(split_command_line("ipvsadm -C"), Words{"-C"});
    EXPECT_EQ(split_command_line("lvs-xdp -C"), Words{"-C"});
    EXPECT_TRUE(split_command_line("ipvsadm").empty());
}

TEST(Restore, AppliesEveryLine) {
    Config cfg;
    std::istringstream in(
        "# saved by ipvsadm -S -n\n"
        "-A -t 192.168.88.250:80 -s rr\n"
        "\n"
        "ipvsadm -a -t 192.168.88.250:80 -r 192.168.88.50:80 -g -w 1\n"
        "-a -t 192.168.88.250:80 -r 192.168.88.51:80 -g -w 3");  // no final newline
    restore_into(cfg, in);
    ASSERT_EQ(cfg.services().size(), 1u);
    ASSERT_EQ(cfg.services()[0].dests.size(), 2u);
    EXPECT_EQ(cfg.services()[0].dests[1].weight, 3u);
}

TEST(Restore, AFailingLineNamesItsNumberAndChangesNothing) {
    Config cfg;
    apply_command(cfg, parse_ipvsadm({"-A", "-u", "10.0.0.1:53", "-s", "wrr"}));
    const std::string before = format_save(cfg, true);
    const std::string msg = restore_error(cfg,
                                          "-A -t 192.168.88.250:80 -s rr\n"
                                          "-a -t 192.168.88.250:80 -r 192.168.88.50:80\n"
                                          "-E -t 192.168.88.251:80 -s rr\n"
                                          "-C\n");
    EXPECT_EQ(msg, "line 3: No such service");
    EXPECT_EQ(format_save(cfg, true), before);
}

TEST(Restore, ParseErrorsAndNonConfigurationCommandsAreErrorsToo) {
    Config cfg;
    EXPECT_EQ(restore_error(cfg, "-A -t 192.168.88.250:80 -s rr -w 2\n"),
              "line 1: Illegal 'weight' option with the 'add-service' command");
    EXPECT_EQ(restore_error(cfg, "\n-C\n-L -n\n").rfind("line 3: -L", 0), 0u);
    EXPECT_TRUE(cfg.services().empty());
}

TEST(Restore, SaveThenRestoreGivesTheSameTable) {
    Config cfg;
    for (Words cmd : {Words{"-A", "-t", "192.168.88.250:80", "-s", "rr"},
                      Words{"-A", "-t", "192.168.88.250:443", "-s", "wrr", "-p", "600", "-M", "255.255.255.0"},
                      Words{"-A", "-u", "192.168.88.250:53", "-s", "rr", "-p"},
                      Words{"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51", "-w", "0"},
                      Words{"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"},
                      Words{"-a", "-t", "192.168.88.250:443", "-r", "192.168.88.50", "-w", "4"},
                      Words{"-a", "-u", "192.168.88.250:53", "-r", "192.168.88.53", "-w", "2"}})
        apply_command(cfg, parse_ipvsadm(cmd));
    const std::string saved = format_save(cfg, true);
    ASSERT_NE(saved, "");

    Config restored;
    std::istringstream in(saved);
    restore_into(restored, in);
    EXPECT_EQ(format_save(restored, true), saved);
    const Service* https = restored.find(ServiceKey{Proto::Tcp, parse_addr("192.168.88.250"), 443});
    ASSERT_NE(https, nullptr);
    EXPECT_EQ(https->timeout, 600u);
    EXPECT_EQ(https->netmask, 24u);
    EXPECT_EQ(https->dests.at(0).weight, 4u);
}

TEST(Restore, SaveThenRestoreKeepsEveryTunnelOption) {
    const std::string vip = "192.168.88.250:80";
    Config cfg;
    for (Words cmd : {Words{"-A", "-t", vip, "-s", "rr"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.50", "-g", "-w", "2"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.51", "-i"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.52", "-i", "--tun-type", "gue", "--tun-port", "6080",
                            "--tun-nocsum"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.53", "-i", "--tun-type", "gue", "--tun-port", "6081",
                            "--tun-csum", "-w", "3"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.54", "-i", "--tun-type", "gue", "--tun-port", "65535",
                            "--tun-remcsum", "-w", "0"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.55", "-i", "--tun-type", "gre", "--tun-nocsum"},
                      Words{"-a", "-t", vip, "-r", "192.168.88.56", "-i", "--tun-type", "gre", "--tun-csum"}})
        apply_command(cfg, parse_ipvsadm(cmd));
    const std::string saved = format_save(cfg, true);

    Config restored;
    std::istringstream in(saved);
    restore_into(restored, in);
    EXPECT_EQ(format_save(restored, true), saved);

    // Every field the data plane uses comes back, server by server.
    const auto& before = cfg.services().at(0).dests;
    const auto& after = restored.services().at(0).dests;
    ASSERT_EQ(after.size(), before.size());
    for (size_t i = 0; i < before.size(); ++i) {
        SCOPED_TRACE(before[i].addr.str());
        EXPECT_EQ(after[i].addr, before[i].addr);
        EXPECT_EQ(after[i].port, before[i].port);
        EXPECT_EQ(after[i].fwd, before[i].fwd);
        EXPECT_EQ(after[i].weight, before[i].weight);
        EXPECT_EQ(after[i].tun_type, before[i].tun_type);
        EXPECT_EQ(after[i].tun_port, before[i].tun_port);
        EXPECT_EQ(after[i].tun_csum, before[i].tun_csum);
    }
    // The tunnel listing of both tables is the same too.
    ListOptions tun_info;
    tun_info.numeric = tun_info.tun_info = true;
    EXPECT_EQ(format_list(ListData{.cfg = &restored}, tun_info), format_list(ListData{.cfg = &cfg}, tun_info));
    EXPECT_NE(format_list(ListData{.cfg = &restored}, tun_info).find("gue:65535:r+c"), std::string::npos);
}

TEST(Restore, SaveThenRestoreKeepsMasqueradingAndFullnat) {
    Config cfg;
    for (Words cmd : {Words{"-A", "-t", "203.0.113.10:80", "-s", "wrr"},
                      Words{"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.11:8080", "-m"},
                      Words{"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.12:8080", "-m", "-w", "2", "--fullnat"},
                      Words{"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.13", "-g", "-w", "0"},
                      Words{"-a", "-t", "203.0.113.10:80", "-r", "10.0.1.14", "-i", "--tun-type", "gre"},
                      Words{"-A", "-u", "203.0.113.10:53", "-s", "rr"},
                      Words{"-a", "-u", "203.0.113.10:53", "-r", "10.0.1.11:5353", "-m", "--fullnat"}})
        apply_command(cfg, parse_ipvsadm(cmd));
    const std::string saved = format_save(cfg, true);
    EXPECT_NE(saved.find("-a -t 203.0.113.10:80 -r 10.0.1.12:8080 -m -w 2 --fullnat\n"), std::string::npos) << saved;

    Config restored;
    std::istringstream in(saved);
    restore_into(restored, in);
    EXPECT_EQ(format_save(restored, true), saved);
    ASSERT_EQ(restored.services().size(), cfg.services().size());
    for (const Service& svc : cfg.services()) {
        const Service* back = restored.find(svc.key);
        ASSERT_NE(back, nullptr);
        ASSERT_EQ(back->dests.size(), svc.dests.size());
        for (const Dest& d : svc.dests) {
            SCOPED_TRACE(endpoint_str(d.addr, d.port));
            auto it = std::find_if(back->dests.begin(), back->dests.end(),
                                   [&](const Dest& x) { return x.addr == d.addr && x.port == d.port; });
            ASSERT_NE(it, back->dests.end());
            EXPECT_EQ(it->fwd, d.fwd);
            EXPECT_EQ(it->fullnat, d.fullnat);
            EXPECT_EQ(it->weight, d.weight);
        }
    }
    ListOptions numeric;
    numeric.numeric = true;
    const std::string listing = format_list(ListData{.cfg = &restored}, numeric);
    EXPECT_EQ(listing, format_list(ListData{.cfg = &cfg}, numeric));
    EXPECT_NE(listing.find("FullNat"), std::string::npos);
    EXPECT_NE(listing.find("Masq"), std::string::npos);
}

TEST(Restore, TheFailingLineKeepsItsExitStatus) {
    auto status = [](const std::string& text) {
        Config cfg;
        std::istringstream in(text);
        try {
            restore_into(cfg, in);
        } catch (const UserError& e) {
            return e.exit_code();
        }
        return 0;
    };
    const std::string svc = "-A -t 203.0.113.10:80 -s rr\n";
    EXPECT_EQ(status(svc + "-a -t 203.0.113.10:80 -r 10.0.1.11:8080 --fullnat\n"), 2);  // needs -m
    EXPECT_EQ(status(svc + "-a -t 203.0.113.10:80 -r 10.0.1.11:8080 -m -w x\n"), 2);
    EXPECT_EQ(status(svc + svc), 255);                                                   // Service already exists
    EXPECT_EQ(status(svc + "-a -t 203.0.113.10:81 -r 10.0.1.11:8080 -m\n"), 255);       // Service not defined
    EXPECT_EQ(status(svc + "-A -f 1 -s rr\n"), 1);                                      // lvs-xdp's limit
    EXPECT_EQ(status(svc + "-a -t 203.0.113.10:80 -r 10.0.1.11:8080 -m --fullnat\n"), 0);
}

TEST(Restore, SetIsNotAConfigurationLine) {
    Config cfg;
    const std::string msg = restore_error(cfg, "-A -t 203.0.113.10:80 -s rr\n--set 900 120 300\n");
    EXPECT_EQ(msg.rfind("line 2: --set changes the connection timeouts, not the table", 0), 0u) << msg;
    EXPECT_TRUE(cfg.services().empty());
}

// ipvsadm-save, ipvsadm -C, ipvsadm-restore over everything the command line
// sets: every scheduler, -b flags, -p/-M, port-0 persistent services, each
// forwarding method with its options, weights and thresholds. -S must come
// back byte for byte. Thresholds (-x/-y) are not in the save format (ipvsadm
// 1.31 leaves them out), so they must not break the round trip either.
TEST(Restore, SaveClearRestoreRoundTripsEveryOption) {
    const std::string vip = "192.168.88.250";
    Config cfg;
    const char* schedulers[] = {"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf",
                                "twos", "lblc", "lblcr", "dh", "sh", "mh"};
    uint16_t port = 1000;
    for (const char* sched : schedulers) {
        const std::string vs = vip + ":" + std::to_string(++port);
        apply_command(cfg, parse_ipvsadm({"-A", "-t", vs, "-s", sched}));
        apply_command(cfg, parse_ipvsadm({"-a", "-t", vs, "-r", "192.168.88.50:80", "-g", "-w", "3"}));
        apply_command(cfg, parse_ipvsadm({"-a", "-t", vs, "-r", "192.168.88.51:8080", "-m", "-w", "0"}));
    }
    for (Words cmd : {Words{"-A", "-t", vip + ":2001", "-s", "sh", "-b", "sh-fallback,sh-port"},
                      Words{"-A", "-t", vip + ":2002", "-s", "mh", "-b", "mh-fallback,mh-port", "-p", "60"},
                      Words{"-A", "-u", vip + ":2003", "-s", "rr", "-b", "flag-3"},
                      Words{"-A", "-t", vip + ":0", "-s", "wlc", "-p", "1800", "-M", "255.255.255.0"},
                      Words{"-a", "-t", vip + ":0", "-r", "192.168.88.52:0", "-g"},
                      Words{"-a", "-t", vip + ":0", "-r", "192.168.88.53:0", "-m", "--fullnat", "-w", "5"},
                      Words{"-A", "-u", vip + ":0", "-s", "sh", "-p"},
                      Words{"-a", "-u", vip + ":0", "-r", "192.168.88.54", "-i", "--tun-type", "gue",
                            "--tun-port", "6080", "--tun-csum"},
                      Words{"-A", "-u", vip + ":53", "-s", "lc"},
                      Words{"-a", "-u", vip + ":53", "-r", "192.168.88.55:53", "-i", "--tun-type", "gre",
                            "--tun-csum", "-x", "100", "-y", "50"},
                      Words{"-a", "-u", vip + ":53", "-r", "192.168.88.56:5353", "-m", "-w", "65535", "-x", "7"},
                      Words{"-a", "-u", vip + ":53", "-r", "192.168.88.57:53", "-i", "-w", "2"}})
        apply_command(cfg, parse_ipvsadm(cmd));
    const std::string saved = format_save(cfg, true);
    for (const char* expected : {" -s twos\n", " -b sh-fallback,sh-port\n", " -p 60 -b mh-fallback,mh-port\n",
                                 " -b flag-3\n", ":0 -s wlc -p 1800 -M 255.255.255.0\n", ":0 -m -w 5 --fullnat\n",
                                 "--tun-type gue --tun-port 6080 --tun-csum\n", "-w 65535\n"})
        EXPECT_NE(saved.find(expected), std::string::npos) << expected << " not in\n" << saved;

    apply_command(cfg, parse_ipvsadm({"-C"}));
    ASSERT_TRUE(cfg.services().empty());
    std::istringstream in(saved);
    restore_into(cfg, in);
    EXPECT_EQ(format_save(cfg, true), saved);
    ListOptions numeric;
    numeric.numeric = true;
    Config again;
    std::istringstream in_again(saved);
    restore_into(again, in_again);
    EXPECT_EQ(format_list(ListData{.cfg = &again}, numeric), format_list(ListData{.cfg = &cfg}, numeric));
}

// lvs-xdp-boot replaces the table with "-C" followed by the rules file in one
// -R: a later failing line must leave the table as it was, -C included.
TEST(Restore, AClearInsideAFailingRestoreClearsNothing) {
    Config cfg;
    apply_command(cfg, parse_ipvsadm({"-A", "-t", "192.168.88.250:80", "-s", "rr"}));
    apply_command(cfg, parse_ipvsadm({"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50"}));
    const std::string before = format_save(cfg, true);
    const std::string msg = restore_error(cfg,
                                          "-C\n"
                                          "-A -u 192.168.88.250:53 -s rr\n"
                                          "# a comment\n"
                                          "-a -u 192.168.88.250:53 -r 192.168.88.53 -s rr\n");
    EXPECT_EQ(msg.rfind("line 4: ", 0), 0u) << msg;
    EXPECT_EQ(format_save(cfg, true), before);
}
