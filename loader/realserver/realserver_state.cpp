#include "realserver/realserver_state.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "error.h"

namespace lvs {
namespace {

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

std::string settings_text(const std::vector<std::pair<std::string, std::string>>& values) {
    std::string s;
    for (const auto& [k, v] : values) {
        if (!s.empty()) s += ", ";
        s += k + "=" + v;
    }
    return s;
}

void restore_sysctls(RealserverHost& host, const RealserverState& st) {
    for (const auto& [k, v] : st.saved) host.write_sysctl(k, v);
}

}  // namespace

bool RealserverState::has_vip(const Addr& vip) const {
    return std::find(vips.begin(), vips.end(), vip) != vips.end();
}

std::string format_state(const RealserverState& st) {
    std::ostringstream out;
    out << "# lvs-xdp realserver state: VIPs on lo and the ARP sysctls to restore\n";
    out << "netns_cookie " << st.netns_cookie << "\n";
    for (const auto& v : st.vips) out << "vip " << vip_text(v) << "\n";
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
        std::string kw, a, b, extra;
        ls >> kw;
        if (kw.empty() || kw[0] == '#') continue;
        ls >> a >> b >> extra;
        auto bad = [&]() { return UserError("corrupt realserver state at line " + std::to_string(lineno) + ": '" + line + "'"); };
        if (kw == "netns_cookie") {
            if (!all_digits(a) || !b.empty()) throw bad();
            try {
                st.netns_cookie = std::stoull(a);
            } catch (const std::exception&) {
                throw bad();
            }
        } else if (kw == "vip") {
            auto v = vip_parse(a);
            if (!v || !b.empty()) throw bad();
            if (!st.has_vip(*v)) st.vips.push_back(*v);
        } else if (kw == "saved") {
            bool known = std::any_of(std::begin(kArpSettings), std::end(kArpSettings),
                                     [&](const ArpSetting& s) { return a == s.key; });
            if (!known || !all_digits(b) || !extra.empty()) throw bad();
            st.saved.emplace_back(a, b);
        } else {
            throw bad();
        }
    }
    return st;
}

std::string realserver_add(RealserverHost& host, const Addr& vip) {
    check_vip(vip);
    const RealserverState old = load(host);
    RealserverState st = old;
    const bool first = st.saved.empty();
    if (first)
        for (const auto& s : kArpSettings) st.saved.emplace_back(s.key, host.read_sysctl(s.key));
    const bool in_state = st.has_vip(vip);
    if (!in_state) st.vips.push_back(vip);
    const bool present = host.has_vip(vip);

    // Record first, then change: a crash in between leaves a state that del
    // can still undo. On failure put the old state and sysctls back.
    store(host, st);
    try {
        for (const auto& s : kArpSettings) host.write_sysctl(s.key, s.value);
        if (!present) host.add_vip(vip);
    } catch (...) {
        try {
            if (first) {
                restore_sysctls(host, st);
                host.remove_state();
            } else {
                store(host, old);
            }
        } catch (...) {
        }
        throw;
    }

    const std::string v = vip_text(vip);
    std::string msg;
    if (in_state && present)
        msg = v + " is already configured on lo (nothing to do)";
    else if (in_state)
        msg = "re-added " + v + "/32 to lo (it had been removed)";
    else if (present)
        msg = v + " was already on lo; lvs-xdp now manages it";
    else
        msg = "added " + v + "/32 to lo";
    if (first)
        msg += "\nset arp_ignore=1, arp_announce=2 on lo and all (saved for restore: " + settings_text(st.saved) + ")";
    return msg;
}

std::string realserver_del(RealserverHost& host, const Addr& vip) {
    check_vip(vip);
    RealserverState st = load(host);
    const std::string v = vip_text(vip);
    if (!st.has_vip(vip)) {
        std::string why = v + " is not configured as a real-server VIP";
        if (host.has_vip(vip)) why += " (it is on lo, but was not added by lvs-xdp realserver add)";
        throw UserError(why);
    }
    if (host.has_vip(vip)) host.del_vip(vip);
    st.vips.erase(std::remove(st.vips.begin(), st.vips.end(), vip), st.vips.end());
    std::string msg = "removed " + v + "/32 from lo";
    if (st.vips.empty()) {
        restore_sysctls(host, st);
        host.remove_state();
        if (!st.saved.empty()) msg += "\nrestored " + settings_text(st.saved);
    } else {
        store(host, st);
        msg += "\n" + std::to_string(st.vips.size()) + " VIP(s) remain; ARP settings kept";
    }
    return msg;
}

std::string realserver_status(RealserverHost& host) {
    RealserverState st = load(host);
    std::ostringstream out;
    if (st.vips.empty()) {
        out << "No real-server VIPs configured.\n";
    } else {
        out << "Real-server VIPs on lo:\n";
        for (const auto& v : st.vips) {
            out << "  " << vip_text(v) << "/32";
            if (!host.has_vip(v)) out << "  (missing from lo: run realserver add again)";
            out << "\n";
        }
    }
    out << "ARP settings (net.ipv4.conf):\n";
    for (const auto& s : kArpSettings) {
        std::string key = s.key;
        auto slash = key.find('/');
        std::string now = host.read_sysctl(key);
        out << "  " << key.substr(0, slash) << "." << key.substr(slash + 1) << " = " << now;
        if (!st.vips.empty() && now != s.value) out << "  (expected " << s.value << ")";
        out << "\n";
    }
    if (!st.saved.empty()) out << "Saved for restore: " << settings_text(st.saved) << "\n";
    std::string text = out.str();
    text.pop_back();
    return text;
}

}  // namespace lvs
