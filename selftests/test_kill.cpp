// lvs-xdp killed with SIGKILL in the middle of an update (issue 8): whatever
// point the kill hits, every service's scheduler table is the old one or the
// new one, naming only servers of that service, and packets are still
// forwarded; the next command repairs the rest, so that a completed -R leaves
// the maps exactly as they would be had nothing been killed.
//
// Each round forks a child that runs the real command line (run_cli, -R of a
// few hundred services from a file, under the pin-dir lock) against the
// director's pinned maps and kills it at a random moment of its run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "cli/app.h"
#include "store/settings.h"
#include "store/store.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

// Service s is 10.5.0.(s+1):80, its server d 10.32.x.y:80, 16 addresses a service.
std::string vip(int s) { return ip4_text(0x0a050000 + s + 1) + ":80"; }
std::string rip(int s, int d) { return ip4_text(0x0a200000 + s * 16 + d + 1) + ":80"; }

constexpr int kServices = 160;
constexpr int kServers = 8;  // in A and C; B has 6 to 8

// The configurations updates move between. B drops A's first quarter of
// services, adds as many new ones, changes schedulers and weights, and adds
// and removes servers; C is A with other weights only (what -e does), so that
// a kill can leave servers with C's weights under A's tables. Service 100 is
// in all three with servers of weight >= 1.
enum Variant { kA, kB, kC, kVariants };

std::string config(Variant v) {
    static const char* scheds[] = {"rr", "wrr", "lc", "wlc", "sh", "dh", "rr", "wrr", "mh"};
    const bool b = v == kB;
    std::string r = "-C\n";
    const int first = b ? kServices / 4 : 0;
    for (int s = first; s < first + kServices; ++s) {
        const char* sched = scheds[(s + (b && s % 3 == 0 ? 1 : 0)) % 9];
        if (std::string(sched) == "mh" && s % 4)  // mh tables are 4,093 slots: a few only
            sched = "wlc";
        r += "-A -t " + vip(s) + " -s " + sched + "\n";
        const int servers = kServers + (b ? s % 3 - 1 : 0);
        const int shift = b ? s : v == kC ? 2 : 0;
        for (int d = b ? 1 : 0; d < servers; ++d)
            r += "-a -t " + vip(s) + " -r " + rip(s, d) + " -g -w " + std::to_string(1 + (d + shift) % 4) + "\n";
    }
    return r;
}

constexpr int kProbe = 100;  // a service of both configurations

// A service's scheduler table as server addresses ("-" for no server), and
// the services' tables of a whole director.
using Table = std::vector<std::string>;
using Tables = std::map<std::string, Table>;

std::string key_str(const lvs_svc_key& k) {
    in_addr a{k.addr.ip4};
    return std::string(inet_ntoa(a)) + ":" + std::to_string(ntohs(k.port));
}

std::string dest_str(const lvs_dest& d) {
    in_addr a{d.addr.ip4};
    return std::string(inet_ntoa(a)) + ":" + std::to_string(ntohs(d.port));
}

// Also checks that every slot names a server in use of that very service.
Tables tables_of(const Maps& m) {
    const std::vector<lvs_dest> dests = ArrayMap<lvs_dest>(m.dests).all();
    const ArrayMap<uint32_t> slots(m.sched_table);
    Tables out;
    for (const auto& [k, v] : HashMap<lvs_svc_key, lvs_svc>(m.services).entries()) {
        Table& t = out[key_str(k)];
        for (uint32_t id : slots.get_range(v.table_off, v.table_len)) {
            if (id == LVS_TABLE_NO_DEST) {
                t.push_back("-");
                continue;
            }
            const lvs_dest& d = dests.at(id);
            EXPECT_TRUE((d.flags & LVS_DEST_F_IN_USE) && d.svc_id == v.id)
                << key_str(k) << "'s table names slot " << id << ", not one of its servers";
            t.push_back(dest_str(d));
        }
    }
    return out;
}

// Servers in use as "service server" lines, and the VIP filter's words.
std::multiset<std::string> servers_of(const Maps& m) {
    std::map<uint32_t, std::string> svc_of;
    for (const auto& [k, v] : HashMap<lvs_svc_key, lvs_svc>(m.services).entries())
        svc_of[v.id] = key_str(k);
    std::multiset<std::string> out;
    for (const lvs_dest& d : ArrayMap<lvs_dest>(m.dests).all())
        if (d.flags & LVS_DEST_F_IN_USE)
            out.insert((svc_of.count(d.svc_id) ? svc_of[d.svc_id] : "no service") + " " + dest_str(d));
    return out;
}

std::vector<uint64_t> vip_filter_of(const Maps& m) { return ArrayMap<uint64_t>(m.vip_filter).all(); }

class KillTest : public ::testing::Test {
protected:
    Director d;
    std::vector<std::string> files = {temp_file(config(kA)), temp_file(config(kB)), temp_file(config(kC))};

    // A director with rules written without a kill.
    static std::unique_ptr<Director> reference(const std::string& rules) {
        auto ref = std::make_unique<Director>();
        ref->ipvsadm_restore(rules);
        return ref;
    }
    void TearDown() override {
        for (const std::string& f : files)
            std::remove(f.c_str());
    }
    static std::string temp_file(const std::string& text) {
        char path[] = "/tmp/lvs-kill-XXXXXX";
        const int fd = mkstemp(path);
        EXPECT_GE(fd, 0);
        close(fd);
        std::ofstream(path) << text;
        return path;
    }

    // Starts `lvs-xdp --pin-dir DIR -R < rules` in a child process.
    pid_t start_restore(const std::string& rules) const {
        std::fflush(nullptr);  // or the child prints what the parent has buffered
        const pid_t pid = fork();
        if (pid == 0) {
            const int fd = open(rules.c_str(), O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0)
                _exit(99);
            std::string a0 = "lvs-xdp", a1 = "--pin-dir", a2 = d.pin_dir(), a3 = "-R";
            char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), nullptr};
            _exit(run_cli(4, argv));
        }
        return pid;
    }
    // When, in a run of `-R rules`, the commit has its writes open (from the
    // start of the run, in microseconds), and how long the run takes.
    struct Window {
        long open_from = -1, open_to = -1, total = 0;
    };
    Window measure(const std::string& rules) const {
        Window w;
        const auto t0 = std::chrono::steady_clock::now();
        auto since = [&] {
            return long(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
                            .count());
        };
        const pid_t child = start_restore(rules);
        int status = 0;
        while (waitpid(child, &status, WNOHANG) == 0)
            if (read_settings(d.maps()).flags & LVS_CFG_F_COMMIT_OPEN) {
                w.open_to = since();
                if (w.open_from < 0)
                    w.open_from = w.open_to;
            }
        w.total = since();
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return w;
    }
    // Starts `-R rules` and kills it: after a random time in the run, or
    // (aimed) a random time after its commit opened its writes.
    bool start_and_kill(const std::string& rules, const Window& w, bool aimed, std::mt19937& rng) const {
        const pid_t child = start_restore(rules);
        int status = 0;
        long wait_us = rng() % (w.total + 1);
        if (aimed) {
            pid_t ended = 0;
            while (!(read_settings(d.maps()).flags & LVS_CFG_F_COMMIT_OPEN) &&
                   (ended = waitpid(child, &status, WNOHANG)) == 0)
                ;
            if (ended)
                return false;  // finished before it was seen writing
            // Within the first half of the writes as measured: runs vary.
            wait_us = rng() % ((w.open_to - w.open_from) / 2 + 1);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        return WIFSIGNALED(status) && (read_settings(d.maps()).flags & LVS_CFG_F_COMMIT_OPEN);
    }
    int restore(const std::string& rules) const {
        int status = 0;
        waitpid(start_restore(rules), &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    // One packet of a new flow to the probe service is forwarded to one of
    // its servers (their MACs given as the loader's neighbour lookup would).
    void expect_probe_forwarded(uint16_t sport) {
        const std::string probe = vip(kProbe).substr(0, vip(kProbe).find(':'));
        const Config cfg = Store(d.maps()).load();
        ArrayMap<lvs_dest> dests(d.maps().dests);
        for (const Service& svc : cfg.services())
            if (svc.key.addr.str() == probe)
                for (const Dest& server : svc.dests) {
                    lvs_dest e = dests.get(server.id);
                    set_next_hop(e, Mac{2, 0, 0, 0, 1, uint8_t(server.id)}, 1);
                    dests.put(server.id, e);
                }
        FrameSpec f;
        f.daddr = probe;
        f.sport = sport;
        EXPECT_EQ(d.run(frame(f)).action, XDP_TX) << "the probe service's packet was not forwarded";
    }

    // What each reference director holds.
    struct Expected {
        Tables tables;
        std::multiset<std::string> servers;
        std::vector<uint64_t> vip_filter;
    };
    static Expected expected_of(const Director& ref) {
        return {tables_of(ref.maps()), servers_of(ref.maps()), vip_filter_of(ref.maps())};
    }
    // What each configuration written without a kill holds.
    const std::vector<Expected> expected = [] {
        std::vector<Expected> e;
        for (Variant v : {kA, kB, kC})
            e.push_back(expected_of(*reference(config(v))));
        return e;
    }();

    // The maps hold exactly the expected configuration: no service, server
    // or VIP-filter bit more or less, every table as a clean write gives it.
    void expect_same_as(const Expected& e) {
        EXPECT_FALSE(read_settings(d.maps()).flags & LVS_CFG_F_COMMIT_OPEN);
        const Tables got = tables_of(d.maps());
        EXPECT_EQ(got.size(), e.tables.size()) << "services";
        for (const auto& [svc, table] : got)
            EXPECT_TRUE(e.tables.count(svc) && e.tables.at(svc) == table) << svc << "'s table is not as expected";
        EXPECT_TRUE(servers_of(d.maps()) == e.servers) << "the servers in use are not as expected";
        EXPECT_TRUE(vip_filter_of(d.maps()) == e.vip_filter) << "the VIP filter is not as expected";
    }
};

TEST_F(KillTest, KilledRestoresLeaveEachServiceOldOrNewAndTheNextOneRepairsAll) {
    // When each update writes, measured on runs not killed: A -> B -> C -> A
    // -> C -> B -> A goes through every pair.
    ASSERT_EQ(restore(files[kA]), 0);
    expect_same_as(expected[kA]);
    Window windows[kVariants][kVariants];
    Variant at = kA;
    for (Variant next : {kB, kC, kA, kC, kB, kA}) {
        windows[at][next] = measure(files[next]);
        expect_same_as(expected[next]);
        at = next;
    }
    const unsigned seed = std::getenv("LVS_KILL_SEED") ? std::atoi(std::getenv("LVS_KILL_SEED")) : std::random_device{}();
    std::mt19937 rng(seed);
    SCOPED_TRACE("LVS_KILL_SEED=" + std::to_string(seed));
    // Kills until that many have hit a commit while it wrote (its writes take
    // a few ms; a third to a half of the kills do), at most 4x as many.
    const int wanted = std::getenv("LVS_KILL_HITS") ? std::atoi(std::getenv("LVS_KILL_HITS")) : 8;
    int interrupted = 0, round = 0;
    for (; interrupted < wanted && round < 4 * wanted; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        // Towards another configuration, killed somewhere in its run: every
        // fourth kill anywhere in the run, the others while it writes.
        const Variant to = Variant((at + 1 + rng() % 2) % kVariants);
        interrupted += start_and_kill(files[to], windows[at][to], round % 4 != 3, rng);

        for (const auto& [svc, table] : tables_of(d.maps())) {
            const Tables& old_tables = expected[at].tables;
            const Tables& new_tables = expected[to].tables;
            const bool old_one = old_tables.count(svc) && old_tables.at(svc) == table;
            const bool new_one = new_tables.count(svc) && new_tables.at(svc) == table;
            EXPECT_TRUE(old_one || new_one) << svc << "'s table is neither the old nor the new one";
        }
        expect_probe_forwarded(uint16_t(10000 + round));

        // A completed update leaves exactly its configuration: half the time
        // the one the killed update was writing (whose servers may already
        // hold their new weights under the old tables), else any.
        at = rng() % 2 ? to : Variant(rng() % kVariants);
        ASSERT_EQ(restore(files[at]), 0);
        expect_same_as(expected[at]);
        expect_probe_forwarded(uint16_t(20000 + round));
        if (HasFailure())
            break;
    }
    EXPECT_GE(interrupted, wanted) << "too few kills landed inside a commit";
    const Window& w = windows[kA][kB];
    std::printf("%d of %d kills interrupted a commit (A to B: %ld ms, writing from %ld to %ld ms)\n", interrupted,
                round, w.total / 1000, w.open_from / 1000, w.open_to / 1000);
}

}  // namespace
}  // namespace lvs::test
