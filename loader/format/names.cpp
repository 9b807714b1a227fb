#include "format/names.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>

#include "cli/command.h"

namespace lvs {
namespace {

// ipvsadm uses the reverse-lookup (hosts file or DNS) name, else the number.
std::string host_name(const Addr& a) {
    sockaddr_storage ss{};
    socklen_t len;
    if (a.is_v6()) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        std::copy(a.bytes.begin(), a.bytes.end(), sin6->sin6_addr.s6_addr);
        len = sizeof *sin6;
    } else {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        std::copy(a.bytes.begin(), a.bytes.begin() + 4, reinterpret_cast<uint8_t*>(&sin->sin_addr));
        len = sizeof *sin;
    }
    char host[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) == 0)
        return host;
    return a.str();
}

std::string port_name(uint16_t port, Proto proto) {
    servent entry;
    servent* found = nullptr;
    char buf[1024];
    getservbyport_r(htons(port), proto == Proto::Tcp ? "tcp" : "udp", &entry, buf, sizeof buf, &found);
    return found ? found->s_name : std::to_string(port);
}

}  // namespace

std::string addrport_text(const Addr& addr, uint16_t port, Proto proto, bool numeric) {
    if (numeric)
        return endpoint_str(addr, port);
    const std::string host = host_name(addr);
    // ipvsadm formats into a 60-byte buffer, so long names are cut at 59.
    return ((addr.is_v6() ? "[" + host + "]" : host) + ":" + port_name(port, proto)).substr(0, 59);
}

std::string netmask_text(const Service& svc) {
    const bool v6 = svc.key.addr.is_v6();
    if (svc.netmask == (v6 ? 128u : 32u))
        return "";
    if (v6)
        return std::to_string(svc.netmask);
    const uint32_t mask = svc.netmask == 0 ? 0 : ~uint32_t{0} << (32 - svc.netmask);
    in_addr a{htonl(mask)};
    char buf[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a, buf, sizeof buf);
}

std::string sched_flags_text(const Service& svc) {
    static constexpr uint32_t kBits[] = {LVS_SVC_F_SCHED1, LVS_SVC_F_SCHED2, LVS_SVC_F_SCHED3};
    static constexpr const char* kGeneric[] = {"flag-1", "flag-2", "flag-3"};
    static constexpr const char* kShMh[] = {"-fallback", "-port", nullptr};
    const bool named = svc.sched == "sh" || svc.sched == "mh";
    std::string out;
    for (int i = 0; i < 3; ++i) {
        if (!(svc.flags & kBits[i]))
            continue;
        std::string name = named ? (kShMh[i] ? svc.sched + kShMh[i] : "") : kGeneric[i];
        if (name.empty())
            continue;
        out += (out.empty() ? "" : ",") + name;
    }
    return out;
}

const char* fwd_name(const Dest& d) {
    switch (d.fwd) {
    case Fwd::Masq: return d.fullnat ? "FullNat" : "Masq";
    case Fwd::Local: return "Local";
    case Fwd::Tunnel: return "Tunnel";
    case Fwd::Route: return "Route";
    }
    return "(null)";  // what ipvsadm's printf shows for an unknown method
}

std::string tunnel_info(const Dest& d) {
    if (d.fwd != Fwd::Tunnel)
        return "n/a";
    static constexpr const char* kCsumText[] = {"-c", "+c", "r+c"};  // by TunCsum
    const std::string type(tun_type_name(d.tun_type));
    const std::string csum = kCsumText[static_cast<size_t>(d.tun_csum)];
    switch (d.tun_type) {
    case TunType::Ipip: return type;
    case TunType::Gue: return type + ":" + std::to_string(d.tun_port) + ":" + csum;
    case TunType::Gre: return type + ":" + csum;
    }
    return "n/a";
}

}  // namespace lvs
