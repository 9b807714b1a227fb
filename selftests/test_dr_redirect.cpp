// A real server behind another attached interface: the frame leaves through the
// devmap (XDP_REDIRECT) instead of XDP_TX.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cstdlib>

#include "net/netlink.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

const Mac kRs{0x02, 0, 0, 0, 0, 0x21};

class RedirectTest : public ::testing::Test {
protected:
    Director d;  // first: it moves the test into its private network namespace
    uint32_t port = 0;

    void SetUp() override {
        ASSERT_EQ(std::system("ip link add lvst0 type veth peer name lvst1 && ip link set lvst0 up"), 0);
        port = ifindex_of("lvst0");
        d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
        d.ipvsadm("-a -t 10.1.0.100:80 -r 10.2.0.11:80 -g");
        d.set_mac("10.2.0.11", kRs, port);
    }
    void TearDown() override { std::system("ip link del lvst0 2>/dev/null"); }
};

TEST_F(RedirectTest, ToAnotherAttachedInterface) {
    HashMap<uint32_t, bpf_devmap_val>(d.maps().tx_ports).put(port, bpf_devmap_val{.ifindex = port});
    Bytes in = frame(FrameSpec{});
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_REDIRECT);
    Bytes expected = in;
    std::copy(kRs.begin(), kRs.end(), expected.begin());
    std::copy(kDirectorMac.begin(), kDirectorMac.end(), expected.begin() + 6);
    EXPECT_EQ(r.out, expected);
    EXPECT_EQ(d.xdp_stats().redirect, 1u);
}

TEST_F(RedirectTest, InterfaceNotAttachedFallsBackToTheKernelUntouched) {
    Bytes in = frame(FrameSpec{});
    RunResult r = d.run(in);
    EXPECT_EQ(r.action, XDP_PASS);
    EXPECT_EQ(r.out, in);
}

}  // namespace
}  // namespace lvs::test
