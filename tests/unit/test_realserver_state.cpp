// realserver add/del/list logic against a fake host, and the state file format.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "error.h"
#include "realserver/realserver_state.h"

namespace lvs {
namespace {

Addr v4(const char* s) {
    Addr a;
    a.family = LVS_AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, s, a.bytes.data()), 1) << s;
    return a;
}

Addr v6(const char* s) {
    Addr a;
    a.family = LVS_AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, s, a.bytes.data()), 1) << s;
    return a;
}

struct FakeHost : RealserverHost {
    uint64_t cookie = 42;
    std::optional<std::string> file;
    std::map<std::string, std::string> sysctl{
        {"lo/arp_ignore", "0"}, {"lo/arp_announce", "0"}, {"all/arp_ignore", "0"}, {"all/arp_announce", "0"}};
    std::set<Addr> lo;
    bool fail_add_vip = false;
    int writes = 0;

    uint64_t netns_cookie() override { return cookie; }
    std::string state_location() override { return "/fake/state"; }
    std::optional<std::string> load_state() override { return file; }
    void store_state(const std::string& text) override { file = text; }
    void remove_state() override { file.reset(); }
    std::string read_sysctl(const std::string& key) override { return sysctl.at(key); }
    void write_sysctl(const std::string& key, const std::string& value) override {
        sysctl.at(key) = value;
        ++writes;
    }
    bool has_vip(const Addr& vip) override { return lo.count(vip) > 0; }
    void add_vip(const Addr& vip) override {
        if (fail_add_vip) throw UserError("add failed");
        lo.insert(vip);
    }
    void del_vip(const Addr& vip) override { lo.erase(vip); }

    bool configured() const {
        return sysctl.at("lo/arp_ignore") == "1" && sysctl.at("lo/arp_announce") == "2" &&
               sysctl.at("all/arp_ignore") == "1" && sysctl.at("all/arp_announce") == "2";
    }
};

TEST(RealserverState, FormatParseRoundTrip) {
    RealserverState st;
    st.netns_cookie = 123456789012345ULL;
    st.vips = {v4("10.77.0.100"), v4("192.168.88.250")};
    st.saved = {{"lo/arp_ignore", "0"}, {"all/arp_announce", "1"}};
    RealserverState back = parse_state(format_state(st));
    EXPECT_EQ(back.netns_cookie, st.netns_cookie);
    EXPECT_EQ(back.vips, st.vips);
    EXPECT_EQ(back.saved, st.saved);
}

TEST(RealserverState, ParseRejectsGarbage) {
    EXPECT_THROW(parse_state("vip not-an-address\n"), UserError);
    EXPECT_THROW(parse_state("saved lo/rp_filter 1\n"), UserError);  // not ours
    EXPECT_THROW(parse_state("saved lo/arp_ignore x\n"), UserError);
    EXPECT_THROW(parse_state("netns_cookie -1\n"), UserError);
    EXPECT_THROW(parse_state("bogus line\n"), UserError);
    EXPECT_NO_THROW(parse_state("# comment\n\n"));
}

TEST(Realserver, FirstAddSavesAndConfigures) {
    FakeHost h;
    std::string msg = realserver_add(h, v4("10.77.0.100"));
    EXPECT_NE(msg.find("added 10.77.0.100/32 to lo"), std::string::npos) << msg;
    EXPECT_TRUE(h.configured());
    EXPECT_TRUE(h.has_vip(v4("10.77.0.100")));
    ASSERT_TRUE(h.file);
    RealserverState st = parse_state(*h.file);
    EXPECT_EQ(st.netns_cookie, 42u);
    ASSERT_EQ(st.saved.size(), 4u);
    for (const auto& [k, v] : st.saved) EXPECT_EQ(v, "0") << k;
}

TEST(Realserver, SecondVipKeepsOriginalSavedValues) {
    FakeHost h;
    h.sysctl["all/arp_announce"] = "1";
    realserver_add(h, v4("10.77.0.100"));
    realserver_add(h, v4("10.77.0.101"));
    RealserverState st = parse_state(*h.file);
    EXPECT_EQ(st.vips.size(), 2u);
    for (const auto& [k, v] : st.saved) EXPECT_EQ(v, k == "all/arp_announce" ? "1" : "0") << k;

    // Removing one VIP keeps the settings; removing the last restores them.
    std::string msg = realserver_del(h, v4("10.77.0.100"));
    EXPECT_NE(msg.find("1 VIP(s) remain"), std::string::npos) << msg;
    EXPECT_TRUE(h.configured());
    EXPECT_FALSE(h.has_vip(v4("10.77.0.100")));
    realserver_del(h, v4("10.77.0.101"));
    EXPECT_FALSE(h.file);
    EXPECT_EQ(h.sysctl["lo/arp_ignore"], "0");
    EXPECT_EQ(h.sysctl["all/arp_announce"], "1");
    EXPECT_TRUE(h.lo.empty());
}

TEST(Realserver, AddIsIdempotent) {
    FakeHost h;
    realserver_add(h, v4("10.77.0.100"));
    std::string first_file = *h.file;
    std::string msg = realserver_add(h, v4("10.77.0.100"));
    EXPECT_NE(msg.find("already configured"), std::string::npos) << msg;
    EXPECT_EQ(*h.file, first_file);
    EXPECT_EQ(parse_state(*h.file).vips.size(), 1u);
}

TEST(Realserver, AddReassertsSettingsChangedBehindOurBack) {
    FakeHost h;
    realserver_add(h, v4("10.77.0.100"));
    h.sysctl["all/arp_ignore"] = "0";
    h.lo.clear();
    std::string msg = realserver_add(h, v4("10.77.0.100"));
    EXPECT_NE(msg.find("re-added"), std::string::npos) << msg;
    EXPECT_TRUE(h.configured());
    EXPECT_TRUE(h.has_vip(v4("10.77.0.100")));
    // The values saved by the first add are still the ones restored.
    realserver_del(h, v4("10.77.0.100"));
    EXPECT_EQ(h.sysctl["all/arp_ignore"], "0");
}

TEST(Realserver, DelOfUnknownVipIsAnError) {
    FakeHost h;
    EXPECT_THROW(realserver_del(h, v4("10.77.0.100")), UserError);
    h.lo.insert(v4("10.77.0.100"));  // added by hand, not by us
    try {
        realserver_del(h, v4("10.77.0.100"));
        FAIL() << "expected UserError";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("not configured"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(h.has_vip(v4("10.77.0.100")));
}

TEST(Realserver, RejectsIpv6AndSpecialAddresses) {
    FakeHost h;
    EXPECT_THROW(realserver_add(h, v6("2001:db8::1")), UserError);
    EXPECT_THROW(realserver_add(h, v4("0.0.0.0")), UserError);
    EXPECT_THROW(realserver_add(h, v4("127.0.0.2")), UserError);
    EXPECT_THROW(realserver_add(h, v4("224.0.0.1")), UserError);
    EXPECT_THROW(realserver_add(h, v4("255.255.255.255")), UserError);
    EXPECT_FALSE(h.file);
    EXPECT_EQ(h.writes, 0);
}

TEST(Realserver, StaleFileOfAnotherNamespaceIsIgnored) {
    FakeHost h;
    RealserverState old;
    old.netns_cookie = 7;  // a deleted namespace that had the same inode
    old.vips = {v4("10.77.0.100")};
    old.saved = {{"lo/arp_ignore", "1"}, {"lo/arp_announce", "2"}, {"all/arp_ignore", "1"}, {"all/arp_announce", "2"}};
    h.file = format_state(old);
    EXPECT_THROW(realserver_del(h, v4("10.77.0.100")), UserError);
    realserver_add(h, v4("10.77.0.100"));
    RealserverState st = parse_state(*h.file);
    EXPECT_EQ(st.netns_cookie, 42u);
    for (const auto& [k, v] : st.saved) EXPECT_EQ(v, "0") << k;
}

TEST(Realserver, FailedAddRollsBack) {
    FakeHost h;
    h.fail_add_vip = true;
    EXPECT_THROW(realserver_add(h, v4("10.77.0.100")), UserError);
    EXPECT_FALSE(h.file);
    EXPECT_EQ(h.sysctl["lo/arp_ignore"], "0");
    EXPECT_EQ(h.sysctl["all/arp_announce"], "0");

    h.fail_add_vip = false;
    realserver_add(h, v4("10.77.0.100"));
    std::string before = *h.file;
    h.fail_add_vip = true;
    EXPECT_THROW(realserver_add(h, v4("10.77.0.101")), UserError);
    EXPECT_EQ(*h.file, before);
    EXPECT_TRUE(h.configured());
}

TEST(Realserver, StatusListsVipsAndSettings) {
    FakeHost h;
    std::string empty = realserver_status(h);
    EXPECT_NE(empty.find("No real-server VIPs configured"), std::string::npos) << empty;
    EXPECT_NE(empty.find("all.arp_announce = 0"), std::string::npos) << empty;
    realserver_add(h, v4("10.77.0.100"));
    std::string s = realserver_status(h);
    EXPECT_NE(s.find("10.77.0.100/32"), std::string::npos) << s;
    EXPECT_NE(s.find("lo.arp_ignore = 1"), std::string::npos) << s;
    EXPECT_NE(s.find("all.arp_announce = 2"), std::string::npos) << s;
    EXPECT_EQ(s.find("missing"), std::string::npos) << s;
    h.lo.clear();
    EXPECT_NE(realserver_status(h).find("missing from lo"), std::string::npos);
}

// The real host's state file handling, in a temporary directory (no root
// needed, nothing outside the directory is touched).
TEST(RealserverSystemHost, StateFileLifecycle) {
    char tmpl[] = "/tmp/lvs-rs-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::string dir = std::string(tmpl) + "/sub";
    {
        auto host = system_realserver_host(dir);
        EXPECT_FALSE(host->load_state());
        host->store_state("vip 10.77.0.100\n");
        ASSERT_TRUE(host->load_state());
        EXPECT_EQ(*host->load_state(), "vip 10.77.0.100\n");
        EXPECT_NE(host->state_location().find(dir + "/realserver-"), std::string::npos);
        EXPECT_NE(host->netns_cookie(), 0u);
        // The sysctls it manages exist and read as numbers.
        for (const auto& s : kArpSettings) EXPECT_FALSE(host->read_sysctl(s.key).empty()) << s.key;
        host->remove_state();
        EXPECT_FALSE(host->load_state());
        EXPECT_NO_THROW(host->remove_state());
    }
    std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace lvs
