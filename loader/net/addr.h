// Addresses and ports as users type them, and as the BPF maps store them.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "lvs_xdp/abi.h"

namespace lvs {

struct Addr {
    int family = LVS_AF_INET;          // LVS_AF_INET or LVS_AF_INET6
    std::array<uint8_t, 16> bytes{};   // IPv4 in the first 4 bytes, network order

    static Addr from_abi(const lvs_addr& a, int family);
    lvs_addr to_abi() const;
    bool is_v6() const { return family == LVS_AF_INET6; }
    // "192.168.88.250" or "2001:db8::1" (no brackets).
    std::string str() const;
    auto operator<=>(const Addr&) const = default;
};

// An address with an optional port, as given to -t/-u/-r: "1.2.3.4", "1.2.3.4:80",
// "[2001:db8::1]:80". has_port is false when the port was left out.
struct Endpoint {
    Addr addr;
    uint16_t port = 0;
    bool has_port = false;
};

// Parses an IP address; throws lvs::UserError naming the text when it is not one.
Addr parse_addr(std::string_view text);
// Parses -t/-u/-r arguments. Port must be 1..65535 when present; a name that is
// not a numeric address is an error (lvs-xdp never resolves names for input).
Endpoint parse_endpoint(std::string_view text);
// "addr:port", with brackets around IPv6 addresses, as ipvsadm prints them.
std::string endpoint_str(const Addr& a, uint16_t port);

}  // namespace lvs
