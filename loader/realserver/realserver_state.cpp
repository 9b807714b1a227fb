#include "realserver/realserver_state.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <sstream>

#include "error.h"

namespace lvs {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

std::string vip_text(const Addr& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(a.is_v6() ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf)) return "?";
    return buf;
}

std::optional<Addr> vip_parse(const std::string& s) {
    Addr a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = LVS_AF_INET;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = LVS_AF_INET6;
        return a;
    }
    return std::nullopt;
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A name the kernel would take for an interface (and one that is not lo).
bool iface_name_ok(const std::string& s) {
    if (s.empty() || s.size() >= 16 || s == "." || s == ".." || s == "lo") return false;
    return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c == '/' || c == ':' || std::isspace(c); });
}

// The sysctls lvs-xdp may save and restore: kArpSettings; arp_ignore,
// arp_announce and rp_filter of tunl0; rp_filter of all and of other
// interfaces (rs_decap's). Never lo's rp_filter.
bool known_setting(const std::string& key) {
    if (std::any_of(std::begin(kArpSettings), std::end(kArpSettings), [&](const ArpSetting& s) { return key == s.key; }))
        return true;
    auto slash = key.find('/');
    if (slash == std::string::npos) return false;
    const std::string iface = key.substr(0, slash), name = key.substr(slash + 1);
    if (iface == "tunl0") return name == "arp_ignore" || name == "arp_announce" || name == "rp_filter";
    if (name != "rp_filter") return false;
    return iface == "all" || iface_name_ok(iface);
}

// Throws when vip can't be a real server's VIP.
void check_vip(const Addr& vip) {
    if (vip.is_v6())
        throw UserError("realserver: IPv6 VIPs are not supported yet (" + vip_text(vip) + ")");
    const uint8_t first = vip.bytes[0];
    const bool any = vip.bytes[0] == 0 && vip.bytes[1] == 0 && vip.bytes[2] == 0 && vip.bytes[3] == 0;
    const bool bcast = vip.bytes[0] == 255 && vip.bytes[1] == 255 && vip.bytes[2] == 255 && vip.bytes[3] == 255;
    if (any || bcast || first == 127 || first >= 224)
        throw UserError("realserver: " + vip_text(vip) + " can't be a VIP (unspecified, loopback, multicast or broadcast address)");
}

// The state of this namespace: empty when there is none, or when the file was
// left behind by another (deleted) namespace that had the same inode.
RealserverState load(RealserverHost& host) {
    auto text = host.load_state();
    if (!text) return {};
    RealserverState st;
    try {
        st = parse_state(*text);
    } catch (const UserError& e) {
        throw UserError(std::string(e.what()) + " in " + host.state_location() + " (remove the file to start over)");
    }
    const uint64_t cookie = host.netns_cookie();
    if (st.netns_cookie != 0 && cookie != 0 && st.netns_cookie != cookie) return {};
    return st;
}

void store(RealserverHost& host, RealserverState st) {
    st.netns_cookie = host.netns_cookie();
    host.store_state(format_state(st));
}

// Puts the state file back as it was before a failed change.
void put_back(RealserverHost& host, const RealserverState& old) {
    if (old.empty() && old.saved.empty())
        host.remove_state();
    else
        store(host, old);
}

std::string settings_text(const Settings& values) {
    std::string s;
    for (const auto& [k, v] : values) {
        if (!s.empty()) s += ", ";
        s += k + "=" + v;
    }
    return s;
}

bool has_key(const Settings& settings, const std::string& key) {
    return std::any_of(settings.begin(), settings.end(), [&](const auto& kv) { return kv.first == key; });
}

// Saves the current values of the wanted settings that are not saved yet.
// Returns the newly saved entries.
Settings save_new(RealserverHost& host, RealserverState& st, const Settings& wanted) {
    Settings added;
    for (const auto& [k, v] : wanted) {
        if (has_key(st.saved, k)) continue;
        added.emplace_back(k, host.read_sysctl(k));
        st.saved.push_back(added.back());
    }
    return added;
}

void write_settings(RealserverHost& host, const Settings& settings) {
    for (const auto& [k, v] : settings) host.write_sysctl(k, v);
}

bool per_interface_key(const std::string& key) {
    return key.rfind("all/", 0) != 0 && key.rfind("lo/", 0) != 0;
}

// Writes back the saved values of the settings no VIP of st wants any more and
// forgets them. A device's setting whose device is gone is skipped (noted in
// skipped). Returns what was restored.
Settings restore_unwanted(RealserverHost& host, RealserverState& st, std::vector<std::string>* skipped = nullptr) {
    const Settings wanted = wanted_settings(st);
    Settings restored, kept;
    for (const auto& kv : st.saved) {
        if (has_key(wanted, kv.first)) {
            kept.push_back(kv);
            continue;
        }
        try {
            host.write_sysctl(kv.first, kv.second);
            restored.push_back(kv);
        } catch (const UserError&) {
            if (!per_interface_key(kv.first)) throw;
            if (skipped) skipped->push_back(kv.first);
        }
    }
    st.saved = kept;
    return restored;
}

// Undo steps of a change in progress, run newest first when it fails.
class Undo {
public:
    void push(std::function<void()> step) { steps_.push_back(std::move(step)); }
    void run() noexcept {
        for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
            try {
                (*it)();
            } catch (...) {
            }
        }
        steps_.clear();
    }

private:
    std::vector<std::function<void()>> steps_;
};

void undo_settings(Undo& undo, RealserverHost& host, const Settings& newly_saved) {
    undo.push([&host, newly_saved] { write_settings(host, newly_saved); });
}

// The VIPs and GUE ports rs_decap must know.
std::vector<Addr> bpf_vips(const RealserverState& st) {
    std::vector<Addr> out;
    for (const auto& t : st.tun_vips)
        if (t.decap == Decap::Bpf) out.push_back(t.vip);
    return out;
}

std::vector<uint16_t> bpf_ports(const RealserverState& st) {
    std::vector<uint16_t> out;
    for (const auto& t : st.tun_vips)
        if (t.decap == Decap::Bpf) out.insert(out.end(), t.gue_ports.begin(), t.gue_ports.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool has_kernel_vips(const RealserverState& st) {
    return std::any_of(st.tun_vips.begin(), st.tun_vips.end(), [](const TunVip& t) { return t.decap == Decap::Kernel; });
}

std::string ports_text(const std::vector<uint16_t>& ports) {
    std::string s;
    for (uint16_t p : ports) s += (s.empty() ? "" : ",") + std::to_string(p);
    return s;
}

std::string vip_count_text(const RealserverState& st) {
    return std::to_string(st.vips.size() + st.tun_vips.size()) + " VIP(s) remain";
}

// The end of a del: settings nobody needs are restored; the state is stored,
// or removed with the last VIP.
void finish_del(RealserverHost& host, RealserverState& st, std::string& msg, bool dr) {
    std::vector<std::string> skipped;
    Settings restored = restore_unwanted(host, st, &skipped);
    if (st.empty()) {
        host.remove_state();
        if (!restored.empty()) msg += "\nrestored " + settings_text(restored);
    } else {
        store(host, st);
        msg += "\n" + vip_count_text(st);
        if (restored.empty())
            msg += dr ? "; ARP settings kept" : "; settings kept";
        else
            msg += "; restored " + settings_text(restored) + " (no remaining VIP needs them)";
    }
    for (const auto& k : skipped) msg += "\nnot restored: " + k + " (the interface is gone)";
}

}  // namespace

std::string_view decap_name(Decap d) { return d == Decap::Kernel ? "kernel" : "bpf"; }

bool RealserverState::has_vip(const Addr& vip) const {
    return std::find(vips.begin(), vips.end(), vip) != vips.end();
}

const TunVip* RealserverState::find_tun(const Addr& vip) const {
    for (const auto& t : tun_vips)
        if (t.vip == vip) return &t;
    return nullptr;
}

Settings wanted_settings(const RealserverState& st) {
    Settings out;
    auto want = [&](const std::string& k, const std::string& v) {
        if (!has_key(out, k)) out.emplace_back(k, v);
    };
    const bool bpf = !bpf_vips(st).empty();
    if (!st.vips.empty() || bpf)
        for (const auto& s : kArpSettings) want(s.key, s.value);
    if (has_kernel_vips(st)) {
        want("tunl0/arp_ignore", "1");
        want("tunl0/arp_announce", "2");
        want("all/arp_ignore", "1");
        want("all/arp_announce", "2");
        want("tunl0/rp_filter", "0");
        want("all/rp_filter", "0");
    }
    if (bpf) {
        want("all/rp_filter", "0");
        for (const auto& d : st.decap_devs) want(d + "/rp_filter", "0");
    }
    return out;
}

std::string format_state(const RealserverState& st) {
    std::ostringstream out;
    out << "# lvs-xdp realserver state: VIPs, what was set up for them, and the sysctls to restore\n";
    out << "netns_cookie " << st.netns_cookie << "\n";
    for (const auto& v : st.vips) out << "vip " << vip_text(v) << "\n";
    for (const auto& t : st.tun_vips) {
        out << "tun_vip " << vip_text(t.vip) << " " << decap_name(t.decap);
        for (uint16_t p : t.gue_ports) out << " " << p;
        out << "\n";
    }
    for (const auto& d : st.decap_devs) out << "decap_dev " << d << "\n";
    if (!st.decap_pin_dir.empty()) out << "decap_pin_dir " << st.decap_pin_dir << "\n";
    if (st.tunl0_created) out << "tunl0_created\n";
    if (st.tunl0_was_down) out << "tunl0_was_down\n";
    for (const auto& [k, v] : st.saved) out << "saved " << k << " " << v << "\n";
    return out.str();
}

RealserverState parse_state(std::string_view text) {
    RealserverState st;
    std::istringstream in{std::string(text)};
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        std::istringstream ls(line);
        std::string kw;
        ls >> kw;
        if (kw.empty() || kw[0] == '#') continue;
        std::vector<std::string> args;
        for (std::string w; ls >> w;) args.push_back(w);
        auto bad = [&]() { return UserError("corrupt realserver state at line " + std::to_string(lineno) + ": '" + line + "'"); };
        auto vip_arg = [&]() {
            auto v = vip_parse(args.empty() ? "" : args[0]);
            if (!v) throw bad();
            return *v;
        };
        if (kw == "netns_cookie") {
            if (args.size() != 1 || !all_digits(args[0])) throw bad();
            try {
                st.netns_cookie = std::stoull(args[0]);
            } catch (const std::exception&) {
                throw bad();
            }
        } else if (kw == "vip") {
            if (args.size() != 1) throw bad();
            Addr v = vip_arg();
            if (st.find_tun(v)) throw bad();
            if (!st.has_vip(v)) st.vips.push_back(v);
        } else if (kw == "tun_vip") {
            if (args.size() < 2) throw bad();
            TunVip t;
            t.vip = vip_arg();
            if (st.has_vip(t.vip) || st.find_tun(t.vip)) throw bad();
            if (args[1] == "bpf")
                t.decap = Decap::Bpf;
            else if (args[1] == "kernel" && args.size() == 2)
                t.decap = Decap::Kernel;
            else
                throw bad();
            for (size_t i = 2; i < args.size(); ++i) {
                if (!all_digits(args[i]) || args[i].size() > 5) throw bad();
                unsigned long p = std::stoul(args[i]);
                if (p == 0 || p > 65535) throw bad();
                t.gue_ports.push_back(static_cast<uint16_t>(p));
            }
            st.tun_vips.push_back(t);
        } else if (kw == "decap_dev") {
            if (args.size() != 1 || !iface_name_ok(args[0])) throw bad();
            if (std::find(st.decap_devs.begin(), st.decap_devs.end(), args[0]) == st.decap_devs.end())
                st.decap_devs.push_back(args[0]);
        } else if (kw == "decap_pin_dir") {
            // The rest of the line: a path may hold spaces.
            auto at = line.find("decap_pin_dir") + std::string("decap_pin_dir").size();
            std::string path = line.substr(at);
            path.erase(0, path.find_first_not_of(" \t"));
            while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back()))) path.pop_back();
            if (path.empty() || path[0] != '/') throw bad();
            st.decap_pin_dir = path;
        } else if (kw == "tunl0_created" || kw == "tunl0_was_down") {
            if (!args.empty()) throw bad();
            (kw == "tunl0_created" ? st.tunl0_created : st.tunl0_was_down) = true;
        } else if (kw == "saved") {
            if (args.size() != 2 || !known_setting(args[0]) || !all_digits(args[1])) throw bad();
            if (!has_key(st.saved, args[0])) st.saved.emplace_back(args[0], args[1]);
        } else {
            throw bad();
        }
    }
    return st;
}

// ---- DR -------------------------------------------------------------------------

std::string realserver_add(RealserverHost& host, const Addr& vip) {
    check_vip(vip);
    const std::string v = vip_text(vip);
    const RealserverState old = load(host);
    RealserverState st = old;
    if (st.find_tun(vip))
        throw UserError(v + " is set up as a TUN VIP; remove it first with: lvs-xdp realserver del " + v + " --tun");
    const bool in_state = st.has_vip(vip);
    if (!in_state) st.vips.push_back(vip);
    const Settings wanted = wanted_settings(st);
    const Settings newly = save_new(host, st, wanted);
    const bool present = host.has_vip(vip);

    // Record first, then change: a crash in between leaves a state that del
    // can still undo. On failure put the old state and sysctls back.
    store(host, st);
    try {
        write_settings(host, wanted);
        if (!present) host.add_vip(vip);
    } catch (...) {
        try {
            write_settings(host, newly);
            put_back(host, old);
        } catch (...) {
        }
        throw;
    }

    std::string msg;
    if (in_state && present)
        msg = v + " is already configured on lo (nothing to do)";
    else if (in_state)
        msg = "re-added " + v + "/32 to lo (it had been removed)";
    else if (present)
        msg = v + " was already on lo; lvs-xdp now manages it";
    else
        msg = "added " + v + "/32 to lo";
    if (!newly.empty())
        msg += "\nset arp_ignore=1, arp_announce=2 on lo and all (saved for restore: " + settings_text(st.saved) + ")";
    return msg;
}

std::string realserver_del(RealserverHost& host, const Addr& vip) {
    check_vip(vip);
    RealserverState st = load(host);
    const std::string v = vip_text(vip);
    if (!st.has_vip(vip)) {
        if (st.find_tun(vip))
            throw UserError(v + " is set up as a TUN VIP: remove it with lvs-xdp realserver del " + v + " --tun");
        std::string why = v + " is not configured as a real-server VIP";
        if (host.has_vip(vip)) why += " (it is on lo, but was not added by lvs-xdp realserver add)";
        throw UserError(why);
    }
    if (host.has_vip(vip)) host.del_vip(vip);
    st.vips.erase(std::remove(st.vips.begin(), st.vips.end(), vip), st.vips.end());
    std::string msg = "removed " + v + "/32 from lo";
    finish_del(host, st, msg, true);
    return msg;
}

// ---- TUN ------------------------------------------------------------------------

std::string realserver_tun_add(RealserverHost& host, TunHost& tun, const Addr& vip, const TunOptions& opts) {
    check_vip(vip);
    const std::string v = vip_text(vip);
    std::vector<uint16_t> ports = opts.gue_ports;
    for (uint16_t p : ports)
        if (p == 0) throw UserError("--gue-port: 0 is not a port");
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());

    const RealserverState old = load(host);
    RealserverState st = old;
    if (st.has_vip(vip))
        throw UserError(v + " is set up as a DR VIP; remove it first with: lvs-xdp realserver del " + v);
    const TunVip* existing = st.find_tun(vip);

    // ---- which decapsulation ----
    std::optional<Decap> decap = existing ? std::optional(existing->decap) : opts.decap;
    std::string why;
    if (existing) {
        if (opts.decap && *opts.decap != existing->decap)
            throw UserError(v + " is already set up with " + std::string(decap_name(existing->decap)) +
                            " decapsulation; remove it first (lvs-xdp realserver del " + v + " --tun) to change that");
        why = "as set up before";
    } else if (opts.decap) {
        why = "chosen with --decap";
    } else if (!ports.empty()) {
        decap = Decap::Bpf;
        why = "GUE (--gue-port) needs it: lvs-xdp does not set up the kernel's fou receiver";
    }
    if (decap == Decap::Kernel && !ports.empty())
        throw UserError("--gue-port needs --decap bpf: kernel decapsulation here is tunl0, which takes IPIP only");
    bool created_tunl0 = false;
    if (decap != Decap::Bpf) {  // kernel, or not decided yet
        TunHost::Create made = TunHost::Create::Exists;
        if (!tun.tunl0_exists()) made = tun.tunl0_create();
        if (made == TunHost::Create::Unsupported) {
            if (decap == Decap::Kernel)
                throw UserError("kernel decapsulation is not possible: this kernel has no ipip tunnel device "
                                "(there is no tunl0 and `ip link add type ipip` is refused); use --decap bpf");
            decap = Decap::Bpf;
            why = "this kernel has no ipip tunnel device (no tunl0, and `ip link add type ipip` is refused)";
        } else {
            created_tunl0 = made == TunHost::Create::Created;
            if (!decap) why = "the kernel has an ipip tunnel device";
            decap = Decap::Kernel;
        }
    }

    std::vector<std::string> report;
    report.push_back(v + ": " + std::string(decap_name(*decap)) + " decapsulation" +
                     (*decap == Decap::Kernel ? " (tunl0)" : " (lvs-xdp's rs_decap XDP program)") + ": " + why);
    Undo undo;
    auto fail = [&]() {
        undo.run();
        try {
            put_back(host, old);
        } catch (...) {
        }
    };

    if (*decap == Decap::Kernel) {
        if (!opts.devs.empty()) report.push_back("--dev ignored: tunl0 takes IPIP from every interface");
        if (created_tunl0) {
            st.tunl0_created = true;
            undo.push([&tun] { tun.tunl0_delete(); });
            report.push_back("created tunl0 (ip link add tunl0 type ipip)");
        }
        if (!existing) st.tun_vips.push_back({vip, Decap::Kernel, {}});
        try {
            const bool was_down = !tun.tunl0_is_up();
            if (was_down && !has_kernel_vips(old)) st.tunl0_was_down = true;
            const Settings wanted = wanted_settings(st);
            const Settings newly = save_new(host, st, wanted);
            const bool present = tun.tunl0_has_vip(vip);
            store(host, st);
            if (was_down) {
                tun.tunl0_set_up(true);
                undo.push([&tun] { tun.tunl0_set_up(false); });
                report.push_back("set tunl0 up");
            }
            undo_settings(undo, host, newly);
            write_settings(host, wanted);
            if (!present) {
                tun.tunl0_add_vip(vip);
                undo.push([&tun, vip] { tun.tunl0_del_vip(vip); });
                report.push_back("added " + v + "/32 to tunl0");
            } else {
                report.push_back(v + " is on tunl0 already");
            }
            if (!newly.empty()) report.push_back("set " + settings_text(wanted) + " (saved for restore: " + settings_text(newly) + ")");
        } catch (...) {
            fail();
            throw;
        }
    } else {
        // ---- rs_decap ----
        std::vector<std::string> devs;
        for (const auto& d : opts.devs.empty() ? tun.default_devices() : opts.devs)
            if (std::find(devs.begin(), devs.end(), d) == devs.end()) devs.push_back(d);
        if (devs.empty())
            throw UserError("no interface is up to attach the decapsulating XDP program to; name one with --dev IFACE");
        for (const auto& d : devs) tun.check_device(d);
        const bool had_bpf = !bpf_vips(old).empty();
        if (!had_bpf || st.decap_pin_dir.empty()) st.decap_pin_dir = opts.pin_dir;
        const std::string pin_dir = st.decap_pin_dir;
        if (existing) {
            for (auto& t : st.tun_vips)
                if (t.vip == vip)
                    for (uint16_t p : ports)
                        if (std::find(t.gue_ports.begin(), t.gue_ports.end(), p) == t.gue_ports.end()) t.gue_ports.push_back(p);
        } else {
            st.tun_vips.push_back({vip, Decap::Bpf, ports});
        }
        for (const auto& d : devs)
            if (std::find(st.decap_devs.begin(), st.decap_devs.end(), d) == st.decap_devs.end()) st.decap_devs.push_back(d);
        try {
            const Settings wanted = wanted_settings(st);
            const Settings newly = save_new(host, st, wanted);
            const bool present = host.has_vip(vip);
            store(host, st);
            undo_settings(undo, host, newly);
            write_settings(host, wanted);
            if (!present) {
                host.add_vip(vip);
                undo.push([&host, vip] { host.del_vip(vip); });
                report.push_back("added " + v + "/32 to lo");
            } else {
                report.push_back(v + " is on lo already");
            }
            const std::vector<Addr> old_vips = bpf_vips(old);
            const std::vector<uint16_t> old_ports = bpf_ports(old);
            undo.push([&tun, pin_dir, old_vips, old_ports, had_bpf] {
                if (had_bpf)
                    tun.decap_set(pin_dir, old_vips, old_ports);
                else
                    tun.decap_unpin(pin_dir);
            });
            const std::vector<uint16_t> all_ports = bpf_ports(st);
            tun.decap_set(pin_dir, bpf_vips(st), all_ports);
            report.push_back("rs_decap unwraps IPIP, GRE" + std::string(all_ports.empty() ? "" : " and GUE on UDP port(s) " + ports_text(all_ports)) +
                             " for " + std::to_string(bpf_vips(st).size()) + " VIP(s); maps pinned in " + pin_dir);
            for (const auto& d : devs) {
                if (auto mode = tun.decap_attach(pin_dir, d)) {
                    undo.push([&tun, d] { tun.decap_detach(d); });
                    report.push_back("attached rs_decap to " + d + " (" + *mode + ")");
                } else {
                    report.push_back("rs_decap is attached to " + d + " already");
                }
            }
            if (!newly.empty()) report.push_back("set " + settings_text(wanted) + " (saved for restore: " + settings_text(newly) + ")");
        } catch (...) {
            fail();
            throw;
        }
    }
    std::string msg;
    for (const auto& line : report) msg += (msg.empty() ? "" : "\n") + line;
    return msg;
}

std::string realserver_tun_del(RealserverHost& host, TunHost& tun, const Addr& vip) {
    check_vip(vip);
    RealserverState st = load(host);
    const std::string v = vip_text(vip);
    const TunVip* found = st.find_tun(vip);
    if (!found) {
        if (st.has_vip(vip))
            throw UserError(v + " is set up as a DR VIP: remove it with lvs-xdp realserver del " + v + " (without --tun)");
        throw UserError(v + " is not configured as a TUN real-server VIP");
    }
    const TunVip gone = *found;
    st.tun_vips.erase(std::remove(st.tun_vips.begin(), st.tun_vips.end(), gone), st.tun_vips.end());
    std::string msg;
    auto say = [&](const std::string& line) { msg += (msg.empty() ? "" : "\n") + line; };

    if (gone.decap == Decap::Bpf) {
        if (bpf_vips(st).empty()) {
            for (const auto& d : st.decap_devs)
                if (tun.decap_detach(d)) say("detached rs_decap from " + d);
            if (!st.decap_pin_dir.empty()) {
                tun.decap_unpin(st.decap_pin_dir);
                say("removed rs_decap's maps from " + st.decap_pin_dir);
            }
            st.decap_devs.clear();
            st.decap_pin_dir.clear();
        } else {
            tun.decap_set(st.decap_pin_dir, bpf_vips(st), bpf_ports(st));
            say("removed " + v + " from rs_decap's VIPs; it stays attached for the other " +
                std::to_string(bpf_vips(st).size()) + " VIP(s)");
        }
        if (host.has_vip(vip)) {
            host.del_vip(vip);
            say("removed " + v + "/32 from lo");
        }
    } else {
        if (tun.tunl0_exists() && tun.tunl0_has_vip(vip)) {
            tun.tunl0_del_vip(vip);
            say("removed " + v + "/32 from tunl0");
        }
    }
    // Settings before tunl0 goes: its own are restored while it exists.
    std::vector<std::string> skipped;
    Settings restored = restore_unwanted(host, st, &skipped);
    if (!has_kernel_vips(st) && (st.tunl0_created || st.tunl0_was_down)) {
        if (tun.tunl0_exists()) {
            if (st.tunl0_created) {
                tun.tunl0_delete();
                say("removed tunl0 (realserver add had created it)");
            } else {
                tun.tunl0_set_up(false);
                say("set tunl0 down again");
            }
        }
        st.tunl0_created = st.tunl0_was_down = false;
    }
    if (st.empty()) {
        host.remove_state();
        if (!restored.empty()) say("restored " + settings_text(restored));
    } else {
        store(host, st);
        say(vip_count_text(st) + (restored.empty() ? "; settings kept" : "; restored " + settings_text(restored) + " (no remaining VIP needs them)"));
    }
    for (const auto& k : skipped) say("not restored: " + k + " (the interface is gone)");
    return msg;
}

// ---- list -----------------------------------------------------------------------

std::string realserver_status(RealserverHost& host, TunHost* tun) {
    RealserverState st = load(host);
    std::ostringstream out;
    if (st.empty()) {
        out << "No real-server VIPs configured.\n";
    } else if (!st.vips.empty()) {
        out << "Real-server VIPs on lo:\n";
        for (const auto& v : st.vips) {
            out << "  " << vip_text(v) << "/32";
            if (!host.has_vip(v)) out << "  (missing from lo: run realserver add again)";
            out << "\n";
        }
    }
    if (!st.tun_vips.empty()) {
        out << "TUN VIPs:\n";
        for (const auto& t : st.tun_vips) {
            out << "  " << vip_text(t.vip) << "/32  decap " << decap_name(t.decap);
            if (t.decap == Decap::Kernel) {
                out << " (on tunl0)";
                if (tun && !(tun->tunl0_exists() && tun->tunl0_has_vip(t.vip)))
                    out << "  (missing from tunl0: run realserver add --tun again)";
            } else {
                out << " (on lo)";
                if (!t.gue_ports.empty()) out << ", GUE port(s) " << ports_text(t.gue_ports);
                if (!host.has_vip(t.vip)) out << "  (missing from lo: run realserver add --tun again)";
            }
            out << "\n";
        }
        if (!bpf_vips(st).empty()) {
            out << "rs_decap (maps in " << st.decap_pin_dir << "):";
            for (const auto& d : st.decap_devs) out << " " << d << " (" << (tun ? tun->decap_where(d) : "?") << ")";
            out << "\n";
        }
    }
    out << "ARP settings (net.ipv4.conf):\n";
    const Settings wanted = wanted_settings(st);
    auto show = [&](const std::string& key, const std::string& expected) {
        auto slash = key.find('/');
        std::string now;
        try {
            now = host.read_sysctl(key);
        } catch (const UserError&) {
            now = "(unavailable)";
        }
        out << "  " << key.substr(0, slash) << "." << key.substr(slash + 1) << " = " << now;
        if (!expected.empty() && now != expected) out << "  (expected " << expected << ")";
        out << "\n";
    };
    for (const auto& s : kArpSettings) {
        std::string expected;
        for (const auto& [k, val] : wanted)
            if (k == s.key) expected = val;
        show(s.key, expected);
    }
    bool header = false;
    for (const auto& [k, val] : wanted) {
        if (std::any_of(std::begin(kArpSettings), std::end(kArpSettings), [&](const ArpSetting& s) { return k == s.key; }))
            continue;
        if (!header) out << "Tunnel settings (net.ipv4.conf):\n";
        header = true;
        show(k, val);
    }
    if (!st.saved.empty()) out << "Saved for restore: " << settings_text(st.saved) << "\n";
    std::string text = out.str();
    text.pop_back();
    return text;
}

}  // namespace lvs
