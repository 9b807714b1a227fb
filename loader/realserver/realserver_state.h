// The logic behind realserver.h, separated from the host so it can be unit
// tested: RealserverHost is everything realserver add/del/list touch (lo's
// addresses, /proc/sys, the state file); tests pass a fake one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/addr.h"

namespace lvs {

// The sysctls a DR real server needs, as "conf/<iface>/<name>" under
// /proc/sys/net/ipv4, with the values they get.
struct ArpSetting {
    const char* key;    // "lo/arp_ignore"
    const char* value;  // "1"
};
inline constexpr ArpSetting kArpSettings[] = {
    {"lo/arp_ignore", "1"},
    {"lo/arp_announce", "2"},
    {"all/arp_ignore", "1"},
    {"all/arp_announce", "2"},
};

struct RealserverState {
    // SO_NETNS_COOKIE of the namespace that wrote the file (0: unknown). Inode
    // numbers of dead namespaces are reused; the cookie never is, so a file
    // left behind by a deleted namespace is recognised and ignored.
    uint64_t netns_cookie = 0;
    std::vector<Addr> vips;                                   // in the order added
    std::vector<std::pair<std::string, std::string>> saved;   // sysctl key -> value before the first add

    bool has_vip(const Addr& vip) const;
};

// The state file's text: one "keyword args" per line.
std::string format_state(const RealserverState& st);
// Parses format_state() text; UserError naming the line when it is malformed.
RealserverState parse_state(std::string_view text);

class RealserverHost {
public:
    virtual ~RealserverHost() = default;
    virtual uint64_t netns_cookie() = 0;
    // Where the state lives, for messages.
    virtual std::string state_location() = 0;
    virtual std::optional<std::string> load_state() = 0;
    virtual void store_state(const std::string& text) = 0;
    virtual void remove_state() = 0;
    virtual std::string read_sysctl(const std::string& key) = 0;  // key as in kArpSettings
    virtual void write_sysctl(const std::string& key, const std::string& value) = 0;
    virtual bool has_vip(const Addr& vip) = 0;  // on lo
    virtual void add_vip(const Addr& vip) = 0;  // VIP/32 on lo
    virtual void del_vip(const Addr& vip) = 0;
};

// The machine itself: lo of the current network namespace, /proc/sys, and the
// state file realserver-<netns inode>.state in state_dir.
std::unique_ptr<RealserverHost> system_realserver_host(const std::string& state_dir = "/run/lvs-xdp");

std::string realserver_add(RealserverHost& host, const Addr& vip);
std::string realserver_del(RealserverHost& host, const Addr& vip);
std::string realserver_status(RealserverHost& host);

}  // namespace lvs
