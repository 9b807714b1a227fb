#include <gtest/gtest.h>

#include <sstream>

#include "cli/command.h"
#include "cli/restore.h"
#include "error.h"
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
