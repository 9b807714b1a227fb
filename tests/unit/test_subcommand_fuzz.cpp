// lvs-xdp's own subcommands (attach, detach, status, realserver, laddr,
// daemon, sysctl) fed random argument vectors through parse_subcommand, which
// parses and checks without looking at the system (nothing here runs: the
// work it returns is never called). Whatever the input: no exception, and
// either the line is accepted, or --help is printed, or it is refused in
// exactly one line with a non-zero status. Lines built valid must be
// accepted (over-strict checking fails), lines built with a known fault must
// be refused (a missing check fails). Seeded: a failure prints the seed and
// the arguments, and LVS_FUZZ_SEED replays a run.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <sstream>

#include "cli/app.h"
#include "fuzz_util.h"
#include "lvs_xdp/abi.h"

using namespace lvs;
using lvs::test::fuzz_seed;

namespace {

constexpr int kIterations = 20000;  // of each of the three kinds
constexpr uint64_t kDefaultSeed = 0x5ab0c0a11;

using Args = std::vector<std::string>;

// What parse_subcommand made of a line.
enum class Outcome { Accepted, Help, Refused };

std::string joined(const Args& args) {
    std::string s;
    for (const auto& a : args) {
        s += "'";
        for (unsigned char c : a)
            s += c < 0x20 || c >= 0x7f ? "\\x" + std::string{"0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]}
                                       : std::string(1, static_cast<char>(c));
        s += "' ";
    }
    return s;
}

// Parses args, failing the test on an exception or a result that breaks the
// seam's promises (one-line refusals, non-zero status, help on out).
Outcome parse(const Args& args) {
    std::ostringstream out, err;
    ParsedSubcommand p;
    try {
        p = parse_subcommand(args, "/nonexistent/lvs-xdp-fuzz", out, err);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw " << typeid(e).name() << " (" << e.what() << ") on " << joined(args);
        return Outcome::Refused;
    } catch (...) {
        ADD_FAILURE() << "threw a non-exception on " << joined(args);
        return Outcome::Refused;
    }
    const std::string o = out.str(), e = err.str();
    if (p.run) {
        EXPECT_EQ(p.status, 0) << joined(args);
        EXPECT_EQ(o + e, "") << "accepted, yet printed: " << joined(args);
        return Outcome::Accepted;
    }
    if (p.status == 0) {
        EXPECT_NE(o, "") << "neither accepted nor refused nor help: " << joined(args);
        EXPECT_EQ(e, "") << joined(args);
        return Outcome::Help;
    }
    EXPECT_EQ(o, "") << joined(args);
    EXPECT_GT(e.size(), 1u) << "a refusal without a reason: " << joined(args);
    EXPECT_EQ(e.find('\n'), e.size() - 1) << "not one line: " << joined(args) << "\n" << e;
    return Outcome::Refused;
}

class SubcommandFuzzer {
public:
    explicit SubcommandFuzzer(uint64_t seed) : rng_(seed) {}

    // A line every check should take.
    Args valid() {
        switch (below(10)) {
        case 0: return attach();
        case 1: return with(Args{"detach"}, ifaces());
        case 2: return {"status"};
        case 3: return realserver_add();
        case 4: return chance(1, 2) ? Args{"realserver", "del", vip()} : Args{"realserver", "del", vip(), "--tun"};
        case 5: return {"realserver", "list"};
        case 6: return with(Args{"laddr", pick({"add", "del"})}, addrs());
        case 7: return {"laddr", "list"};
        case 8: return daemon();
        default: return sysctl();
        }
    }

    // A line with one fault of a kind that must be refused.
    Args invalid() {
        switch (below(14)) {
        case 0: return with(Args{"attach", "--conn-table-size", pick(kBadConnTableSizes)}, ifaces());
        case 1: return with(Args{"attach", "--conn6-table-size", pick(kBadConn6Sizes)}, ifaces());
        case 2: return with(Args{"attach", "--mode", pick({"", "Native", "xdp", "offload", "auto "})}, ifaces());
        case 3: return with(Args{"attach", "--tun-src", pick(kBadAddrs)}, ifaces());
        case 4: return {pick({"attach", "detach"})};  // no interface
        case 5: return {"daemon", "--interval", pick(kBadIntervals)};
        case 6: return {"realserver", pick({"add", "del"}), pick(kBadAddrs)};
        case 7: return {"realserver", pick({"add", "del", "", "list "})};  // no VIP, or no such subcommand
        case 8:  // the --tun options without --tun, or bad values for them
            if (chance(1, 3))
                return {"realserver", "add", vip(), pick({"--decap", "--dev", "--gue-port"}), pick({"bpf", "eth0", "80"})};
            if (chance(1, 2))
                return {"realserver", "add", vip(), "--tun", "--decap", pick({"", "xdp", "BPF", "tunl0", "bpf,kernel"})};
            return {"realserver", "add", vip(), "--tun", "--gue-port", pick({"", "0", "65536", "-1", "80x", "http"})};
        case 9: {
            Args a = with(Args{"laddr", pick({"add", "del"})}, addrs());
            std::string bad;
            do  // CLI11 takes [A,B] as a list of A and B for a list option: "[2001:db8::1]" is good there
                bad = pick(kBadAddrs);
            while (bad.starts_with('['));
            a.insert(a.begin() + 2 + below(a.size() - 1), bad);
            return a;
        }
        case 10: return {pick({"laddr", "realserver"})};  // no subcommand
        case 11: return {"sysctl", pick(kBadSysctls)};
        case 12: {  // an option the subcommand lacks: unknown, or another's
            Args a = valid();
            std::string opt;
            do
                opt = pick(kForeign);
            while (owns(a, opt));
            a.insert(a.begin() + 1, opt);  // not after a list option: CLI11 may take it as a value
            return a;
        }
        default:  // a word too many
            return with(pick({Args{"status"}, Args{"realserver", "list"}, Args{"laddr", "list"}}), {pick({"extra", "", "-", "-x", "10.0.0.1", "a\nb", "\xff"})});
        }
    }

    // A valid line mangled: hostile values, tokens dropped, doubled, moved,
    // other subcommands' options.
    Args mutated() {
        Args a = valid();
        const size_t edits = 1 + below(3);
        for (size_t i = 0; i < edits; ++i) {
            const size_t at = below(a.size() + 1);
            switch (below(7)) {
            case 0: if (!a.empty()) a[below(a.size())] = hostile(); break;
            case 1: a.insert(a.begin() + at, hostile()); break;
            case 2: if (a.size() > 1) a.erase(a.begin() + 1 + below(a.size() - 1)); break;
            case 3: if (!a.empty()) { const std::string w = a[below(a.size())]; a.insert(a.begin() + at, w); } break;
            case 4: if (a.size() > 1) std::swap(a[below(a.size())], a[below(a.size())]); break;
            case 5: a.insert(a.begin() + at, pick(kOptions)); break;
            default: a.insert(a.begin() + at, {pick(kOptions), hostile()}); break;
            }
        }
        return a;
    }

private:
    std::mt19937_64 rng_;

    inline static const Args kIfaces = {"lo", "eth0", "veth-dir", "ens3.100", "bond0", "x"};
    inline static const Args kVips = {"10.0.0.100", "192.168.1.1", "172.16.0.1", "8.8.8.8"};
    inline static const Args kAddrs = {"10.0.0.1", "10.0.0.2", "192.168.7.8", "2001:db8::1", "::1", "fe80::1"};
    inline static const Args kBadAddrs = {"", "not-an-address", "10.0.0", "10.0.0.1.5", "256.1.1.1", "10.0.0.1:80",
                                         "[2001:db8::1]", "localhost", "10.0.0.1/24", " 10.0.0.1", "10.0.0.1\n",
                                         "1\n2", "\xff\xfe", "0x0a000001"};
    inline static const Args kBadConnTableSizes = {"7", "0", "1", "3", "1000", "-1", "-1024", "abc", "", "1024abc",
                                                  "4294967296", "18446744073709551616", std::string(300, '9'),
                                                  std::to_string(LVS_MIN_CONN_TABLE_SIZE / 2),
                                                  std::to_string(uint64_t{LVS_MAX_CONN_TABLE_SIZE} * 2),
                                                  std::to_string(LVS_MAX_CONN_TABLE_SIZE - 1), "1\n024", "\xff"};
    inline static const Args kBadConn6Sizes = {"0", "-1", "", "abc", "268435457", "4294967296", "1.5", "1e3", "\n"};
    inline static const Args kBadIntervals = {"0", "3601", "-1", "", "abc", "1.5", "1\n2", "4294967297", "\xc3\xa9",
                                             std::string(100, '1')};
    inline static const Args kBadSysctls = {"bogus", "", "=", "=1", "conn_reuse_mode=4", "conn_reuse_mode=-1",
                                           "expire_nodest_conn=2", "lblc_expiration=0", "lblcr_expiration=",
                                           "lblc_expiration=2147484", "conn_reuse_mode=1\n", "conn_reuse_mode=1 ",
                                           "net.ipv4.vs.nope=1", "net.ipv4.vs.", "net.ipv6.vs.conn_reuse_mode",
                                           "expire_nodest_conn=0x1", "conn_reuse_mode==1", "Conn_reuse_mode"};
    // Every option of every subcommand, and some no subcommand has.
    inline static const Args kOptions = {"--mode", "--conn-table-size", "--conn6-table-size", "--tun-src",
                                        "--upgrade", "--tun", "--decap", "--dev", "--gue-port", "--interval",
                                        "--metrics", "--help", "-h", "--pin-dir", "--", "-", "--no-such", "-x",
                                        "--mode=", "--interval=", "attach", "add", "list", "--laddr"};
    // Options that some subcommand has, with a good value, and some none has.
    inline static const Args kForeign = {"--mode=generic", "--conn-table-size=1024", "--conn6-table-size=1024",
                                        "--tun-src=10.0.0.1", "--upgrade", "--tun", "--decap=bpf", "--dev=eth0",
                                        "--gue-port=80", "--interval=5", "--metrics=127.0.0.1:9177",
                                        "--no-such-option", "-Z", "-q", "--pin-dir=/tmp"};
    inline static const Args kHostile = {"", "0", "-1", "7", "65536", "4294967296", "18446744073709551616", "abc",
                                        "1.5", "-", "--", "=", "a\nb", "\n", "\r", "\t", "\xff\xfe", "\xc3\xa9",
                                        "lo/x", "a b", std::string(16, 'i'), std::string(5000, 'z'),
                                        "10.0.0.1", "::", "x=y", "{}", "%n%s", "'\"", "\x1b[31m"};

    size_t below(size_t n) { return n ? rng_() % n : 0; }
    bool chance(unsigned num, unsigned den) { return rng_() % den < num; }
    const std::string& pick(const Args& v) { return v[below(v.size())]; }
    std::string pick(std::initializer_list<const char*> v) { return *(v.begin() + below(v.size())); }
    const Args& pick(std::initializer_list<Args> v) { return *(v.begin() + below(v.size())); }
    // Whether the subcommand of a has option opt (--opt=VALUE as --opt).
    static bool owns(const Args& a, const std::string& opt) {
        const std::string name = opt.substr(0, opt.find('='));
        const bool realserver_add = a.size() > 1 && a[0] == "realserver" && a[1] == "add";
        const bool realserver_del = a.size() > 1 && a[0] == "realserver" && a[1] == "del";
        if (a[0] == "attach")
            return name == "--mode" || name == "--conn-table-size" || name == "--conn6-table-size" ||
                   name == "--tun-src" || name == "--upgrade";
        if (a[0] == "daemon")
            return name == "--interval" || name == "--metrics";
        return name == "--tun" ? realserver_add || realserver_del
                               : realserver_add && (name == "--decap" || name == "--dev" || name == "--gue-port");
    }
    static Args with(Args a, const Args& more) {
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }

    std::string hostile() {
        if (chance(1, 4)) {  // random bytes, NUL and newlines among them
            std::string s(below(10), '\0');
            for (char& c : s)
                c = static_cast<char>(rng_());
            return s;
        }
        return pick(kHostile);
    }
    Args some(const Args& from) {
        Args a;
        for (size_t n = 1 + below(3); n > 0; --n)
            a.push_back(pick(from));
        return a;
    }
    Args ifaces() { return some(kIfaces); }
    Args addrs() { return some(kAddrs); }
    std::string vip() { return pick(kVips); }
    // An option with its value, as --opt VALUE or --opt=VALUE.
    void option(Args& a, const std::string& opt, const std::string& value) {
        if (chance(1, 3))
            a.push_back(opt + "=" + value);
        else
            a.insert(a.end(), {opt, value});
    }
    Args attach() {
        Args opts;
        if (chance(1, 2))
            option(opts, "--mode", pick({"auto", "native", "generic"}));
        if (chance(1, 2)) {
            uint64_t size = LVS_MIN_CONN_TABLE_SIZE;
            for (size_t k = below(20); k > 0 && size * 2 <= LVS_MAX_CONN_TABLE_SIZE; --k)
                size *= 2;
            option(opts, "--conn-table-size", std::to_string(size));
        }
        if (chance(1, 2))
            option(opts, "--conn6-table-size", pick({"1", "1024", "65536", "268435456"}));
        if (chance(1, 3))
            option(opts, "--tun-src", pick(kAddrs));
        if (chance(1, 3))
            opts.push_back("--upgrade");
        return group_safe({"attach"}, opts, ifaces());
    }
    Args realserver_add() {
        Args opts;
        if (chance(1, 2)) {
            opts.push_back("--tun");
            if (chance(1, 2))
                option(opts, "--decap", pick({"bpf", "kernel"}));
            for (size_t n = below(3); n > 0; --n)
                option(opts, "--dev", pick(kIfaces));
            for (size_t n = below(3); n > 0; --n)
                option(opts, "--gue-port", pick({"1", "80", "5555", "6080", "65535"}));
        }
        return group_safe({"realserver", "add"}, opts, {vip()});
    }
    Args daemon() {
        Args a = {"daemon"};
        if (chance(1, 2))
            option(a, "--interval", pick({"1", "2", "60", "3600"}));
        if (chance(1, 2))
            option(a, "--metrics", pick({"127.0.0.1:9177", "[::1]:9177", "0.0.0.0:80"}));
        return a;
    }
    Args sysctl() {
        Args a = {"sysctl"};
        for (size_t n = below(4); n > 0; --n) {
            const std::string prefix = chance(1, 2) ? "net.ipv4.vs." : "";
            switch (below(5)) {
            case 0: a.push_back(prefix + pick({"conn_reuse_mode", "expire_nodest_conn", "lblc_expiration", "lblcr_expiration"})); break;
            case 1: a.push_back(prefix + "conn_reuse_mode=" + pick({"0", "1", "2", "3"})); break;
            case 2: a.push_back(prefix + "expire_nodest_conn=" + pick({"0", "1"})); break;
            default: a.push_back(prefix + pick({"lblc_expiration=", "lblcr_expiration="}) + pick({"1", "60", "2147483"})); break;
            }
        }
        return a;
    }
    // Vector options (--dev, --gue-port) swallow a positional after them, so
    // options go after the positionals there; the others, anywhere.
    Args group_safe(Args head, const Args& opts, const Args& positional) {
        if (std::find_if(opts.begin(), opts.end(), [](const std::string& o) {
                return o == "--dev" || o == "--gue-port";
            }) != opts.end())
            return with(with(std::move(head), positional), opts);
        return chance(1, 2) ? with(with(std::move(head), positional), opts) : with(with(std::move(head), opts), positional);
    }
};

}  // namespace

TEST(SubcommandFuzz, ValidLinesAreAcceptedKnownFaultsRefusedAnythingElseOneLine) {
    const uint64_t seed = fuzz_seed(kDefaultSeed);
    SCOPED_TRACE("LVS_FUZZ_SEED=" + std::to_string(seed));
    SubcommandFuzzer fuzz(seed);
    const auto start = std::chrono::steady_clock::now();
    int counts[3] = {};
    for (int i = 0; i < kIterations && !HasFailure(); ++i) {
        Args a = fuzz.valid();
        if (a[0] == "--laddr")
            a[0] = "laddr";
        EXPECT_EQ(parse(a), Outcome::Accepted) << "a valid line refused: " << joined(a);
        a = fuzz.invalid();
        EXPECT_EQ(parse(a), Outcome::Refused) << "a faulty line accepted: " << joined(a);
        a = fuzz.mutated();
        ++counts[static_cast<int>(parse(a))];
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The mangled lines must reach both outcomes for the run to mean anything.
    EXPECT_GT(counts[0], kIterations / 50);
    EXPECT_GT(counts[2], kIterations / 4);
    RecordProperty("mutated_accepted", counts[0]);
    RecordProperty("mutated_help", counts[1]);
    RecordProperty("mutated_refused", counts[2]);
    RecordProperty("seconds", std::to_string(secs));
}

// The refusals users meet most, through the seam: the message (one line, the
// value in it) and CLI11's or the check's status; nothing runs.
TEST(SubcommandFuzz, KnownRefusalsSayWhyInOneLine) {
    struct Case {
        Args args;
        std::string says;
    };
    for (const Case& c : std::vector<Case>{
             {{"attach", "--conn-table-size", "7", "lo"}, "power of two"},
             {{"daemon", "--interval", "0"}, "--interval"},
             {{"daemon", "--interval", "1\n2"}, "1\\x0a2"},
             {{"laddr", "add", "not-an-address"}, "'not-an-address' is not an IP address"},
             {{"laddr", "add", "10.0.0.1", "a\nb"}, "'a\\x0ab' is not an IP address"},
             {{"realserver", "add", "10.0.0"}, "'10.0.0' is not an IP address"},
             {{"attach", "--tun-src", "x", "lo"}, "'x' is not an IP address"},
             {{"sysctl", "conn_reuse_mode=4"}, "conn_reuse_mode: invalid value '4'"},
             {{"sysctl", "nope"}, "unknown sysctl 'nope'"},
             {{"status", "--tun"}, "--tun"}}) {
        std::ostringstream out, err;
        const ParsedSubcommand p = parse_subcommand(c.args, "/nonexistent", out, err);
        EXPECT_FALSE(p.run) << joined(c.args);
        EXPECT_NE(p.status, 0) << joined(c.args);
        EXPECT_NE(err.str().find(c.says), std::string::npos) << joined(c.args) << ": " << err.str();
        EXPECT_EQ(err.str().find('\n'), err.str().size() - 1) << joined(c.args) << ": " << err.str();
    }
}
