// The ipvsadm drop-in: the binary invoked through a link named ipvsadm takes
// only ipvsadm's command line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/app.h"

using namespace lvs;

TEST(AppName, IpvsadmByBasename) {
    EXPECT_TRUE(invoked_as_ipvsadm("ipvsadm"));
    EXPECT_TRUE(invoked_as_ipvsadm("/usr/local/sbin/ipvsadm"));
    EXPECT_TRUE(invoked_as_ipvsadm("./ipvsadm"));
}

TEST(AppName, AnythingElseIsLvsXdp) {
    EXPECT_FALSE(invoked_as_ipvsadm("lvs-xdp"));
    EXPECT_FALSE(invoked_as_ipvsadm("/usr/local/sbin/lvs-xdp"));
    EXPECT_FALSE(invoked_as_ipvsadm("ipvsadm-save"));
    EXPECT_FALSE(invoked_as_ipvsadm("/opt/ipvsadm/lvs-xdp"));
    EXPECT_FALSE(invoked_as_ipvsadm("ipvsadm/"));
    EXPECT_FALSE(invoked_as_ipvsadm(""));
    EXPECT_FALSE(invoked_as_ipvsadm(nullptr));
}

// As ipvsadm, lvs-xdp's subcommands are words ipvsadm does not take: its
// "Try ... -h" exit (255) before anything is looked at or changed.
TEST(AppName, AsIpvsadmSubcommandsAreNotRecognised) {
    for (std::vector<std::string> words : {std::vector<std::string>{"ipvsadm", "attach", "lo"},
                                           {"/usr/sbin/ipvsadm", "status"},
                                           {"ipvsadm", "detach", "lo"},
                                           {"ipvsadm", "realserver", "list"},
                                           {"ipvsadm", "laddr", "list"},
                                           {"ipvsadm", "--laddr", "list"},
                                           {"ipvsadm", "--pin-dir", "/tmp/x", "-Ln"}}) {
        std::vector<char*> argv;
        for (std::string& w : words)
            argv.push_back(w.data());
        EXPECT_EQ(run_cli(static_cast<int>(argv.size()), argv.data()), 255) << words[1];
    }
}

// ipvsadm's tryhelp_exit names the program as invoked.
TEST(AppName, AsIpvsadmTryHelpNamesArgv0) {
    for (std::string argv0 : {"ipvsadm", "/usr/sbin/ipvsadm"}) {
        std::string word = "-n";  // not a command first: tryhelp, 255
        std::vector<char*> argv{argv0.data(), word.data()};
        testing::internal::CaptureStderr();
        EXPECT_EQ(run_cli(2, argv.data()), 255);
        EXPECT_EQ(testing::internal::GetCapturedStderr(),
                  "Try `" + argv0 + " -h' or '" + argv0 + " --help' for more information.\n");
    }
    std::string argv0 = "lvs-xdp", word = "-n";
    std::vector<char*> argv{argv0.data(), word.data()};
    testing::internal::CaptureStderr();
    EXPECT_EQ(run_cli(2, argv.data()), 255);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "Try `lvs-xdp -h' or 'lvs-xdp --help' for more information.\n");
}

// A refused subcommand says why in one line (issue 8), with CLI11's status,
// before anything is looked at or changed.
TEST(AppName, ARefusedSubcommandIsOneLine) {
    for (std::vector<std::string> words : {std::vector<std::string>{"lvs-xdp", "attach"},
                                           {"lvs-xdp", "attach", "--conn-table-size", "7", "lo"},
                                           {"lvs-xdp", "daemon", "--interval", "0"},
                                           {"lvs-xdp", "realserver", "add", "10.0.0.1", "--decap", "x"},
                                           {"lvs-xdp", "laddr", "add"}}) {
        std::vector<char*> argv;
        for (std::string& w : words)
            argv.push_back(w.data());
        testing::internal::CaptureStderr();
        EXPECT_NE(run_cli(static_cast<int>(argv.size()), argv.data()), 0) << words[1];
        const std::string err = testing::internal::GetCapturedStderr();
        EXPECT_FALSE(err.empty()) << words[1];
        EXPECT_EQ(err.find('\n'), err.size() - 1) << words[1] << ": " << err;
    }
}
