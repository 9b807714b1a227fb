#include "store/sysctls.h"

#include <charconv>

#include "error.h"
#include "store/settings.h"

namespace lvs {
namespace {

constexpr const char* kPrefix = "net.ipv4.vs.";
// IPVS keeps the expirations as int jiffies (proc_dointvec_jiffies); at
// HZ 1000 that holds about 24 days.
constexpr uint32_t kMaxExpiration = 2147483;

uint32_t parse_number(const std::string& name, const std::string& text, uint32_t lo, uint32_t hi) {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
        throw UserError(name + ": invalid value '" + text + "' (" + std::to_string(lo) + " to " + std::to_string(hi) +
                        ")");
    return v;
}

}  // namespace

const std::vector<std::string>& sysctl_names() {
    static const std::vector<std::string> names = {"conn_reuse_mode", "expire_nodest_conn", "lblc_expiration",
                                                   "lblcr_expiration"};
    return names;
}

std::string sysctl_name(const std::string& text) {
    std::string name = text.rfind(kPrefix, 0) == 0 ? text.substr(std::string(kPrefix).size()) : text;
    for (const std::string& n : sysctl_names())
        if (n == name)
            return name;
    std::string known;
    for (const std::string& n : sysctl_names())
        known += (known.empty() ? "" : ", ") + n;
    throw UserError("unknown sysctl '" + text + "' (lvs-xdp has " + known + ")");
}

SysctlSetting parse_sysctl_assignment(const std::string& text) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos)
        throw UserError("'" + text + "' is not NAME=VALUE");
    const std::string name = sysctl_name(text.substr(0, eq));
    const std::string value = text.substr(eq + 1);
    if (name == "expire_nodest_conn")
        return {name, parse_number(name, value, 0, 1)};
    if (name == "conn_reuse_mode")
        return {name, parse_number(name, value, 0, 3)};  // IPVS's bitmap: bits 1 and 2
    return {name, parse_number(name, value, 1, kMaxExpiration)};
}

uint32_t sysctl_value(const lvs_config& c, const std::string& name) {
    if (name == "expire_nodest_conn")
        return c.flags & LVS_CFG_F_EXPIRE_NODEST ? 1 : 0;
    if (name == "conn_reuse_mode")
        return (c.flags & LVS_CFG_F_REUSE_OFF ? 0 : 1) | (c.flags & LVS_CFG_F_REUSE_FIN_WAIT ? 2 : 0);
    // 0: maps from before the setting existed, which use IPVS's default.
    const uint32_t v = name == "lblc_expiration" ? c.lblc_expiration : c.lblcr_expiration;
    return v ? v : kDefaultLblcExpiration;
}

void set_sysctl(lvs_config& c, const SysctlSetting& s) {
    auto set_flag = [&](uint32_t flag, bool on) { c.flags = on ? c.flags | flag : c.flags & ~flag; };
    if (s.name == "expire_nodest_conn") {
        set_flag(LVS_CFG_F_EXPIRE_NODEST, s.value);
    } else if (s.name == "conn_reuse_mode") {
        set_flag(LVS_CFG_F_REUSE_OFF, !(s.value & 1));
        set_flag(LVS_CFG_F_REUSE_FIN_WAIT, s.value & 2);
    } else if (s.name == "lblc_expiration") {
        c.lblc_expiration = s.value;
    } else {
        c.lblcr_expiration = s.value;
    }
}

std::string sysctl_line(const lvs_config& c, const std::string& name) {
    return kPrefix + name + " = " + std::to_string(sysctl_value(c, name));
}

}  // namespace lvs
