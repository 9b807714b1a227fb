// The ipvsadm command-line parser and Config's apply fed random argument
// vectors built from the real option names and hostile values: whatever the
// input, the only failure is a UserError (a clear message, ipvsadm's status),
// and a command that fails leaves the configuration exactly as it was.
// Seeded: a failure prints the seed and the arguments, and LVS_FUZZ_SEED
// replays a run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <sstream>

#include "cli/command.h"
#include "error.h"
#include "fuzz_util.h"

using namespace lvs;
using lvs::test::fuzz_seed;
using lvs::test::snapshot;

namespace {

constexpr int kIterations = 150000;
constexpr uint64_t kDefaultSeed = 0x1b5f0a2c;

// Every option ipvsadm 1.31 and lvs-xdp know, short and long: commands first.
const std::vector<std::string> kCommands = {
    "-A", "-E", "-D", "-C", "-a", "-e", "-d", "-L", "-l", "-Z", "-S", "-R", "-h", "-v",
    "--add-service", "--edit-service", "--delete-service", "--add-server", "--edit-server",
    "--delete-server", "--list", "--zero", "--save", "--restore", "--set", "--start-daemon",
    "--stop-daemon", "--help", "--version"};
// Options that take a value, and the kind of value each wants.
enum class Kind { Service, Server, Sched, Number, Netmask, Flags, TunType, Text };
const std::vector<std::pair<std::string, Kind>> kValued = {
    {"-t", Kind::Service}, {"--tcp-service", Kind::Service}, {"-u", Kind::Service},
    {"--udp-service", Kind::Service}, {"-f", Kind::Number}, {"--fwmark-service", Kind::Number},
    {"--sctp-service", Kind::Service}, {"-s", Kind::Sched}, {"--scheduler", Kind::Sched},
    {"-p", Kind::Number}, {"--persistent", Kind::Number}, {"-M", Kind::Netmask},
    {"--netmask", Kind::Netmask}, {"-r", Kind::Server}, {"--real-server", Kind::Server},
    {"-w", Kind::Number}, {"--weight", Kind::Number}, {"-x", Kind::Number},
    {"--u-threshold", Kind::Number}, {"-y", Kind::Number}, {"--l-threshold", Kind::Number},
    {"-b", Kind::Flags}, {"--sched-flags", Kind::Flags}, {"--tun-type", Kind::TunType},
    {"--tun-port", Kind::Number}, {"--pe", Kind::Text}, {"--mcast-interface", Kind::Text},
    {"--syncid", Kind::Number}, {"--mcast-group", Kind::Server}, {"--mcast-port", Kind::Number},
    {"--mcast-ttl", Kind::Number}, {"--sync-maxlen", Kind::Number}};
const std::vector<std::string> kSwitches = {
    "-m", "--masquerading", "-i", "--ipip", "-g", "--gatewaying", "-n", "--numeric", "-c",
    "--connection", "--timeout", "--daemon", "--stats", "--rate", "--thresholds",
    "--persistent-conn", "--nosort", "--sort", "-X", "--exact", "-6", "--ipv6", "-o", "--ops",
    "--tun-info", "--tun-nocsum", "--tun-csum", "--tun-remcsum", "--fullnat", "--json", "-p",
    "--", "-", "-Q", "--no-such-option", "-gm", "-nL"};

// A few good addresses and ports, so that commands often name the same
// services and servers (exercising "already exists" and edits), among bad ones.
const std::vector<std::string> kAddrs = {
    "10.0.0.1", "10.0.0.2", "10.0.1.11", "10.0.1.12", "0.0.0.0", "255.255.255.255", "[::1]",
    "[2001:db8::1]", "2001:db8::1", "[fe80::1%eth0]", "256.1.1.1", "10.0.0", "10.0.0.1.5",
    "1.2.3.-4", "localhost", "", "[", "[]", "]", ":", "a.b.c.d", "0x0a000001", "010.0.0.1"};
const std::vector<std::string> kPorts = {
    "80", "443", "0", "1", "65535", "65536", "-1", "99999999999999999999", "http", "", "8o",
    " 80", "80 ", "+80", "0x50"};
const std::vector<std::string> kNumbers = {
    "0", "1", "2", "100", "65535", "65536", "2147483647", "2147483648", "4294967295",
    "4294967296", "18446744073709551616", "-1", "-0", "+1", "1.5", "1e3", "0x10", "010", "",
    " ", "abc", "7abc", "\xff\xfe", std::string(300, '9')};
const std::vector<std::string> kScheds = {
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh",
    "twos", "RR", "", "none", "rr ", "wrr,rr", std::string(100, 'r')};
const std::vector<std::string> kNetmasks = {
    "255.255.255.0", "255.255.255.255", "0.0.0.0", "255.0.255.0", "24", "32", "33", "-1", "",
    "255.255.255.256", "128"};
const std::vector<std::string> kFlags = {
    "sh-fallback", "sh-port", "sh-fallback,sh-port", "mh-fallback", "mh-port", "flag-1",
    "flag-2", "flag-3", "", ",", "sh-port,", "sh-port,,mh-port", "nope"};
const std::vector<std::string> kTunTypes = {"ipip", "gue", "gre", "IPIP", "", "vxlan"};

class ArgvFuzzer {
public:
    explicit ArgvFuzzer(uint64_t seed) : rng_(seed) {}

    std::vector<std::string> next() { return chance(1, 2) ? plausible() : anything(); }

private:
    std::mt19937_64 rng_;

    // A configuration command of the right shape with good values, and
    // sometimes one hostile token more: reaches Config, which mostly refuses
    // "anything()" before that.
    std::vector<std::string> plausible() {
        static const std::vector<std::string> cmds = {"-A", "-E", "-D", "-a", "-e", "-d"};
        static const std::vector<std::string> endpoints = {"10.0.0.1:80", "10.0.0.1:443", "10.0.0.2:80",
                                                           "10.0.1.11:80", "10.0.1.12:8080", "10.0.1.13"};
        const std::string& cmd = pick(cmds);
        std::vector<std::string> args = {cmd, chance(3, 4) ? "-t" : "-u", pick(endpoints)};
        if (cmd == "-a" || cmd == "-e" || cmd == "-d") {
            args.insert(args.end(), {"-r", pick(endpoints)});
            if (cmd != "-d")
                args.insert(args.end(), {pick({"-g", "-m", "-i"}), "-w", pick({"0", "1", "5", "100"})});
        } else if (cmd != "-D") {
            args.insert(args.end(), {"-s", kScheds[below(14)]});  // the 14 real schedulers
        }
        if (chance(1, 2))
            add_token(args);
        return args;
    }
    std::vector<std::string> anything() {
        std::vector<std::string> args;
        if (chance(9, 10))
            args.push_back(pick(kCommands));
        const size_t extra = below(8);
        for (size_t i = 0; i < extra; ++i)
            add_token(args);
        if (!args.empty() && chance(1, 10))  // commands in any position, as popt allows
            std::swap(args.front(), args.at(below(args.size())));
        return args;
    }

    size_t below(size_t n) { return n ? rng_() % n : 0; }
    bool chance(unsigned num, unsigned den) { return rng_() % den < num; }
    const std::string& pick(const std::vector<std::string>& v) { return v[below(v.size())]; }
    std::string pick(std::initializer_list<const char*> v) { return *(v.begin() + below(v.size())); }

    std::string endpoint() {
        std::string a = pick(kAddrs);
        if (chance(3, 4))
            a += ":" + pick(kPorts);
        return a;
    }
    std::string value(Kind k) {
        switch (k) {
        case Kind::Service:
        case Kind::Server: return endpoint();
        case Kind::Sched: return pick(kScheds);
        case Kind::Number: return pick(kNumbers);
        case Kind::Netmask: return pick(kNetmasks);
        case Kind::Flags: return pick(kFlags);
        case Kind::TunType: return pick(kTunTypes);
        case Kind::Text: return garbage();
        }
        return "";
    }
    std::string garbage() {
        std::string s(below(12), '\0');
        for (char& c : s)
            c = static_cast<char>(rng_());
        return s;
    }
    // One option with its value in any of the spellings popt accepts (and a
    // few it doesn't), a switch, a bare value, or noise.
    void add_token(std::vector<std::string>& args) {
        switch (below(10)) {
        case 0: args.push_back(pick(kSwitches)); return;
        case 1: args.push_back(chance(1, 2) ? pick(kCommands) : garbage()); return;
        case 2: args.push_back(value(kValued[below(kValued.size())].second)); return;
        default: break;
        }
        const auto& [opt, kind] = kValued[below(kValued.size())];
        const std::string v = value(kind);
        if (chance(1, 10))
            args.push_back(opt);  // the value missing
        else if (chance(1, 8) && opt.starts_with("--"))
            args.push_back(opt + "=" + v);
        else if (chance(1, 8) && !opt.starts_with("--"))
            args.push_back(opt + v);
        else
            args.insert(args.end(), {opt, v});
    }
};

std::string joined(const std::vector<std::string>& args) {
    std::string s;
    for (const auto& a : args)
        s += "'" + a + "' ";
    return s;
}

struct Tally {
    int applied = 0, refused = 0;
};

// Parses and applies one argument vector to cfg; fails the test on anything
// but success or a UserError that left cfg unchanged.
void run_one(Config& cfg, const std::vector<std::string>& args, Tally& tally) {
    const std::string before = snapshot(cfg);
    try {
        apply_command(cfg, parse_ipvsadm(args));
        ++tally.applied;
        return;
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()), "") << joined(args);
        EXPECT_EQ(snapshot(cfg), before) << "a refused command changed the configuration: " << joined(args);
        ++tally.refused;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw " << typeid(e).name() << " (" << e.what() << ") on " << joined(args);
    } catch (...) {
        ADD_FAILURE() << "threw a non-exception on " << joined(args);
    }
}

}  // namespace

TEST(ParserFuzz, RandomArgumentVectorsFailOnlyWithUserErrorAndChangeNothing) {
    const uint64_t seed = fuzz_seed(kDefaultSeed);
    SCOPED_TRACE("LVS_FUZZ_SEED=" + std::to_string(seed));
    ArgvFuzzer fuzz(seed);
    Config cfg;
    Tally tally;
    for (int i = 0; i < kIterations && !HasFailure(); ++i)
        run_one(cfg, fuzz.next(), tally);
    // Both paths must have been exercised for the run to mean anything.
    EXPECT_GT(tally.applied, kIterations / 20);
    EXPECT_GT(tally.refused, kIterations / 4);
    RecordProperty("applied", tally.applied);
}
