// -h: what it offers and what it still names as not available.
#include <gtest/gtest.h>

#include "cli/usage.h"

using namespace lvs;

namespace {

const std::string kHelp = ipvsadm_help_or_version(Action::Help);
const std::string kNotAvailable = kHelp.substr(kHelp.find("not available in this version"));

bool offers(const std::string& text) {
    return kHelp.substr(0, kHelp.find("not available in this version")).find(text) != std::string::npos;
}

}  // namespace

TEST(Usage, DescribesNatTunnelsAndTimeouts) {
    EXPECT_TRUE(offers("--masquerading -m")) << kHelp;
    EXPECT_TRUE(offers("--ipip         -i")) << kHelp;
    EXPECT_TRUE(offers("--fullnat")) << kHelp;
    EXPECT_TRUE(offers("--laddr add")) << kHelp;
    EXPECT_TRUE(offers("--set tcp tcpfin udp")) << kHelp;
    EXPECT_TRUE(offers("--timeout")) << kHelp;
    EXPECT_TRUE(offers("--stats")) << kHelp;
    EXPECT_TRUE(offers("--exact")) << kHelp;
    EXPECT_TRUE(offers("--rate                              output of rate information")) << kHelp;
    EXPECT_TRUE(offers("--json")) << kHelp;
    for (const char* tun : {"--tun-type", "--tun-port", "--tun-nocsum", "--tun-csum", "--tun-remcsum"})
        EXPECT_TRUE(offers(tun)) << tun;
}

TEST(Usage, NoLongerListsThemAsNotAvailable) {
    for (const char* gone : {"-m", "-i", "--set", "--timeout", "--tun-", "masquerading", "tunneling", "--stats",
                             "--rate", "--json"})
        EXPECT_EQ(kNotAvailable.find(gone), std::string::npos) << gone << " in: " << kNotAvailable;
    // What is still missing is still named.
    for (const char* missing : {"IPv6", "-f", "--daemon"})
        EXPECT_NE(kNotAvailable.find(missing), std::string::npos) << missing;
}

TEST(Usage, ListsEverySchedulerAndTheSchedulerFlags) {
    EXPECT_TRUE(offers("one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos,")) << kHelp;
    EXPECT_TRUE(offers("the default scheduler is wlc.\n")) << kHelp;
    EXPECT_EQ(kHelp.find("not in lvs-xdp yet"), std::string::npos) << kHelp;
    EXPECT_TRUE(offers("[-b sched-flags]")) << kHelp;
    EXPECT_TRUE(offers("--sched-flags  -b flags             scheduler flags (comma-separated)")) << kHelp;
    for (const char* flag : {"sh-fallback", "sh-port", "mh-fallback", "mh-port"})
        EXPECT_TRUE(offers(flag)) << flag;
}

TEST(Usage, OffersConnectionListings) {
    EXPECT_TRUE(offers("--connection   -c                   output of current IPVS connections")) << kHelp;
    EXPECT_TRUE(offers("--persistent-conn                   output of persistent connection info")) << kHelp;
    for (const char* now : {"-b", "--connection", "--persistent-conn", "-c,"})
        EXPECT_EQ(kNotAvailable.find(now), std::string::npos) << now << " in: " << kNotAvailable;
}

// Invoked as ipvsadm, -v and -h print ipvsadm 1.31's texts (scripts read them).
TEST(Usage, UnderTheIpvsadmNameTheTextsAreIpvsadms) {
    EXPECT_EQ(ipvsadm_help_or_version(Action::Version, "ipvsadm"),
              "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
    const std::string help = ipvsadm_help_or_version(Action::Help, "/sbin/ipvsadm");
    EXPECT_EQ(help.rfind("ipvsadm v1.31 2019/12/24", 0), 0u);
    EXPECT_NE(help.find("\n  /sbin/ipvsadm -A|E virtual-service"), std::string::npos) << help;
    EXPECT_EQ(help.find("  lvs-xdp -"), std::string::npos) << help;
}
