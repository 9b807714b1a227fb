// --set and -L --timeout on lvs_config: which per-state timeouts ipvsadm's
// three numbers are, and that 0 leaves one as it is.
#include <gtest/gtest.h>

#include "cli/command.h"
#include "format/list.h"
#include "store/settings.h"

using namespace lvs;

namespace {

// lvs_config as the first attach leaves it (ensure_default_settings).
lvs_config defaults() {
    lvs_config c{};
    for (int s = 0; s < LVS_TCP_S_LAST; ++s)
        c.tcp_timeout[s] = kDefaultTcpTimeouts[s];
    c.udp_timeout = kDefaultUdpTimeout;
    return c;
}

std::string timeout_line(const lvs_config& c) {
    const Config cfg;
    ListOptions o;
    o.timeout = true;
    return format_list(ListData{.cfg = &cfg, .timeouts = ipvsadm_timeouts(c)}, o);
}

}  // namespace

TEST(Settings, DefaultsListAsIpvsDefaults) {
    // ipvsadm -L --timeout on a fresh IPVS.
    EXPECT_EQ(timeout_line(defaults()), "Timeout (tcp tcpfin udp): 900 120 300\n");
    EXPECT_EQ(ipvsadm_timeouts(defaults()), (Timeouts{.tcp = 900, .tcpfin = 120, .udp = 300}));
}

TEST(Settings, SetWritesEstablishedFinWaitAndUdp) {
    lvs_config c = defaults();
    set_timeouts(c, 3600, 30, 60);
    EXPECT_EQ(c.tcp_timeout[LVS_TCP_S_ESTABLISHED], 3600u);
    EXPECT_EQ(c.tcp_timeout[LVS_TCP_S_FIN_WAIT], 30u);
    EXPECT_EQ(c.udp_timeout, 60u);
    // The other TCP states keep IPVS's values.
    for (int s = 0; s < LVS_TCP_S_LAST; ++s) {
        if (s != LVS_TCP_S_ESTABLISHED && s != LVS_TCP_S_FIN_WAIT) {
            EXPECT_EQ(c.tcp_timeout[s], kDefaultTcpTimeouts[s]) << "state " << s;
        }
    }
    EXPECT_EQ(timeout_line(c), "Timeout (tcp tcpfin udp): 3600 30 60\n");
}

TEST(Settings, ZeroLeavesATimeoutUnchanged) {
    lvs_config c = defaults();
    set_timeouts(c, 0, 45, 0);
    EXPECT_EQ(timeout_line(c), "Timeout (tcp tcpfin udp): 900 45 300\n");
    set_timeouts(c, 1200, 0, 0);
    EXPECT_EQ(timeout_line(c), "Timeout (tcp tcpfin udp): 1200 45 300\n");
    set_timeouts(c, 0, 0, 10);
    EXPECT_EQ(timeout_line(c), "Timeout (tcp tcpfin udp): 1200 45 10\n");
    const lvs_config before = c;
    set_timeouts(c, 0, 0, 0);
    EXPECT_EQ(ipvsadm_timeouts(c), ipvsadm_timeouts(before));
}

TEST(Settings, ParsedSetAppliesAsIpvsadmsSet) {
    lvs_config c = defaults();
    const Command cmd = parse_ipvsadm({"--set", "0", "15", "90"});
    set_timeouts(c, cmd.timeouts.tcp, cmd.timeouts.tcpfin, cmd.timeouts.udp);
    EXPECT_EQ(timeout_line(c), "Timeout (tcp tcpfin udp): 900 15 90\n");
}
