// `lvs-xdp sysctl`: IPVS's names, with or without net.ipv4.vs., the values
// IPVS would take, and one clear error for anything else.
#include <gtest/gtest.h>

#include "error.h"
#include "store/sysctls.h"

namespace lvs {
namespace {

TEST(Sysctls, ExpireNodestConnSetsAndClearsItsFlagOnly) {
    lvs_config c{};
    c.flags = LVS_CFG_F_NAT;
    set_sysctl(c, parse_sysctl_assignment("net.ipv4.vs.expire_nodest_conn=1"));
    EXPECT_EQ(c.flags, uint32_t{LVS_CFG_F_NAT | LVS_CFG_F_EXPIRE_NODEST});
    EXPECT_EQ(sysctl_line(c, "expire_nodest_conn"), "net.ipv4.vs.expire_nodest_conn = 1");
    set_sysctl(c, parse_sysctl_assignment("expire_nodest_conn=0"));
    EXPECT_EQ(c.flags, uint32_t{LVS_CFG_F_NAT});
    EXPECT_EQ(sysctl_value(c, "expire_nodest_conn"), 0u);
}

// IPVS's bitmap, default 1, as two flags whose absence is the default.
TEST(Sysctls, ConnReuseModeKeepsEveryValueAndDefaultsToOne) {
    lvs_config c{};
    c.flags = LVS_CFG_F_EXPIRE_NODEST;
    EXPECT_EQ(sysctl_line(c, "conn_reuse_mode"), "net.ipv4.vs.conn_reuse_mode = 1");
    for (uint32_t mode : {0u, 2u, 3u, 1u}) {
        set_sysctl(c, parse_sysctl_assignment("net.ipv4.vs.conn_reuse_mode=" + std::to_string(mode)));
        EXPECT_EQ(sysctl_value(c, "conn_reuse_mode"), mode);
        EXPECT_TRUE(c.flags & LVS_CFG_F_EXPIRE_NODEST) << "another setting changed";
    }
    EXPECT_EQ(c.flags, uint32_t{LVS_CFG_F_EXPIRE_NODEST});
}

TEST(Sysctls, ExpirationsAreSecondsWithIpvsDefault) {
    lvs_config c{};
    EXPECT_EQ(sysctl_value(c, "lblc_expiration"), 86400u);  // maps from before the setting
    set_sysctl(c, parse_sysctl_assignment("lblcr_expiration=600"));
    EXPECT_EQ(c.lblcr_expiration, 600u);
    EXPECT_EQ(sysctl_line(c, "lblcr_expiration"), "net.ipv4.vs.lblcr_expiration = 600");
}

TEST(Sysctls, BadInputIsRefusedWithItsReason) {
    for (const char* bad : {"expire_nodest_conn=2", "expire_nodest_conn=", "expire_nodest_conn=-1",
                            "expire_nodest_conn=1x", "lblc_expiration=0", "lblc_expiration=99999999999",
                            "conn_reuse_mode=4", "conn_reuse_mode=-1", "net.ipv4.vs.nope=1", "expire_nodest_conn"}) {
        try {
            parse_sysctl_assignment(bad);
            ADD_FAILURE() << bad << " was taken";
        } catch (const UserError& e) {
            EXPECT_NE(std::string(e.what()).find_first_of("'"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(sysctl_name("sync_threshold"), UserError);
    EXPECT_EQ(sysctl_name("net.ipv4.vs.lblc_expiration"), "lblc_expiration");
}

}  // namespace
}  // namespace lvs
