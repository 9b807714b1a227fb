// A pin directory left by an lvs-xdp with another connection table (one map,
// lvs_conns; or IPv4 flows in an LRU hash, lvs_conns4) cannot be used: every command, attach included,
// must say so in one line and what to do, not fail on a missing map.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "error.h"
#include "maps/pinned_maps.h"

using namespace lvs;

namespace {

// A directory with empty files named like pinned maps (only names are looked at
// before a map is opened).
struct FakePinDir {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("lvs-pin-layout-" + std::to_string(getpid()));
    explicit FakePinDir(std::initializer_list<const char*> maps) {
        std::filesystem::create_directories(dir);
        for (const char* m : maps)
            std::ofstream(dir / m).put('\n');
    }
    ~FakePinDir() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST(PinLayout, OldSingleConnectionTableIsRefusedWithWhatToDo) {
    FakePinDir p({"lvs_services", "lvs_conns"});
    EXPECT_TRUE(Maps::old_layout(p.dir));
    try {
        Maps::open(p.dir);
        FAIL() << "opened an old-layout pin directory";
    } catch (const UserError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("older lvs-xdp"), std::string::npos) << msg;
        EXPECT_NE(msg.find("lvs-xdp detach"), std::string::npos) << msg;
        EXPECT_NE(msg.find("rm -r " + p.dir.string()), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    }
}

TEST(PinLayout, IPv4FlowsInAnLruHashAreAnOldLayout) {
    FakePinDir p({"lvs_services", "lvs_conns4", "lvs_conns6"});
    EXPECT_TRUE(Maps::old_layout(p.dir));
}

TEST(PinLayout, CurrentLayoutIsNotOld) {
    FakePinDir p({"lvs_services", "lvs_conn_slots4", "lvs_conns6"});
    EXPECT_FALSE(Maps::old_layout(p.dir));
}
