// ipvsadm 1.31's command line: its options, defaults, option/command table,
// checks, messages and exit statuses (docs/notes-ipvsadm.md). Everything ipvsadm
// checks is checked first and in ipvsadm's order, so a line ipvsadm rejects gets
// ipvsadm's message; only then are the features lvs-xdp lacks refused.
// lvs-xdp adds two options of its own, --fullnat (FullNAT as in DPVS) and
// --json (-L's output as JSON), checked by the same table and with messages in
// the same style.
#include <array>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <initializer_list>
#include <span>

#include "cli/command.h"
#include "cli/option_reader.h"
#include "error.h"

namespace lvs {
namespace {

// ipvsadm's option bits, in its order: the option/command check reports the
// first problem in this order, under these names.
enum Opt {
    kNumeric, kConnection, kService, kScheduler, kPersistent, kNetmask, kRealServer, kForward,
    kWeight, kUThreshold, kLThreshold, kMcastIf, kTimeout, kDaemon, kStats, kRate, kThresholds,
    kPersistentConn, kNoSort, kSyncId, kExact, kOps, kPe, kSchedFlags, kMcastGroup, kMcastPort,
    kMcastTtl, kSyncMaxlen, kTunInfo, kTunType, kTunPort, kTunNocsum, kTunCsum, kTunRemcsum,
    kFullnat, kJson,  // lvs-xdp's own, after ipvsadm's 34
    kOptCount
};

constexpr std::array<std::string_view, kOptCount> kOptNames = {
    "numeric",     "connection", "service-address", "scheduler",       "persistent",
    "netmask",     "real-server", "forwarding-method", "weight",       "u-threshold",
    "l-threshold", "mcast-interface", "timeout",     "daemon",          "stats",
    "rate",        "thresholds", "persistent-conn", "nosort",          "syncid",
    "exact",       "ops",        "pe",              "sched-flags",     "mcast-group",
    "mcast-port",  "mcast-ttl",  "sync-maxlen",     "tun-info",        "tun-type",
    "tun-port",    "tun-nocsum", "tun-csum",        "tun-remcsum",     "fullnat",
    "json"};

using OptSet = uint64_t;

constexpr OptSet bits(std::initializer_list<Opt> opts) {
    OptSet s = 0;
    for (Opt o : opts)
        s |= OptSet{1} << o;
    return s;
}

constexpr bool has(OptSet s, int o) { return (s >> o) & 1; }

// What a command (or a tunnel type) needs, may take, and may take only one of;
// every other option is illegal with it.
struct Rule {
    std::string_view name;
    OptSet required;
    OptSet optional;
    OptSet one_of;
};

enum Cmd { kAdd, kEdit, kDel, kFlush, kList, kAddDest, kDelDest, kEditDest, kSet,
           kStartDaemon, kStopDaemon, kRestore, kSave, kZero };

constexpr OptSet kServiceParams = bits({kScheduler, kPersistent, kNetmask, kOps, kPe, kSchedFlags});
constexpr OptSet kTunnelOpts = bits({kTunType, kTunPort, kTunNocsum, kTunCsum, kTunRemcsum});
constexpr OptSet kServerParams = bits({kForward, kWeight, kUThreshold, kLThreshold, kFullnat}) | kTunnelOpts;

constexpr std::array<Rule, 14> kCommandRules = {{
    {"add-service", bits({kService}), kServiceParams, 0},
    {"edit-service", bits({kService}), kServiceParams, 0},
    {"delete-service", bits({kService}), 0, 0},
    {"flush", 0, 0, 0},
    {"list", 0,
     bits({kNumeric, kStats, kRate, kThresholds, kPersistentConn, kNoSort, kSyncId, kExact, kTunInfo, kJson}),
     bits({kConnection, kService, kTimeout, kDaemon})},
    {"add-server", bits({kService, kRealServer}), kServerParams, 0},
    {"delete-server", bits({kService, kRealServer}), 0, 0},
    {"edit-server", bits({kService, kRealServer}), kServerParams, 0},
    {"set", 0, 0, 0},
    {"start-daemon", 0, bits({kMcastIf, kSyncId, kMcastGroup, kMcastPort, kMcastTtl, kSyncMaxlen}), 0},
    {"stop-daemon", 0, bits({kSyncId}), 0},
    {"restore", 0, 0, 0},
    {"save", 0, bits({kNumeric}), 0},
    {"zero", 0, bits({kService}), 0},
}};

// Checked over the tunnel options other than --tun-type, as ipvsadm does.
constexpr OptSet kTunnelCheckScope = kTunnelOpts & ~bits({kTunType});
// Indexed by TunType, whose values are IPVS's tunnel type numbers.
constexpr std::array<Rule, 3> kTunnelRules = {{
    {"ipip", 0, 0, 0},
    {"gue", bits({kTunPort}), 0, bits({kTunNocsum, kTunCsum, kTunRemcsum})},
    {"gre", 0, 0, bits({kTunNocsum, kTunCsum})},
}};
static_assert(static_cast<size_t>(TunType::Ipip) == 0 && static_cast<size_t>(TunType::Gue) == 1 &&
              static_cast<size_t>(TunType::Gre) == 2);

// The checksum options follow each other in ipvsadm's option order as TunCsum's
// values do, so one maps onto the other.
constexpr Opt csum_option(TunCsum c) { return static_cast<Opt>(kTunNocsum + static_cast<int>(c)); }
static_assert(csum_option(TunCsum::NoCsum) == kTunNocsum && csum_option(TunCsum::Csum) == kTunCsum &&
              csum_option(TunCsum::RemCsum) == kTunRemcsum);

enum class Key {
    AddService, EditService, DeleteService, Clear, List, Zero, AddServer, EditServer,
    DeleteServer, Set, Help, Version, Restore, Save, StartDaemon, StopDaemon,
    Tcp, Udp, Sctp, Fwmark, Scheduler, Persistent, Netmask, RealServer, Masquerading, Ipip,
    Gatewaying, Weight, UThreshold, LThreshold, Numeric, Connection, McastInterface, SyncId,
    Timeout, Daemon, Stats, Rate, Thresholds, PersistentConn, NoSort, Sort, Exact, Ipv6, Ops, Pe,
    SchedFlags, McastGroup, McastPort, McastTtl, SyncMaxlen, TunInfo, TunType, TunPort,
    TunNocsum, TunCsum, TunRemcsum, Fullnat, Json,
};

const std::vector<OptionSpec>& option_specs() {
    using A = ArgKind;
    auto k = [](Key key) { return static_cast<int>(key); };
    static const std::vector<OptionSpec> specs = {
        {"add-service", 'A', A::None, k(Key::AddService)},
        {"edit-service", 'E', A::None, k(Key::EditService)},
        {"delete-service", 'D', A::None, k(Key::DeleteService)},
        {"clear", 'C', A::None, k(Key::Clear)},
        {"list", 'L', A::None, k(Key::List)},
        {"list", 'l', A::None, k(Key::List)},
        {"zero", 'Z', A::None, k(Key::Zero)},
        {"add-server", 'a', A::None, k(Key::AddServer)},
        {"edit-server", 'e', A::None, k(Key::EditServer)},
        {"delete-server", 'd', A::None, k(Key::DeleteServer)},
        {"set", '\0', A::None, k(Key::Set)},
        {"help", 'h', A::None, k(Key::Help)},
        {"version", 'v', A::None, k(Key::Version)},
        {"restore", 'R', A::None, k(Key::Restore)},
        {"save", 'S', A::None, k(Key::Save)},
        {"start-daemon", '\0', A::Required, k(Key::StartDaemon)},
        {"stop-daemon", '\0', A::Required, k(Key::StopDaemon)},
        {"tcp-service", 't', A::Required, k(Key::Tcp)},
        {"udp-service", 'u', A::Required, k(Key::Udp)},
        {"sctp-service", '\0', A::Required, k(Key::Sctp)},
        {"fwmark-service", 'f', A::Required, k(Key::Fwmark)},
        {"scheduler", 's', A::Required, k(Key::Scheduler)},
        {"persistent", 'p', A::Optional, k(Key::Persistent)},
        {"netmask", 'M', A::Required, k(Key::Netmask)},
        {"real-server", 'r', A::Required, k(Key::RealServer)},
        {"masquerading", 'm', A::None, k(Key::Masquerading)},
        {"ipip", 'i', A::None, k(Key::Ipip)},
        {"gatewaying", 'g', A::None, k(Key::Gatewaying)},
        {"weight", 'w', A::Required, k(Key::Weight)},
        {"u-threshold", 'x', A::Required, k(Key::UThreshold)},
        {"l-threshold", 'y', A::Required, k(Key::LThreshold)},
        {"numeric", 'n', A::None, k(Key::Numeric)},
        {"connection", 'c', A::None, k(Key::Connection)},
        {"mcast-interface", '\0', A::Required, k(Key::McastInterface)},
        {"syncid", '\0', A::Required, k(Key::SyncId)},
        {"timeout", '\0', A::None, k(Key::Timeout)},
        {"daemon", '\0', A::None, k(Key::Daemon)},
        {"stats", '\0', A::None, k(Key::Stats)},
        {"rate", '\0', A::None, k(Key::Rate)},
        {"thresholds", '\0', A::None, k(Key::Thresholds)},
        {"persistent-conn", '\0', A::None, k(Key::PersistentConn)},
        {"nosort", '\0', A::None, k(Key::NoSort)},
        {"sort", '\0', A::None, k(Key::Sort)},
        {"exact", 'X', A::None, k(Key::Exact)},
        {"ipv6", '6', A::None, k(Key::Ipv6)},
        {"ops", 'o', A::None, k(Key::Ops)},
        {"pe", '\0', A::Required, k(Key::Pe)},
        {"sched-flags", 'b', A::Required, k(Key::SchedFlags)},
        {"mcast-group", '\0', A::Required, k(Key::McastGroup)},
        {"mcast-port", '\0', A::Required, k(Key::McastPort)},
        {"mcast-ttl", '\0', A::Required, k(Key::McastTtl)},
        {"sync-maxlen", '\0', A::Required, k(Key::SyncMaxlen)},
        {"tun-info", '\0', A::None, k(Key::TunInfo)},
        {"tun-type", '\0', A::Required, k(Key::TunType)},
        {"tun-port", '\0', A::Required, k(Key::TunPort)},
        {"tun-nocsum", '\0', A::None, k(Key::TunNocsum)},
        {"tun-csum", '\0', A::None, k(Key::TunCsum)},
        {"tun-remcsum", '\0', A::None, k(Key::TunRemcsum)},
        {"fullnat", '\0', A::None, k(Key::Fullnat)},
        {"json", '\0', A::None, k(Key::Json)},
    };
    return specs;
}

constexpr long kMaxTimeout = 86400L * 31;         // ipvsadm's MAX_TIMEOUT
constexpr uint32_t kDefaultPersistTimeout = 360;  // libipvs's IPVS_SVC_PERSISTENT_TIMEOUT

// ipvsadm's fail(2, ...): a command line it rejects.
[[noreturn]] void fail(const std::string& msg) { throw UserError(msg, kExitUsage); }

Command command_only(Action action) {
    Command c;
    c.action = action;
    return c;
}

// ipvsadm's tryhelp_exit(), which exits with -1.
UserError try_help() {
    return UserError("Try `lvs-xdp -h' or 'lvs-xdp --help' for more information.", kExitKernel);
}

// ipvsadm's string_to_number: base 10, the whole text, within [min, max].
std::optional<long> to_number(const std::string& s, long min, long max) {
    errno = 0;
    char* end = nullptr;
    const long n = std::strtol(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != '\0' || errno == ERANGE || n < min || n > max)
        return std::nullopt;
    return n;
}

long number_or_fail(const std::string& s, long min, long max, const std::string& msg) {
    if (auto n = to_number(s, min, max))
        return *n;
    fail(msg);
}

uint32_t parse_timeout(const std::string& s, long min) {
    return static_cast<uint32_t>(
        number_or_fail(s, min, kMaxTimeout, "invalid timeout value `" + s + "' specified"));
}

// The prefix length of a contiguous IPv4 netmask such as 255.255.255.0.
std::optional<uint32_t> prefix_length(const Addr& mask) {
    const auto& b = mask.bytes;
    const uint32_t m = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    const uint32_t ones = static_cast<uint32_t>(std::countl_one(m));
    if (ones < 32 && (m << ones) != 0)
        return std::nullopt;
    return ones;
}

bool is_multicast(const Addr& a) {
    return a.is_v6() ? a.bytes[0] == 0xff : (a.bytes[0] & 0xf0) == 0xe0;
}

class IpvsadmParser {
public:
    explicit IpvsadmParser(const std::vector<std::string>& args) : reader_(option_specs(), args) {}

    Command parse() {
        if (auto early = read_command())
            return *early;
        while (auto found = next_option())
            read_option(*found);
        read_leftovers();
        if (!sched_flags_.empty())
            read_sched_flags();
        check_rule(kCommandRules[cmd_], given_, ~OptSet{0}, "command");
        check_command();
        if (!unavailable_.empty())
            throw UserError(unavailable_);  // ipvsadm takes it; lvs-xdp lacks it: status 1
        return result();
    }

private:
    // The first option must be a command; -h and -v count only there.
    std::optional<Command> read_command() {
        std::optional<FoundOption> first;
        try {
            first = reader_.next();
        } catch (const OptionError&) {
            throw try_help();
        }
        if (!first)
            throw try_help();
        switch (static_cast<Key>(first->spec->key)) {
        case Key::Help: return command_only(Action::Help);
        case Key::Version: return command_only(Action::Version);
        case Key::AddService: start(kAdd, Action::AddService); break;
        case Key::EditService: start(kEdit, Action::EditService); break;
        case Key::DeleteService: start(kDel, Action::DeleteService); break;
        case Key::Clear: start(kFlush, Action::Clear); break;
        case Key::List: start(kList, Action::List); break;
        case Key::Zero: start(kZero, Action::Zero); break;
        case Key::AddServer: start(kAddDest, Action::AddDest); break;
        case Key::EditServer: start(kEditDest, Action::EditDest); break;
        case Key::DeleteServer: start(kDelDest, Action::DeleteDest); break;
        case Key::Restore: start(kRestore, Action::Restore); break;
        case Key::Save: start(kSave, Action::Save); break;
        case Key::Set: start(kSet, Action::SetTimeouts); break;
        case Key::StartDaemon:
        case Key::StopDaemon: {
            const bool start_daemon = static_cast<Key>(first->spec->key) == Key::StartDaemon;
            cmd_ = start_daemon ? kStartDaemon : kStopDaemon;
            if (*first->arg != "master" && *first->arg != "backup")
                fail(start_daemon ? "illegal start-daemon parameter specified"
                                  : "illegal start_daemon specified");
            unavailable("The connection sync daemon is not available in this version of lvs-xdp; "
                        "leave out --start-daemon and --stop-daemon");
            break;
        }
        default: throw try_help();
        }
        return std::nullopt;
    }

    void start(Cmd cmd, Action action) {
        cmd_ = cmd;
        action_ = action;
    }

    // popt's errors make ipvsadm's parse_options return -1: status 255.
    std::optional<FoundOption> next_option() {
        try {
            return reader_.next();
        } catch (const OptionError& e) {
            throw UserError(e.word + ": " + e.reason, kExitKernel);
        }
    }

    void set_option(Opt o) {
        if (has(given_, o))
            fail("multiple '" + std::string(kOptNames[o]) + "' options specified");
        given_ |= OptSet{1} << o;
    }

    // The first unavailable feature is the one reported, after all ipvsadm checks.
    void unavailable(const std::string& why) {
        if (unavailable_.empty())
            unavailable_ = why;
    }

    void read_option(const FoundOption& found) {
        const std::string arg = found.arg.value_or("");
        switch (static_cast<Key>(found.spec->key)) {
        case Key::Tcp: read_service(Proto::Tcp, arg); break;
        case Key::Udp: read_service(Proto::Udp, arg); break;
        case Key::Sctp:
            read_service(Proto::Tcp, arg);  // stands in for SCTP: never applied
            unavailable("SCTP services (--sctp-service) are not available in this version of lvs-xdp; "
                        "use -t or -u");
            break;
        case Key::Fwmark:
            set_option(kService);
            fwmark_ = static_cast<uint32_t>(
                number_or_fail(arg, 1, UINT32_MAX, "invalid fwmark value `" + arg + "' specified"));
            unavailable("Firewall-mark services (-f) are not available in this version of lvs-xdp; "
                        "use -t or -u");
            break;
        case Key::Scheduler:
            set_option(kScheduler);
            svc_.sched = arg;
            break;
        case Key::Persistent:
            set_option(kPersistent);
            svc_.flags |= LVS_SVC_F_PERSISTENT;
            svc_.timeout = found.arg ? parse_timeout(arg, 1) : kDefaultPersistTimeout;
            break;
        case Key::Netmask: read_netmask(arg); break;
        case Key::RealServer: read_real_server(arg); break;
        case Key::Gatewaying: read_forward(Fwd::Route); break;
        case Key::Ipip: read_forward(Fwd::Tunnel); break;
        case Key::Masquerading: read_forward(Fwd::Masq); break;
        case Key::Weight:
            set_option(kWeight);
            dest_.weight = static_cast<uint32_t>(number_or_fail(arg, 0, 65535, "illegal weight specified"));
            break;
        case Key::UThreshold:
            set_option(kUThreshold);
            dest_.u_threshold =
                static_cast<uint32_t>(number_or_fail(arg, 0, INT_MAX, "illegal u_threshold specified"));
            break;
        case Key::LThreshold:
            set_option(kLThreshold);
            dest_.l_threshold =
                static_cast<uint32_t>(number_or_fail(arg, 0, INT_MAX, "illegal l_threshold specified"));
            break;
        case Key::Numeric: list_flag(kNumeric, list_.numeric); break;
        case Key::Connection: list_flag(kConnection, list_.connection); break;
        case Key::Timeout: list_flag(kTimeout, list_.timeout); break;
        case Key::Stats: list_flag(kStats, list_.stats); break;
        case Key::Rate: list_flag(kRate, list_.rate); break;
        case Key::Thresholds: list_flag(kThresholds, list_.thresholds); break;
        case Key::PersistentConn: list_flag(kPersistentConn, list_.persistent_conn); break;
        case Key::NoSort: list_flag(kNoSort, list_.nosort); break;
        case Key::Exact: list_flag(kExact, list_.exact); break;
        case Key::TunInfo: list_flag(kTunInfo, list_.tun_info); break;
        case Key::Json: list_flag(kJson, list_.json); break;
        case Key::Sort: break;  // sorting is the default; ipvsadm keeps --sort as a no-op
        case Key::Daemon:
            set_option(kDaemon);
            unavailable("The connection sync daemon is not available in this version of lvs-xdp; "
                        "leave out --daemon");
            break;
        case Key::SyncId:
            set_option(kSyncId);
            number_or_fail(arg, 0, 255, "illegal syncid specified");
            break;
        case Key::McastInterface: set_option(kMcastIf); break;
        case Key::McastGroup: read_mcast_group(arg); break;
        case Key::McastPort:
            set_option(kMcastPort);
            number_or_fail(arg, 1, 65535, "illegal mcast-port specified");
            break;
        case Key::McastTtl:
            set_option(kMcastTtl);
            number_or_fail(arg, 1, 255, "illegal mcast-ttl specified");
            break;
        case Key::SyncMaxlen:
            set_option(kSyncMaxlen);
            number_or_fail(arg, 1, 65535 - 20 - 8, "illegal sync-maxlen specified");
            break;
        case Key::Ipv6:
            if (!fwmark_)
                fail("-6 used before -f");
            svc_.key.addr.family = LVS_AF_INET6;
            svc_.netmask = 128;
            break;
        case Key::Ops:
            set_option(kOps);
            ops_ = true;
            unavailable("One-packet scheduling (-o) is not available in this version of lvs-xdp; "
                        "leave out -o");
            break;
        case Key::Pe:
            set_option(kPe);
            unavailable("Persistence engines (--pe) are not available in this version of lvs-xdp; "
                        "leave out --pe");
            break;
        case Key::SchedFlags:
            set_option(kSchedFlags);
            sched_flags_ = arg;
            break;
        case Key::TunType: read_tunnel_type(arg); break;
        case Key::TunPort:
            set_option(kTunPort);
            dest_.tun_port =
                static_cast<uint16_t>(number_or_fail(arg, 1, 65535, "illegal tunnel port specified"));
            break;
        case Key::TunNocsum: read_tunnel_csum(TunCsum::NoCsum); break;
        case Key::TunCsum: read_tunnel_csum(TunCsum::Csum); break;
        case Key::TunRemcsum: read_tunnel_csum(TunCsum::RemCsum); break;
        case Key::Fullnat:
            set_option(kFullnat);
            dest_.fullnat = true;
            break;
        default:  // a second command, or -h/-v after the command
            fail("invalid option `" + reader_.last_word() + "'");
        }
    }

    void list_flag(Opt o, bool& flag) {
        set_option(o);
        flag = true;
    }

    void read_service(Proto proto, const std::string& arg) {
        set_option(kService);
        svc_.key.proto = proto;
        Endpoint ep;
        try {
            ep = parse_endpoint(arg);
        } catch (const UserError& e) {
            fail(std::string("illegal virtual server address[:port] specified: ") + e.what());
        }
        svc_.key.addr = ep.addr;
        svc_.key.port = ep.port;
        if (ep.addr.is_v6())
            svc_.netmask = 128;
    }

    // -r without a port means the service's port, as far as it is known at this
    // point of the command line.
    void read_real_server(const std::string& arg) {
        set_option(kRealServer);
        Endpoint ep;
        try {
            ep = parse_endpoint(arg);
        } catch (const UserError& e) {
            fail(std::string("illegal real server address[:port] specified: ") + e.what());
        }
        dest_.addr = ep.addr;
        dest_.port = ep.has_port ? ep.port : svc_.key.port;
    }

    void read_forward(Fwd fwd) {
        set_option(kForward);
        dest_.fwd = fwd;
    }

    // How -M is read depends on the service's family at this point of the line.
    void read_netmask(const std::string& arg) {
        set_option(kNetmask);
        if (svc_.key.addr.is_v6()) {
            const int bits = std::atoi(arg.c_str());
            if (bits < 1 || bits > 128)
                fail("illegal ipv6 netmask specified");
            svc_.netmask = static_cast<uint32_t>(bits);
            return;
        }
        Addr mask;
        try {
            mask = parse_addr(arg);
        } catch (const UserError& e) {
            fail(std::string("illegal virtual server persistent mask specified: ") + e.what());
        }
        if (mask.is_v6())
            fail("illegal virtual server persistent mask specified");
        if (auto prefix = prefix_length(mask))
            svc_.netmask = *prefix;
        else
            unavailable("Non-contiguous netmasks (-M " + arg + ") are not available in this version "
                        "of lvs-xdp; use a prefix mask such as 255.255.255.0");
    }

    void read_mcast_group(const std::string& arg) {
        set_option(kMcastGroup);
        const bool v6 = arg.find(':') != std::string::npos;
        bool ok = false;
        try {
            const Addr a = parse_addr(arg);
            ok = a.is_v6() == v6 && is_multicast(a);
        } catch (const UserError&) {
        }
        if (!ok)
            fail(std::string("invalid ") + (v6 ? "IPv6" : "IPv4") + " mcast-group `" + arg + "'");
    }

    void read_tunnel_type(const std::string& arg) {
        set_option(kTunType);
        for (size_t i = 0; i < kTunnelRules.size(); ++i)
            if (kTunnelRules[i].name == arg) {
                dest_.tun_type = static_cast<TunType>(i);
                return;
            }
        fail("illegal tunnel type specified");
    }

    // The tunnel table check lets at most one of them through (gue and gre take
    // one, ipip none), so the one stored is the one given.
    void read_tunnel_csum(TunCsum csum) {
        set_option(csum_option(csum));
        dest_.tun_csum = csum;
    }

    // Non-option words: --set's three timeouts, and nothing else.
    void read_leftovers() {
        std::span<const std::string> rest = reader_.leftovers();
        if (cmd_ == kSet) {
            if (rest.size() < 3)
                fail("--set option requires 3 timeout values");
            timeouts_ = Timeouts{.tcp = parse_timeout(rest[0], 0),
                                 .tcpfin = parse_timeout(rest[1], 0),
                                 .udp = parse_timeout(rest[2], 0)};
            rest = rest.subspan(3);
        }
        if (!rest.empty())
            fail("unexpected argument " + rest.front());
    }

    // -b (ipvsadm's parse_sched_flags): comma-separated, empty items skipped as
    // strtok skips them; the sh-* and mh-* flags need their scheduler (wlc when
    // -s is absent). The named flags are the generic bits under the names sh and
    // mh give them: *-fallback is flag-1, *-port is flag-2.
    void read_sched_flags() {
        size_t pos = 0;
        while (pos <= sched_flags_.size()) {
            const size_t comma = std::min(sched_flags_.find(',', pos), sched_flags_.size());
            const std::string flag = sched_flags_.substr(pos, comma - pos);
            pos = comma + 1;
            if (flag.empty())
                continue;
            svc_.flags |= sched_flag_bit(flag);
        }
    }

    uint32_t sched_flag_bit(const std::string& flag) const {
        if (flag == "flag-1")
            return LVS_SVC_F_SCHED1;
        if (flag == "flag-2")
            return LVS_SVC_F_SCHED2;
        if (flag == "flag-3")
            return LVS_SVC_F_SCHED3;
        const bool sh = flag == "sh-fallback" || flag == "sh-port";
        const bool mh = flag == "mh-fallback" || flag == "mh-port";
        if (!sh && !mh)
            fail("invalid scheduler flag `" + flag + "'");
        if (svc_.sched != (sh ? "sh" : "mh"))
            fail("incompatible scheduler flag `" + flag + "'");
        return flag.ends_with("-fallback") ? LVS_SVC_F_SCHED1 : LVS_SVC_F_SCHED2;
    }

    // ipvsadm's generic_opt_check (and, over the tunnel options, tunnel_opt_check).
    static void check_rule(const Rule& rule, OptSet given, OptSet scope, const std::string& kind) {
        const std::string of = "the '" + std::string(rule.name) + "' " + kind;
        int first_of_one = -1;
        for (int o = 0; o < kOptCount; ++o) {
            if (!has(scope, o))
                continue;
            const std::string name(kOptNames[o]);
            if (!has(given, o)) {
                if (has(rule.required, o))
                    fail("You need to supply the '" + name + "' option for " + of);
                continue;
            }
            if (!has(rule.required | rule.optional | rule.one_of, o))
                fail("Illegal '" + name + "' option with " + of);
            if (!has(rule.one_of, o))
                continue;
            if (first_of_one >= 0)
                fail("The option '" + name + "' conflicts with the '" +
                     std::string(kOptNames[first_of_one]) + "' option in " + of);
            first_of_one = o;
        }
    }

    void check_command() {
        switch (cmd_) {
        case kAdd:
        case kEdit:
            if (!fwmark_ && svc_.key.port == 0 && !(svc_.flags & LVS_SVC_F_PERSISTENT))
                fail("Zero port specified for non-persistent service");
            if (ops_ && !fwmark_ && svc_.key.proto != Proto::Udp)
                fail("One-Packet Scheduling is only for UDP virtual services");
            break;
        case kAddDest:
        case kEditDest: check_server(); break;
        case kList: check_list(); break;
        default: break;
        }
    }

    void check_server() {
        // Direct routing and tunnelling cannot change the port: the packet reaches
        // the server addressed to the virtual service, so IPVS uses its port.
        if (!fwmark_ && (dest_.fwd == Fwd::Route || dest_.fwd == Fwd::Tunnel))
            dest_.port = svc_.key.port;
        if (dest_.addr.family != svc_.key.addr.family && dest_.fwd != Fwd::Tunnel)
            fail("Different address family is allowed only for tunneling servers");
        if ((given_ & kTunnelOpts) && dest_.fwd != Fwd::Tunnel)
            fail("Tunnel options conflict with forward method");
        const Rule& tunnel = kTunnelRules[static_cast<size_t>(dest_.tun_type)];
        check_rule(tunnel, given_, kTunnelCheckScope, "tunnel type");
        // FullNAT is masquerading that rewrites the client's source as well.
        if (dest_.fullnat && dest_.fwd != Fwd::Masq)
            fail("FullNAT is only for masquerading servers: --fullnat needs -m");
    }

    void check_list() const {
        const bool other_list = given_ & bits({kConnection, kTimeout, kDaemon});
        const bool counters = given_ & bits({kStats, kRate, kThresholds});
        const bool timeout_or_daemon = given_ & bits({kTimeout, kDaemon});
        if ((other_list && counters) || (timeout_or_daemon && has(given_, kPersistentConn)))
            fail("options conflicts in the list command");
    }

    Command result() const {
        Command c;
        c.action = *action_;  // set for every command that gets this far
        if (has(given_, kService))
            c.service = svc_;
        if (has(given_, kRealServer))
            c.dest = dest_;
        c.list = list_;
        c.timeouts = timeouts_;
        return c;
    }

    OptionReader reader_;
    Cmd cmd_ = kList;
    std::optional<Action> action_;  // empty for the commands lvs-xdp lacks
    OptSet given_ = 0;
    Service svc_;
    Dest dest_;
    ListOptions list_;
    Timeouts timeouts_;
    uint32_t fwmark_ = 0;
    bool ops_ = false;
    std::string sched_flags_;
    std::string unavailable_;
};

}  // namespace

std::string_view tun_type_name(TunType type) {
    return kTunnelRules.at(static_cast<size_t>(type)).name;
}

std::string tun_csum_option(TunCsum csum) {
    return "--" + std::string(kOptNames[csum_option(csum)]);
}

Command parse_ipvsadm(const std::vector<std::string>& args) {
    if (args.empty())
        return Command{};  // bare ipvsadm lists the table, names resolved
    return IpvsadmParser(args).parse();
}

}  // namespace lvs
