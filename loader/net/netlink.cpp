#include "net/netlink.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

#include "error.h"

namespace lvs {
namespace {

int af_of(const Addr& a) { return a.is_v6() ? AF_INET6 : AF_INET; }
size_t addr_len(const Addr& a) { return a.is_v6() ? 16 : 4; }
int max_prefix(const Addr& a) { return a.is_v6() ? 128 : 32; }

// Formats without Addr::str() so this file stands on its own.
std::string text_of(const Addr& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(af_of(a), a.bytes.data(), buf, sizeof buf)) return "?";
    return buf;
}

Addr addr_from(int family, const void* data, size_t len) {
    Addr a;
    a.family = family == AF_INET6 ? LVS_AF_INET6 : LVS_AF_INET;
    std::memcpy(a.bytes.data(), data, std::min(len, a.bytes.size()));
    return a;
}

std::string iface_label(int ifindex) { return "#" + std::to_string(ifindex); }

// One request under construction: header, fixed body, attributes.
class Request {
public:
    Request(uint16_t type, uint16_t flags) : buf_(NLMSG_HDRLEN, 0) {
        hdr()->nlmsg_type = type;
        hdr()->nlmsg_flags = flags;
    }
    template <class T>
    T* body(const T& value) {
        size_t off = buf_.size();
        buf_.resize(off + NLMSG_ALIGN(sizeof(T)), 0);
        std::memcpy(buf_.data() + off, &value, sizeof(T));
        update_len();
        return reinterpret_cast<T*>(buf_.data() + off);
    }
    void attr(uint16_t type, const void* data, size_t len) {
        size_t off = buf_.size();
        buf_.resize(off + RTA_SPACE(len), 0);
        auto* rta = reinterpret_cast<rtattr*>(buf_.data() + off);
        rta->rta_type = type;
        rta->rta_len = RTA_LENGTH(len);
        if (len) std::memcpy(RTA_DATA(rta), data, len);
        update_len();
    }
    void attr_str(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
    void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof v); }
    void attr_addr(uint16_t type, const Addr& a) { attr(type, a.bytes.data(), addr_len(a)); }
    // A nested attribute: begin_nest() returns its offset for end_nest().
    size_t begin_nest(uint16_t type) {
        size_t off = buf_.size();
        attr(type, nullptr, 0);
        return off;
    }
    void end_nest(size_t off) {
        reinterpret_cast<rtattr*>(buf_.data() + off)->rta_len = static_cast<uint16_t>(buf_.size() - off);
    }

    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    const std::vector<uint8_t>& bytes() const { return buf_; }

private:
    void update_len() { hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size()); }
    std::vector<uint8_t> buf_;
};

struct Failure {
    int error = 0;        // positive errno, 0 on success
    std::string message;  // the kernel's extended-ack text, if any
};

class Socket {
public:
    Socket() {
        fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd_ < 0) throw UserError(std::string("netlink socket: ") + std::strerror(errno));
        int one = 1;
        // Best effort: both only make error replies shorter and clearer.
        setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
        setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
            int e = errno;
            close(fd_);
            throw UserError(std::string("netlink bind: ") + std::strerror(e));
        }
    }
    ~Socket() { close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // Sends req and hands every reply message (not the final ack / done) to
    // on_msg. Returns the kernel's verdict instead of throwing it, so callers
    // can turn expected errors (ENOENT...) into results.
    Failure transact(Request& req, const std::function<void(const nlmsghdr*)>& on_msg) {
        const bool dump = (req.hdr()->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
        if (!dump) req.hdr()->nlmsg_flags |= NLM_F_ACK;
        req.hdr()->nlmsg_seq = ++seq_;
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        const auto& out = req.bytes();
        if (sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
            throw UserError(std::string("netlink send: ") + std::strerror(errno));

        std::vector<uint8_t> buf(64 * 1024);
        for (;;) {
            iovec iov{buf.data(), buf.size()};
            msghdr mh{};
            mh.msg_iov = &iov;
            mh.msg_iovlen = 1;
            ssize_t n = recvmsg(fd_, &mh, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw UserError(std::string("netlink receive: ") + std::strerror(errno));
            }
            if (mh.msg_flags & MSG_TRUNC) throw UserError("netlink receive: reply truncated");
            int len = static_cast<int>(n);
            for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
                if (nh->nlmsg_seq != seq_) continue;  // stale reply of an earlier request
                if (nh->nlmsg_type == NLMSG_DONE) return {};
                if (nh->nlmsg_type == NLMSG_ERROR) return parse_error(nh);
                on_msg(nh);
            }
        }
    }

private:
    static Failure parse_error(const nlmsghdr* nh) {
        Failure f;
        if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
            f.error = EBADMSG;
            return f;
        }
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(nh));
        f.error = -err->error;
        if (f.error == 0 || !(nh->nlmsg_flags & NLM_F_ACK_TLVS)) return f;
        size_t hlen = sizeof(nlmsgerr);
        if (!(nh->nlmsg_flags & NLM_F_CAPPED)) hlen += err->msg.nlmsg_len - NLMSG_HDRLEN;
        if (NLMSG_LENGTH(hlen) > nh->nlmsg_len) return f;
        int alen = static_cast<int>(nh->nlmsg_len - NLMSG_LENGTH(hlen));
        auto* rta = reinterpret_cast<const rtattr*>(static_cast<const uint8_t*>(NLMSG_DATA(nh)) + hlen);
        for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
            if (rta->rta_type == NLMSGERR_ATTR_MSG) {
                const char* s = static_cast<const char*>(RTA_DATA(rta));
                f.message.assign(s, strnlen(s, RTA_PAYLOAD(rta)));
            }
        }
        return f;
    }

    int fd_ = -1;
    uint32_t seq_ = static_cast<uint32_t>(time(nullptr));
};

std::string describe(const Failure& f) {
    std::string s = std::strerror(f.error);
    if (!f.message.empty()) s += " (" + f.message + ")";
    return s;
}

// Walks the attributes that follow a fixed body of type T in nh.
template <class T>
void for_each_attr(const nlmsghdr* nh, const std::function<void(const rtattr*)>& fn) {
    if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(T))) return;
    int len = static_cast<int>(nh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(T))));
    auto* rta = reinterpret_cast<const rtattr*>(static_cast<const uint8_t*>(NLMSG_DATA(nh)) + NLMSG_ALIGN(sizeof(T)));
    for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) fn(rta);
}

// Walks the attributes nested in rta.
void for_each_nested(const rtattr* rta, const std::function<void(const rtattr*)>& fn) {
    int len = static_cast<int>(RTA_PAYLOAD(rta));
    for (auto* a = static_cast<const rtattr*>(RTA_DATA(rta)); RTA_OK(a, len); a = RTA_NEXT(a, len)) fn(a);
}

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    std::vector<uint8_t> hwaddr;
    uint32_t mtu = 0;
    unsigned flags = 0;
    int lower = 0;        // IFLA_LINK: the device a VLAN device sits on
    bool lower_elsewhere = false;  // IFLA_LINK_NETNSID: lower is another namespace's index
    std::string kind;     // IFLA_INFO_KIND ("vlan", "veth", ...; empty for a plain device)
    uint16_t vlan_id = 0;
    uint16_t vlan_proto = 0;  // ETH_P_8021Q or ETH_P_8021AD, host order
};

// The VLAN attributes of IFLA_INFO_DATA.
void vlan_from(const rtattr* data, LinkInfo& info) {
    for_each_nested(data, [&](const rtattr* a) {
        if (a->rta_type == IFLA_VLAN_ID && RTA_PAYLOAD(a) >= sizeof(uint16_t))
            std::memcpy(&info.vlan_id, RTA_DATA(a), sizeof(uint16_t));
        else if (a->rta_type == IFLA_VLAN_PROTOCOL && RTA_PAYLOAD(a) >= sizeof(uint16_t)) {
            uint16_t be;
            std::memcpy(&be, RTA_DATA(a), sizeof(be));
            info.vlan_proto = ntohs(be);
        }
    });
}

LinkInfo link_from(const nlmsghdr* nh) {
    LinkInfo info;
    const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(nh));
    info.ifindex = ifi->ifi_index;
    info.flags = ifi->ifi_flags;
    for_each_attr<ifinfomsg>(nh, [&](const rtattr* rta) {
        const auto* data = static_cast<const uint8_t*>(RTA_DATA(rta));
        if (rta->rta_type == IFLA_IFNAME)
            info.name.assign(reinterpret_cast<const char*>(data), strnlen(reinterpret_cast<const char*>(data), RTA_PAYLOAD(rta)));
        else if (rta->rta_type == IFLA_ADDRESS)
            info.hwaddr.assign(data, data + RTA_PAYLOAD(rta));
        else if (rta->rta_type == IFLA_MTU && RTA_PAYLOAD(rta) >= sizeof(uint32_t))
            info.mtu = *reinterpret_cast<const uint32_t*>(data);
        else if (rta->rta_type == IFLA_LINK && RTA_PAYLOAD(rta) >= sizeof(uint32_t))
            info.lower = *reinterpret_cast<const int32_t*>(data);
        else if (rta->rta_type == IFLA_LINK_NETNSID)
            info.lower_elsewhere = true;
        else if (rta->rta_type == IFLA_LINKINFO)
            for_each_nested(rta, [&](const rtattr* a) {
                if (a->rta_type == IFLA_INFO_KIND)
                    info.kind.assign(static_cast<const char*>(RTA_DATA(a)),
                                     strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a)));
                else if (a->rta_type == IFLA_INFO_DATA)
                    vlan_from(a, info);  // meant only when the kind is "vlan" (vlan_link)
            });
    });
    return info;
}

// A link request whose ifinfomsg names ifindex (0: none) and sets the
// interface flags in change to those in flags.
Request link_request(uint16_t type, uint16_t nl_flags, int ifindex, unsigned flags = 0, unsigned change = 0) {
    Request req(type, nl_flags);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    ifi.ifi_flags = flags;
    ifi.ifi_change = change;
    req.body(ifi);
    return req;
}

// RTM_GETLINK by name (ifindex 0) or by index; nullopt when there is no such link.
std::optional<LinkInfo> get_link(int ifindex, const std::string& name) {
    Socket sock;
    Request req = link_request(RTM_GETLINK, NLM_F_REQUEST, ifindex);
    if (ifindex == 0) req.attr_str(IFLA_IFNAME, name);
    req.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    LinkInfo info;
    Failure f = sock.transact(req, [&](const nlmsghdr* nh) {
        if (nh->nlmsg_type == RTM_NEWLINK) info = link_from(nh);
    });
    if (f.error == ENODEV || f.error == ENOENT) return std::nullopt;
    if (f.error) {
        std::string who = ifindex ? iface_label(ifindex) : name;
        throw UserError("cannot look up interface " + who + ": " + describe(f));
    }
    if (info.ifindex == 0) return std::nullopt;
    return info;
}

std::optional<VlanLink> vlan_link(const LinkInfo& info) {
    if (info.kind != "vlan" || info.lower <= 0 || info.lower_elsewhere)
        return std::nullopt;
    return VlanLink{.lower = info.lower, .id = info.vlan_id, .proto = info.vlan_proto};
}

LinkInfo link_or_throw(int ifindex) {
    if (ifindex <= 0) throw UserError("no such interface: " + iface_label(ifindex));
    auto info = get_link(ifindex, "");
    if (!info) throw UserError("no such interface: " + iface_label(ifindex));
    return *info;
}

void check_prefix(const Addr& a, int prefixlen) {
    if (prefixlen < 0 || prefixlen > max_prefix(a))
        throw UserError("invalid prefix length " + std::to_string(prefixlen) + " for " + text_of(a));
}

struct NeighEntry {
    uint16_t state = 0;
    std::optional<Mac> mac;
};

std::optional<NeighEntry> get_neigh(int ifindex, const Addr& a) {
    Socket sock;
    Request req(RTM_GETNEIGH, NLM_F_REQUEST);
    ndmsg ndm{};
    ndm.ndm_family = static_cast<uint8_t>(af_of(a));
    ndm.ndm_ifindex = ifindex;
    req.body(ndm);
    req.attr_addr(NDA_DST, a);
    NeighEntry entry;
    bool found = false;
    Failure f = sock.transact(req, [&](const nlmsghdr* nh) {
        if (nh->nlmsg_type != RTM_NEWNEIGH) return;
        found = true;
        entry.state = static_cast<const ndmsg*>(NLMSG_DATA(nh))->ndm_state;
        for_each_attr<ndmsg>(nh, [&](const rtattr* rta) {
            if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
                Mac m;
                std::memcpy(m.data(), RTA_DATA(rta), 6);
                entry.mac = m;
            }
        });
    });
    if (f.error == ENOENT) return std::nullopt;
    if (f.error == ENODEV) throw UserError("no such interface: " + iface_label(ifindex));
    if (f.error) throw UserError("cannot look up neighbour " + text_of(a) + ": " + describe(f));
    if (!found) return std::nullopt;
    return entry;
}

}  // namespace

int ifindex_of(const std::string& name) {
    if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos)
        throw UserError("no such interface: " + name);
    auto info = get_link(0, name);
    if (!info) throw UserError("no such interface: " + name);
    return info->ifindex;
}

std::string ifname_of(int ifindex) { return link_or_throw(ifindex).name; }

uint32_t iface_mtu(int ifindex) { return link_or_throw(ifindex).mtu; }

unsigned iface_flags(int ifindex) { return link_or_throw(ifindex).flags; }

std::optional<int> find_ifindex(const std::string& name) {
    if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) return std::nullopt;
    auto info = get_link(0, name);
    if (!info) return std::nullopt;
    return info->ifindex;
}

std::vector<LinkSummary> list_links() {
    Socket sock;
    Request req = link_request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0);
    req.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    std::vector<LinkSummary> out;
    Failure f = sock.transact(req, [&](const nlmsghdr* nh) {
        if (nh->nlmsg_type != RTM_NEWLINK) return;
        LinkInfo info = link_from(nh);
        out.push_back({info.ifindex, info.name, info.flags});
    });
    if (f.error) throw UserError("cannot list interfaces: " + describe(f));
    std::sort(out.begin(), out.end(), [](const LinkSummary& a, const LinkSummary& b) { return a.ifindex < b.ifindex; });
    return out;
}

LinkCreated create_link(const std::string& name, const std::string& kind) {
    if (name.empty() || name.size() >= IFNAMSIZ) throw UserError("invalid interface name: " + name);
    Socket sock;
    Request req = link_request(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, 0);
    req.attr_str(IFLA_IFNAME, name);
    size_t info = req.begin_nest(IFLA_LINKINFO);
    req.attr(IFLA_INFO_KIND, kind.data(), kind.size());
    req.end_nest(info);
    Failure f = sock.transact(req, [](const nlmsghdr*) {});
    if (f.error == 0) return LinkCreated::Created;
    if (f.error == EEXIST) return LinkCreated::Exists;
    // rtnl_newlink answers EOPNOTSUPP ("Unknown device type") when no module
    // provides the kind.
    if (f.error == EOPNOTSUPP) return LinkCreated::Unsupported;
    throw UserError("cannot create " + kind + " interface " + name + ": " + describe(f));
}

void delete_link(int ifindex) {
    Socket sock;
    Request req = link_request(RTM_DELLINK, NLM_F_REQUEST, ifindex);
    Failure f = sock.transact(req, [](const nlmsghdr*) {});
    if (f.error == ENODEV) throw UserError("no such interface: " + iface_label(ifindex));
    if (f.error) throw UserError("cannot remove interface " + iface_label(ifindex) + ": " + describe(f));
}

void set_link_up(int ifindex, bool up) {
    Socket sock;
    Request req = link_request(RTM_NEWLINK, NLM_F_REQUEST, ifindex, up ? IFF_UP : 0, IFF_UP);
    Failure f = sock.transact(req, [](const nlmsghdr*) {});
    if (f.error == ENODEV) throw UserError("no such interface: " + iface_label(ifindex));
    if (f.error)
        throw UserError("cannot set interface " + iface_label(ifindex) + (up ? " up: " : " down: ") + describe(f));
}

Mac iface_mac(int ifindex) {
    LinkInfo info = link_or_throw(ifindex);
    if (info.hwaddr.size() != 6) throw UserError("interface " + info.name + " has no Ethernet address");
    Mac m;
    std::memcpy(m.data(), info.hwaddr.data(), 6);
    return m;
}

std::optional<VlanLink> vlan_of_message(const nlmsghdr* nh) { return vlan_link(link_from(nh)); }

std::optional<VlanLink> vlan_of(int ifindex) { return vlan_link(link_or_throw(ifindex)); }

std::vector<InterfaceAddress> addresses_of(int ifindex, int family) {
    Socket sock;
    Request req(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(family == LVS_AF_INET6 ? AF_INET6 : AF_INET);
    req.body(ifa);
    std::vector<InterfaceAddress> out;
    Failure f = sock.transact(req, [&](const nlmsghdr* nh) {
        if (nh->nlmsg_type != RTM_NEWADDR) return;
        const auto* m = static_cast<const ifaddrmsg*>(NLMSG_DATA(nh));
        if (static_cast<int>(m->ifa_index) != ifindex || m->ifa_family != ifa.ifa_family) return;
        std::optional<Addr> local, address;
        for_each_attr<ifaddrmsg>(nh, [&](const rtattr* rta) {
            if (rta->rta_type == IFA_LOCAL) local = addr_from(m->ifa_family, RTA_DATA(rta), RTA_PAYLOAD(rta));
            if (rta->rta_type == IFA_ADDRESS) address = addr_from(m->ifa_family, RTA_DATA(rta), RTA_PAYLOAD(rta));
        });
        // IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on
        // point-to-point links); IPv6 usually sends IFA_ADDRESS only.
        if (local || address) out.push_back({local ? *local : *address, m->ifa_prefixlen});
    });
    if (f.error) throw UserError("cannot list addresses: " + describe(f));
    return out;
}

bool has_address(int ifindex, const Addr& a) {
    for (const auto& ia : addresses_of(ifindex, a.family))
        if (ia.addr == a) return true;
    return false;
}

void add_address(int ifindex, const Addr& a, int prefixlen) {
    check_prefix(a, prefixlen);
    Socket sock;
    Request req(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(af_of(a));
    ifa.ifa_prefixlen = static_cast<uint8_t>(prefixlen);
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    req.body(ifa);
    req.attr_addr(IFA_LOCAL, a);
    req.attr_addr(IFA_ADDRESS, a);
    Failure f = sock.transact(req, [](const nlmsghdr*) {});
    std::string what = text_of(a) + "/" + std::to_string(prefixlen);
    if (f.error == EEXIST) throw UserError("address " + what + " is already on " + ifname_of(ifindex));
    if (f.error == ENODEV) throw UserError("no such interface: " + iface_label(ifindex));
    if (f.error) throw UserError("cannot add address " + what + ": " + describe(f));
}

void del_address(int ifindex, const Addr& a, int prefixlen) {
    if (prefixlen < 0) {
        // IPv6 deletes match on the prefix length too: use the one it has.
        for (const auto& ia : addresses_of(ifindex, a.family))
            if (ia.addr == a) prefixlen = ia.prefixlen;
        if (prefixlen < 0)
            throw UserError("address " + text_of(a) + " is not on " + ifname_of(ifindex));
    }
    check_prefix(a, prefixlen);
    Socket sock;
    Request req(RTM_DELADDR, NLM_F_REQUEST);
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(af_of(a));
    ifa.ifa_prefixlen = static_cast<uint8_t>(prefixlen);
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    req.body(ifa);
    req.attr_addr(IFA_LOCAL, a);
    req.attr_addr(IFA_ADDRESS, a);
    Failure f = sock.transact(req, [](const nlmsghdr*) {});
    std::string what = text_of(a) + "/" + std::to_string(prefixlen);
    if (f.error == EADDRNOTAVAIL || f.error == ENOENT || f.error == ESRCH)
        throw UserError("address " + what + " is not on " + ifname_of(ifindex));
    if (f.error == ENODEV) throw UserError("no such interface: " + iface_label(ifindex));
    if (f.error) throw UserError("cannot remove address " + what + ": " + describe(f));
}

// RTAX_MTU inside an RTA_METRICS attribute (`ip route ... mtu N`), else 0.
static uint32_t metric_mtu(const rtattr* metrics) {
    int len = RTA_PAYLOAD(metrics);
    for (auto* m = static_cast<const rtattr*>(RTA_DATA(metrics)); RTA_OK(m, len); m = RTA_NEXT(m, len))
        if (m->rta_type == RTAX_MTU && RTA_PAYLOAD(m) >= sizeof(uint32_t))
            return *static_cast<const uint32_t*>(RTA_DATA(m));
    return 0;
}

std::optional<Route> route_to(const Addr& dst) {
    Socket sock;
    Request req(RTM_GETROUTE, NLM_F_REQUEST);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<uint8_t>(af_of(dst));
    rtm.rtm_dst_len = static_cast<uint8_t>(max_prefix(dst));
    req.body(rtm);
    req.attr_addr(RTA_DST, dst);
    Route route;
    bool found = false;
    Failure f = sock.transact(req, [&](const nlmsghdr* nh) {
        if (nh->nlmsg_type != RTM_NEWROUTE) return;
        const auto* m = static_cast<const rtmsg*>(NLMSG_DATA(nh));
        found = true;
        route.local = m->rtm_type == RTN_LOCAL;
        for_each_attr<rtmsg>(nh, [&](const rtattr* rta) {
            if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) >= sizeof(uint32_t))
                route.oif = static_cast<int>(*static_cast<const uint32_t*>(RTA_DATA(rta)));
            else if (rta->rta_type == RTA_GATEWAY)
                route.gateway = addr_from(m->rtm_family, RTA_DATA(rta), RTA_PAYLOAD(rta));
            else if (rta->rta_type == RTA_PREFSRC)
                route.prefsrc = addr_from(m->rtm_family, RTA_DATA(rta), RTA_PAYLOAD(rta));
            else if (rta->rta_type == RTA_METRICS)
                route.mtu = metric_mtu(rta);
        });
    });
    switch (f.error) {
    case 0: break;
    // What the kernel answers for no route, unreachable / prohibit / blackhole
    // routes and routes through a down link.
    case ENETUNREACH: case EHOSTUNREACH: case EACCES: case EPERM: case EINVAL: case ENETDOWN:
        return std::nullopt;
    default:
        throw UserError("cannot look up route to " + text_of(dst) + ": " + describe(f));
    }
    if (!found || route.oif == 0) return std::nullopt;
    return route;
}

bool neighbour_state_usable(uint16_t nud_state) {
    return (nud_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)) != 0;
}

std::optional<Mac> neighbour_mac(int ifindex, const Addr& a) {
    auto e = get_neigh(ifindex, a);
    if (!e || !neighbour_state_usable(e->state) || !e->mac) return std::nullopt;
    return e->mac;
}

void probe_neighbour(int ifindex, const Addr& a) {
    // net/core/neighbour.c neigh_add(): with NLM_F_CREATE a missing entry is
    // created (state NONE); with NTF_USE the kernel then calls
    // neigh_event_send() instead of setting a state, which starts resolution
    // (INCOMPLETE + solicitations) for NONE/FAILED entries and moves STALE
    // entries to DELAY, exactly as an outgoing packet would.
    Socket sock;
    Request req(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_CREATE);
    ndmsg ndm{};
    ndm.ndm_family = static_cast<uint8_t>(af_of(a));
    ndm.ndm_ifindex = ifindex;
    ndm.ndm_state = NUD_NONE;
    ndm.ndm_flags = NTF_USE;
    req.body(ndm);
    req.attr_addr(NDA_DST, a);
    Failure f = sock.transact(req, [](const nlmsghdr*) {});
    if (f.error == ENODEV) throw UserError("no such interface: " + iface_label(ifindex));
    if (f.error) throw UserError("cannot resolve neighbour " + text_of(a) + " on " + iface_label(ifindex) + ": " + describe(f));
}

std::optional<Mac> resolve_neighbour(int ifindex, const Addr& a, std::chrono::milliseconds wait) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + wait;
    std::optional<Clock::time_point> last_probe;
    auto delay = std::chrono::milliseconds(2);
    for (;;) {
        auto e = get_neigh(ifindex, a);
        if (e && neighbour_state_usable(e->state) && e->mac) return e->mac;
        auto now = Clock::now();
        // Probe when nothing is in progress: no entry, or one that gave up
        // (FAILED) or was never started (NONE). INCOMPLETE is already busy.
        bool idle = !e || !(e->state & NUD_INCOMPLETE);
        if (idle && (!last_probe || now - *last_probe >= std::chrono::milliseconds(200))) {
            probe_neighbour(ifindex, a);
            last_probe = now;
        }
        if (now >= deadline) return std::nullopt;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        std::this_thread::sleep_for(std::min(delay, left));
        delay = std::min(delay * 2, std::chrono::milliseconds(50));
    }
}

std::string mac_str(const Mac& mac) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

}  // namespace lvs
