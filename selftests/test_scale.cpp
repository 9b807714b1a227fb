// Many services and servers (issue 8): 1,000 services of 100 servers each are
// configured, then removed, and leave no stale map entries behind, so the
// data plane treats their VIPs as if they had never been there. And with
// every server slot taken, a removed server's slot (kept for it to come back)
// goes to a new server rather than refusing it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <string>

#include "store/store.h"

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr int kServices = 1000;
constexpr int kServers = 100;

std::string vip(int s) { return ip4_text(0x0a040000 + s + 1) + ":80"; }  // 10.4.0.1 ...

std::string rules() {
    std::string r;
    for (int s = 0; s < kServices; ++s) {
        r += "-A -t " + vip(s) + " -s mh\n";  // mh: the biggest table, 4,093 slots each
        for (int d = 0; d < kServers; ++d)
            r += "-a -t " + vip(s) + " -r " + ip4_text(0x0a100000 + s * kServers + d + 1) + ":80 -g -w 1\n";
    }
    return r;
}

TEST(Scale, ThousandServicesOfHundredServersLeaveNothingBehind) {
    Director d;
    d.ipvsadm_restore(rules());
    const Maps& m = d.maps();
    ASSERT_EQ((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().size()), size_t{kServices});
    size_t in_use = 0;
    for (const lvs_dest& x : ArrayMap<lvs_dest>(m.dests).all())
        in_use += (x.flags & LVS_DEST_F_IN_USE) != 0;
    ASSERT_EQ(in_use, size_t{kServices * kServers});

    d.ipvsadm("-C");

    EXPECT_TRUE((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().empty()));
    for (const lvs_dest& x : ArrayMap<lvs_dest>(m.dests).all())
        ASSERT_FALSE(x.flags & LVS_DEST_F_IN_USE) << "a server slot is still in use";
    for (uint64_t word : ArrayMap<uint64_t>(m.vip_filter).all())
        ASSERT_EQ(word, 0u) << "the VIP filter still lets a removed service's packets in";
    // A packet to one of the removed VIPs is not ours any more.
    FrameSpec s;
    s.daddr = "10.4.0.1";
    EXPECT_EQ(d.run(frame(s)).action, XDP_PASS);
    // And the space is free again: the same configuration fits a second time.
    d.ipvsadm_restore(rules());
    EXPECT_EQ((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().size()), size_t{kServices});
}

// The same removal by -d and -D (issue 8): half the services lose every
// server by -d and are then deleted by -D, the other half are deleted by -D
// directly. Nothing may stay behind that -C would have cleared.
TEST(Scale, DeletingServersAndServicesOneByOneLeavesNothingBehind) {
    Director d;
    d.ipvsadm_restore(rules());
    const Maps& m = d.maps();
    std::string removal;
    for (int s = 0; s < kServices; ++s) {
        if (s % 2 == 0)
            for (int x = 0; x < kServers; ++x)
                removal += "-d -t " + vip(s) + " -r " + ip4_text(0x0a100000 + s * kServers + x + 1) + ":80\n";
        removal += "-D -t " + vip(s) + "\n";
    }
    d.ipvsadm_restore(removal);

    EXPECT_TRUE((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().empty()));
    for (const lvs_dest& x : ArrayMap<lvs_dest>(m.dests).all())
        ASSERT_FALSE(x.flags & LVS_DEST_F_IN_USE) << "a server slot is still in use after -d/-D";
    for (uint64_t word : ArrayMap<uint64_t>(m.vip_filter).all())
        ASSERT_EQ(word, 0u) << "the VIP filter still lets a removed service's packets in";
    FrameSpec f;
    f.daddr = "10.4.0.1";
    EXPECT_EQ(d.run(frame(f)).action, XDP_PASS);
    // The space is free again.
    d.ipvsadm_restore(rules());
    EXPECT_EQ((HashMap<lvs_svc_key, lvs_svc>(m.services).entries().size()), size_t{kServices});
}

// Every slot taken (LVS_MAX_DESTS servers, rr: small tables), one server
// removed: its slot is kept for it, yet a new server elsewhere gets it, as no
// other is free, under a new generation (the old connections are not its).
TEST(Scale, ARemovedServersSlotGoesToANewServerWhenNoOtherIsFree) {
    constexpr int kPer = 128;
    static_assert(LVS_MAX_DESTS % kPer == 0);
    std::string r;
    for (int s = 0; s < LVS_MAX_DESTS / kPer; ++s) {
        r += "-A -t " + vip(s) + " -s rr\n";
        for (int d = 0; d < kPer; ++d)
            r += "-a -t " + vip(s) + " -r " + ip4_text(0x0a100000 + s * kPer + d + 1) + ":80 -g\n";
    }
    Director d;
    d.ipvsadm_restore(r);
    auto find = [&](const std::string& rip) {
        const Config cfg = Store(d.maps()).load();  // a named copy: the loop outlives a temporary's
        for (const Service& svc : cfg.services())
            for (const Dest& dest : svc.dests)
                if (dest.addr.str() == rip)
                    return dest;
        throw std::runtime_error("no server " + rip);
    };
    const std::string removed = ip4_text(0x0a100000 + 1);
    const uint32_t slot = find(removed).id;
    const uint32_t gen = ArrayMap<lvs_dest>(d.maps().dests).get(slot).gen;
    EXPECT_THROW(d.ipvsadm("-a -t " + vip(1) + " -r 10.200.0.1:80 -g"), std::exception) << "every slot is taken";
    d.ipvsadm("-d -t " + vip(0) + " -r " + removed + ":80");
    EXPECT_TRUE(ArrayMap<lvs_dest>(d.maps().dests).get(slot).flags & LVS_DEST_F_REMOVED);

    d.ipvsadm("-a -t " + vip(1) + " -r 10.200.0.1:80 -g");
    EXPECT_EQ(find("10.200.0.1").id, slot);
    EXPECT_EQ(ArrayMap<lvs_dest>(d.maps().dests).get(slot).gen, gen + 1);
}

}  // namespace
}  // namespace lvs::test
