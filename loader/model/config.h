// The virtual-service configuration as a plain value: what `-L` shows and what
// `-S` saves. Commands are applied to a copy of it (validating as ipvsadm does)
// and the store writes the result to the BPF maps in one go, so a failing command
// or a failing line of -R changes nothing.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/addr.h"

namespace lvs {

inline constexpr uint32_t kNoId = UINT32_MAX;

enum class Proto : uint8_t { Tcp = 6, Udp = 17 };
enum class Fwd : uint8_t { Masq = LVS_FWD_MASQ, Local = LVS_FWD_LOCAL, Tunnel = LVS_FWD_TUNNEL, Route = LVS_FWD_ROUTE };

// -i servers' encapsulation (ipvsadm's --tun-type, --tun-port, --tun-*csum).
enum class TunType : uint8_t { Ipip = LVS_TUN_IPIP, Gue = LVS_TUN_GUE, Gre = LVS_TUN_GRE };
enum class TunCsum : uint8_t { NoCsum = LVS_TUN_NOCSUM, Csum = LVS_TUN_CSUM, RemCsum = LVS_TUN_REMCSUM };

struct ServiceKey {
    Proto proto = Proto::Tcp;
    Addr addr;
    uint16_t port = 0;
    auto operator<=>(const ServiceKey&) const = default;
};

struct Dest {
    Addr addr;
    uint16_t port = 0;
    Fwd fwd = Fwd::Route;
    uint32_t weight = 1;
    uint32_t last_weight = 1;  // the latest non-zero weight (IPVS's last_weight, for mh)
    uint32_t u_threshold = 0;
    uint32_t l_threshold = 0;
    TunType tun_type = TunType::Ipip;  // meaningful for Fwd::Tunnel only
    uint16_t tun_port = 0;             // GUE's UDP port
    TunCsum tun_csum = TunCsum::NoCsum;
    bool fullnat = false;  // -m --fullnat: clients' source rewritten to a local address too
    uint32_t id = kNoId;  // slot in lvs_dests, assigned by the store
};

struct Service {
    ServiceKey key;
    std::string sched = "wlc";
    uint32_t flags = 0;     // LVS_SVC_F_*: persistent, and -b's SCHED1..3
    uint32_t timeout = 0;   // persistence timeout, seconds
    uint32_t netmask = 32;  // persistence netmask as a prefix length
    std::vector<Dest> dests;
    uint32_t id = kNoId;    // slot in the per-service arrays, assigned by the store
};

class Config {
public:
    std::vector<Service>& services() { return services_; }
    const std::vector<Service>& services() const { return services_; }

    // Each throws UserError with ipvsadm's message when the command can't apply.
    void add_service(const Service& svc);
    void edit_service(const Service& svc);  // replaces scheduler and options
    void delete_service(const ServiceKey& key);
    void clear() { services_.clear(); }
    void add_dest(const ServiceKey& key, const Dest& dest);
    void edit_dest(const ServiceKey& key, const Dest& dest);
    void delete_dest(const ServiceKey& key, const Addr& addr, uint16_t port);

    Service* find(const ServiceKey& key);
    const Service* find(const ServiceKey& key) const;

private:
    std::vector<Service> services_;
};

std::string proto_name(Proto p);  // "TCP", "UDP"

}  // namespace lvs
