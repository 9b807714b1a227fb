#include "cli/app.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "attach/attach.h"
#include "attach/conn_tables.h"
#include "cli/command.h"
#include "cli/ipvsadm_exec.h"
#include "cli/usage.h"
#include "daemon/daemon.h"
#include "error.h"
#include "log.h"
#include "maps/pin_dir.h"
#include "net/addr.h"
#include "maps/pinned_maps.h"
#include "realserver/realserver.h"
#include "store/laddrs.h"
#include "store/settings.h"
#include "store/sysctls.h"

namespace lvs {
namespace {

const std::vector<std::string> kSubcommands = {"attach", "detach", "status", "realserver", "laddr", "daemon", "sysctl"};

void require_root() {
    if (geteuid() != 0)
        throw UserError("lvs-xdp must run as root (it changes BPF maps and network settings)");
}

// Takes --pin-dir DIR / --pin-dir=DIR out of args, wherever it stands.
std::optional<std::string> take_pin_dir(std::vector<std::string>& args) {
    std::optional<std::string> dir;
    for (size_t i = 0; i < args.size();) {
        if (args[i] == "--pin-dir") {
            if (i + 1 >= args.size())
                throw UserError("--pin-dir needs a directory");
            dir = args[i + 1];
            args.erase(args.begin() + i, args.begin() + i + 2);
        } else if (args[i].rfind("--pin-dir=", 0) == 0) {
            dir = args[i].substr(10);
            args.erase(args.begin() + i);
        } else {
            ++i;
        }
    }
    return dir;
}

enum class LaddrOp { Add, Del, List };

void run_laddr(LaddrOp op, const std::vector<Addr>& addrs, const std::string& pin_dir) {
    Maps maps = Maps::open(pin_dir);
    PinDirLock lock(pin_dir);
    if (op == LaddrOp::Add)
        add_local_addresses(maps, addrs);
    else if (op == LaddrOp::Del)
        delete_local_addresses(maps, addrs);
    else
        for (const Addr& a : local_addresses(maps))
            std::cout << a.str() << "\n";
}

// sysctl(8)'s way with IPVS's net.ipv4.vs settings: no argument lists them,
// NAME shows one, NAME=VALUE sets it.
struct SysctlRequest {
    std::vector<std::string> names;     // to show, after the changes
    std::vector<SysctlSetting> changes; // written in one write
};

// Every argument is checked before any is written.
SysctlRequest parse_sysctl_args(const std::vector<std::string>& texts) {
    SysctlRequest r;
    for (const std::string& t : texts) {
        if (t.find('=') == std::string::npos) {
            r.names.push_back(sysctl_name(t));
            continue;
        }
        r.changes.push_back(parse_sysctl_assignment(t));
        r.names.push_back(r.changes.back().name);
    }
    if (texts.empty())
        r.names = sysctl_names();
    return r;
}

void run_sysctl(const SysctlRequest& r, const std::string& pin_dir) {
    Maps maps = Maps::open(pin_dir);
    PinDirLock lock(pin_dir);
    lvs_config c = read_settings(maps);
    if (!r.changes.empty()) {
        for (const SysctlSetting& s : r.changes)
            set_sysctl(c, s);
        write_settings(maps, c);
    }
    for (const std::string& n : r.names)
        std::cout << sysctl_line(c, n) << "\n";
}

// text with its control characters (a newline in a value, say) written \xNN,
// so that a refusal stays one line.
std::string one_line(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) {
            const char hex[] = "0123456789abcdef";
            out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

ParsedSubcommand parse_subcommand(const std::vector<std::string>& args, const std::string& pin_dir,
                                  std::ostream& out, std::ostream& err) {
    CLI::App app{"lvs-xdp: Linux Virtual Server on XDP", "lvs-xdp"};
    // One line on stderr, as every other refusal (CLI11's own adds a second).
    app.failure_message(
        [](const CLI::App*, const CLI::Error& e) { return one_line(e.what()) + " (see --help)\n"; });
    app.require_subcommand(1);

    std::vector<std::string> ifaces;
    std::string mode = "auto";
    std::optional<uint32_t> conn_table_size, conn6_table_size;
    auto* attach_cmd = app.add_subcommand("attach", "attach the XDP director to interfaces");
    attach_cmd->add_option("iface", ifaces, "interfaces")->required();
    attach_cmd->add_option("--mode", mode, "native (default, falls back to generic) or generic")
        ->check(CLI::IsMember({"auto", "native", "generic"}));
    attach_cmd->add_option("--conn-table-size", conn_table_size,
                           "IPv4 connection-table slots, a power of two (set on first attach; default 2097152; "
                           "64 bytes each; about half of them hold connections without evicting any)")
        ->check(CLI::Validator(
            [](const std::string& v) {
                try {
                    return conn_table_size_error(std::stoull(v));
                } catch (const std::exception&) {
                    return std::string("not a number");
                }
            },
            "POWER OF TWO"));
    attach_cmd->add_option("--conn6-table-size", conn6_table_size,
                           "IPv6 connection-table entries (set on first attach; default 65536; about 140 bytes "
                           "each)")
        ->check(CLI::Range(1u, 1u << 28));
    std::optional<std::string> tun_src;  // given empty: refused, as any other non-address
    attach_cmd->add_option("--tun-src", tun_src,
                           "outer source address of tunnelled packets (default: the egress interface's)");
    bool upgrade = false;
    attach_cmd->add_flag("--upgrade", upgrade,
                         "replace an attached program with this build's in one step (no gap; maps, "
                         "rules and connections kept)");

    auto* detach_cmd = app.add_subcommand("detach", "detach the XDP director from interfaces");
    detach_cmd->add_option("iface", ifaces, "interfaces")->required();

    auto* status_cmd = app.add_subcommand("status", "show the interfaces lvs-xdp is attached to");

    std::string vip;
    bool rs_tun = false;
    std::string rs_decap;
    std::vector<std::string> rs_devs;
    std::vector<uint16_t> rs_gue_ports;
    auto* rs = app.add_subcommand("realserver", "prepare this host as a DR or TUN real server");
    rs->require_subcommand(1);
    auto* rs_add = rs->add_subcommand("add", "DR: VIP/32 on lo, arp_ignore=1, arp_announce=2; "
                                             "--tun: also take the VIP's tunnelled packets");
    rs_add->add_option("vip", vip, "virtual IP address")->required();
    rs_add->add_flag("--tun", rs_tun, "TUN real server: tunl0 where the kernel has it, else the BPF decapsulator");
    auto* rs_decap_opt = rs_add->add_option("--decap", rs_decap, "with --tun: force kernel (tunl0) or bpf decapsulation")
                             ->check(CLI::IsMember({"bpf", "kernel"}));
    auto* rs_dev_opt = rs_add->add_option("--dev", rs_devs, "with --tun (bpf): interfaces tunnelled packets arrive on "
                                                            "(default: every interface that is up, except lo)");
    auto* rs_port_opt = rs_add->add_option("--gue-port", rs_gue_ports, "with --tun (bpf): UDP ports GUE arrives on")
                            ->check(CLI::Range(1, 65535));
    rs_decap_opt->needs("--tun");
    rs_dev_opt->needs("--tun");
    rs_port_opt->needs("--tun");
    auto* rs_del = rs->add_subcommand("del", "undo add, restoring the previous sysctl values");
    rs_del->add_option("vip", vip, "virtual IP address")->required();
    rs_del->add_flag("--tun", rs_tun, "remove a VIP added with --tun");
    auto* rs_list = rs->add_subcommand("list", "show the VIPs and ARP sysctls");

    std::vector<std::string> laddr_args;
    auto* laddr = app.add_subcommand("laddr", "FullNAT local addresses (also written --laddr)");
    laddr->require_subcommand(1);
    auto* laddr_add = laddr->add_subcommand("add", "add addresses to the pool");
    laddr_add->add_option("addr", laddr_args, "local addresses of the director")->required();
    auto* laddr_del = laddr->add_subcommand("del", "remove addresses from the pool");
    laddr_del->add_option("addr", laddr_args, "local addresses of the director")->required();
    laddr->add_subcommand("list", "show the pool");

    DaemonOptions daemon_opts{.pin_dir = pin_dir};
    auto* daemon_cmd = app.add_subcommand("daemon", "every interval remove expired connections (taking them out of "
                                                    "the servers' counters) and ask again for real servers' MACs; "
                                                    "every 2 s estimate rates; until SIGTERM/SIGINT");
    daemon_cmd->add_option("--interval", daemon_opts.interval_s, "seconds between sweeps (default 1)")
        ->check(CLI::Range(1u, 3600u));
    daemon_cmd->add_option("--metrics", daemon_opts.metrics,
                           "serve Prometheus metrics on http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9177)");

    std::vector<std::string> sysctl_args;
    auto* sysctl_cmd = app.add_subcommand("sysctl", "IPVS's net.ipv4.vs settings: list them, show NAME, or set "
                                                    "NAME=VALUE (conn_reuse_mode, expire_nodest_conn, "
                                                    "lblc_expiration, lblcr_expiration); kept in the pinned maps");
    sysctl_cmd->add_option("setting", sysctl_args, "NAME or NAME=VALUE (NAME with or without net.ipv4.vs.)");

    std::vector<std::string> argv_rev(args.rbegin(), args.rend());
    ParsedSubcommand p;
    try {
        app.parse(argv_rev);
        if (attach_cmd->parsed()) {
            AttachMode m = mode == "native" ? AttachMode::Native : mode == "generic" ? AttachMode::Generic : AttachMode::Auto;
            std::optional<Addr> src;
            if (tun_src)
                src = parse_addr(*tun_src);
            p.run = [ifaces, opts = AttachOptions{.pin_dir = pin_dir,
                                                  .mode = m,
                                                  .conn_table_size = conn_table_size,
                                                  .conn6_table_size = conn6_table_size,
                                                  .tun_src = src,
                                                  .upgrade = upgrade}] { attach(ifaces, opts); };
        } else if (detach_cmd->parsed()) {
            p.run = [ifaces, pin_dir] { detach(ifaces, pin_dir); };
        } else if (daemon_cmd->parsed()) {
            p.run = [daemon_opts] { run_daemon(daemon_opts); };
        } else if (status_cmd->parsed()) {
            p.run = [pin_dir] { std::cout << status(pin_dir); };
        } else if (rs_add->parsed() && rs_tun) {
            TunOptions opts{.devs = rs_devs, .gue_ports = rs_gue_ports, .pin_dir = pin_dir};
            if (!rs_decap.empty())
                opts.decap = rs_decap == "kernel" ? Decap::Kernel : Decap::Bpf;
            p.run = [v = parse_addr(vip), opts] { std::cout << realserver_tun_add(v, opts) << "\n"; };
        } else if (rs_add->parsed()) {
            p.run = [v = parse_addr(vip)] { std::cout << realserver_add(v) << "\n"; };
        } else if (rs_del->parsed()) {
            p.run = [v = parse_addr(vip), rs_tun] {
                std::cout << (rs_tun ? realserver_tun_del(v) : realserver_del(v)) << "\n";
            };
        } else if (laddr->parsed()) {
            std::vector<Addr> addrs;
            for (const auto& t : laddr_args)
                addrs.push_back(parse_addr(t));
            const LaddrOp op = laddr_add->parsed() ? LaddrOp::Add : laddr_del->parsed() ? LaddrOp::Del : LaddrOp::List;
            p.run = [op, addrs, pin_dir] { run_laddr(op, addrs, pin_dir); };
        } else if (sysctl_cmd->parsed()) {
            p.run = [r = parse_sysctl_args(sysctl_args), pin_dir] { run_sysctl(r, pin_dir); };
        } else if (rs_list->parsed()) {
            p.run = [] { std::cout << realserver_status() << "\n"; };
        }
    } catch (const CLI::ParseError& e) {
        p.status = app.exit(e, out, err);
    } catch (const UserError& e) {
        err << one_line(e.what()) << "\n";
        p.status = e.exit_code();
    }
    return p;
}

namespace {

int run_subcommand(const std::vector<std::string>& args, const std::string& pin_dir) {
    const ParsedSubcommand p = parse_subcommand(args, pin_dir, std::cout, std::cerr);
    if (!p.run)
        return p.status;
    require_root();
    p.run();
    return 0;
}

}  // namespace

bool invoked_as_ipvsadm(const char* argv0) {
    if (!argv0)
        return false;
    const std::string name(argv0);
    const size_t slash = name.rfind('/');
    return (slash == std::string::npos ? name : name.substr(slash + 1)) == "ipvsadm";
}

// ipvsadm's tryhelp_exit names the program by its argv[0]; the parser's text
// names lvs-xdp, so under the ipvsadm name that part is argv[0] instead.
std::string as_ipvsadm_message(std::string msg, const std::string& argv0) {
    const std::string lvs_xdp = "Try `lvs-xdp -h' or 'lvs-xdp --help'";
    if (msg.rfind(lvs_xdp, 0) == 0)
        msg.replace(0, lvs_xdp.size(), "Try `" + argv0 + " -h' or '" + argv0 + " --help'");
    return msg;
}

int run_cli(int argc, char** argv) {
    setup_logging();
    const bool as_ipvsadm = argc > 0 && invoked_as_ipvsadm(argv[0]);
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        std::string pin_dir = resolve_pin_dir(as_ipvsadm ? std::nullopt : take_pin_dir(args));
        if (!as_ipvsadm) {
            if (!args.empty() && args[0] == "--laddr")  // the spelling of the subcommand
                args[0] = "laddr";
            if (!args.empty() && std::find(kSubcommands.begin(), kSubcommands.end(), args[0]) != kSubcommands.end())
                return run_subcommand(args, pin_dir);
        }
        Command cmd = parse_ipvsadm(args);
        const bool help_or_version = cmd.action == Action::Help || cmd.action == Action::Version;
        if (as_ipvsadm && help_or_version) {  // ipvsadm's texts, for scripts that read them
            std::cout << ipvsadm_help_or_version(cmd.action, argv[0]);
            return 0;
        }
        if (!help_or_version)
            require_root();
        run_ipvsadm(cmd, pin_dir);
        return 0;
    } catch (const UserError& e) {
        std::cerr << one_line(as_ipvsadm ? as_ipvsadm_message(e.what(), argv[0]) : std::string(e.what())) << "\n";
        return e.exit_code();  // ipvsadm's status for the same failure (error.h)
    } catch (const std::exception& e) {
        std::cerr << "lvs-xdp: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace lvs
