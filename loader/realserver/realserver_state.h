// The logic behind realserver.h, separated from the host so it can be unit
// tested: RealserverHost is everything realserver add/del/list touch for DR
// (lo's addresses, /proc/sys, the state file), TunHost what --tun adds (tunl0,
// the rs_decap XDP program and its maps); tests pass fake ones.
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

// How a TUN real server unwraps the director's packets: the kernel's ipip
// device tunl0 (the how-to's way), or lvs-xdp's rs_decap XDP program on the
// receiving interfaces, for kernels without tunnel devices (and for GUE).
enum class Decap { Bpf, Kernel };
std::string_view decap_name(Decap d);  // "bpf", "kernel"

// A VIP taken over a tunnel.
struct TunVip {
    Addr vip;
    Decap decap = Decap::Bpf;
    std::vector<uint16_t> gue_ports;  // UDP ports GUE arrives on (bpf only)
    bool operator==(const TunVip&) const = default;
};

struct RealserverState {
    // SO_NETNS_COOKIE of the namespace that wrote the file (0: unknown). Inode
    // numbers of dead namespaces are reused; the cookie never is, so a file
    // left behind by a deleted namespace is recognised and ignored.
    uint64_t netns_cookie = 0;
    std::vector<Addr> vips;  // DR VIPs (on lo), in the order added
    std::vector<TunVip> tun_vips;  // TUN VIPs, in the order added
    // rs_decap: the interfaces it was attached to (shared by every bpf VIP)
    // and the directory its maps are pinned in.
    std::vector<std::string> decap_devs;
    std::string decap_pin_dir;
    // tunl0: lvs-xdp created it / brought it up, so removing the last kernel
    // VIP deletes it / sets it down again.
    bool tunl0_created = false;
    bool tunl0_was_down = false;
    // sysctl key -> value before lvs-xdp first changed it; restored when no
    // VIP needs the setting any more.
    std::vector<std::pair<std::string, std::string>> saved;

    bool has_vip(const Addr& vip) const;  // a DR VIP
    const TunVip* find_tun(const Addr& vip) const;
    bool empty() const { return vips.empty() && tun_vips.empty(); }
};

// The sysctls (key as in kArpSettings, value) the VIPs of st need:
//   DR VIPs, and TUN VIPs decapsulated by rs_decap (their VIP is on lo):
//     kArpSettings; for the latter also rp_filter=0 on all and the decap devices;
//   TUN VIPs on tunl0: arp_ignore=1, arp_announce=2 on tunl0 and all,
//     rp_filter=0 on tunl0 and all (the how-to's list).
std::vector<std::pair<std::string, std::string>> wanted_settings(const RealserverState& st);

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

// What `realserver add VIP --tun` was asked for.
struct TunOptions {
    std::optional<Decap> decap;        // --decap; nullopt: kernel where it has an ipip device
    std::vector<std::string> devs;     // --dev; empty: every interface that is up, except loopback
    std::vector<uint16_t> gue_ports;   // --gue-port
    std::string pin_dir;               // where rs_decap's maps go (this namespace's own directory)
};

class TunHost {
public:
    virtual ~TunHost() = default;

    // ---- the kernel's ipip device ----
    virtual bool tunl0_exists() = 0;
    // `ip link add tunl0 type ipip`: Created; Exists when loading the module
    // made it meanwhile; Unsupported when the kernel has no ipip.
    enum class Create { Created, Exists, Unsupported };
    virtual Create tunl0_create() = 0;
    virtual void tunl0_delete() = 0;
    virtual bool tunl0_is_up() = 0;
    virtual void tunl0_set_up(bool up) = 0;
    virtual bool tunl0_has_vip(const Addr& vip) = 0;
    virtual void tunl0_add_vip(const Addr& vip) = 0;  // VIP/32
    virtual void tunl0_del_vip(const Addr& vip) = 0;

    // ---- rs_decap ----
    // The interfaces that are up, except loopback ones.
    virtual std::vector<std::string> default_devices() = 0;
    // UserError unless dev exists and can take rs_decap (not loopback).
    virtual void check_device(const std::string& dev) = 0;
    // Attaches rs_decap (maps pinned in pin_dir) to dev unless it is there
    // already. Returns the mode it attached in ("native", "generic ..."), or
    // nullopt when it was attached already.
    virtual std::optional<std::string> decap_attach(const std::string& pin_dir, const std::string& dev) = 0;
    // Detaches rs_decap from dev; false when it was not there (or dev is gone).
    virtual bool decap_detach(const std::string& dev) = 0;
    // "native", "generic", or "not attached" / "interface gone", for listings.
    virtual std::string decap_where(const std::string& dev) = 0;
    // Makes rs_decap's maps (pinned in pin_dir, created if need be) hold exactly these.
    virtual void decap_set(const std::string& pin_dir, const std::vector<Addr>& vips,
                           const std::vector<uint16_t>& gue_ports) = 0;
    // Removes the pinned maps and the directory.
    virtual void decap_unpin(const std::string& pin_dir) = 0;
};

// The machine itself: lo of the current network namespace, /proc/sys, and the
// state file realserver-<netns inode>.state in state_dir.
std::unique_ptr<RealserverHost> system_realserver_host(const std::string& state_dir = "/run/lvs-xdp");

std::string realserver_add(RealserverHost& host, const Addr& vip);
std::string realserver_del(RealserverHost& host, const Addr& vip);
std::string realserver_status(RealserverHost& host, TunHost* tun = nullptr);

// `realserver add|del VIP --tun`. Errors are UserError; a failed add undoes
// what it did.
std::string realserver_tun_add(RealserverHost& host, TunHost& tun, const Addr& vip, const TunOptions& opts);
std::string realserver_tun_del(RealserverHost& host, TunHost& tun, const Addr& vip);

}  // namespace lvs
