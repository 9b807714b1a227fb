// The one parser for addresses and endpoints typed by users (-t, -u, -r, -M and
// -R lines all come through here), and their text form in listings.
#include "net/addr.h"

#include <arpa/inet.h>

#include <cstring>

#include "error.h"

namespace lvs {

Addr Addr::from_abi(const lvs_addr& a, int family) {
    Addr out;
    out.family = family;
    // An IPv4 address occupies only the first 4 bytes; the rest stays zero so
    // that equal addresses compare equal whatever the map held there.
    std::memcpy(out.bytes.data(), a.bytes, family == LVS_AF_INET6 ? 16 : 4);
    return out;
}

lvs_addr Addr::to_abi() const {
    lvs_addr a{};
    std::memcpy(a.bytes, bytes.data(), bytes.size());
    return a;
}

std::string Addr::str() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(is_v6() ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

Addr parse_addr(std::string_view text) {
    const std::string s(text);
    Addr a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1)
        return a;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = LVS_AF_INET6;
        return a;
    }
    throw UserError("'" + s + "' is not an IP address; give a numeric IPv4 or IPv6 address "
                    "(lvs-xdp does not resolve host names)");
}

namespace {

uint16_t parse_port(std::string_view port, std::string_view whole) {
    unsigned long value = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) {
        digits = digits && c >= '0' && c <= '9';
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (!digits || value > 65535)  // 0: all ports (persistent services), as ipvsadm takes it
        throw UserError("invalid port '" + std::string(port) + "' in '" + std::string(whole) +
                        "'; a port is a number from 0 to 65535");
    return static_cast<uint16_t>(value);
}

}  // namespace

Endpoint parse_endpoint(std::string_view text) {
    Endpoint ep;
    if (text.starts_with('[')) {
        // As in ipvsadm, a bracketed address must be followed by ":port".
        const auto close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1, 1) != ":")
            throw UserError("'" + std::string(text) + "' is not [IPv6-address]:port");
        ep.addr = parse_addr(text.substr(1, close - 1));
        if (!ep.addr.is_v6())
            throw UserError("'" + std::string(text) + "': brackets are only for IPv6 addresses");
        ep.port = parse_port(text.substr(close + 2), text);
        ep.has_port = true;
        return ep;
    }
    // An unbracketed IPv6 address has colons of its own, so it never has a port.
    const std::string whole(text);
    in6_addr ignored;
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || inet_pton(AF_INET6, whole.c_str(), &ignored) == 1) {
        ep.addr = parse_addr(text);
        return ep;
    }
    ep.addr = parse_addr(text.substr(0, colon));
    if (ep.addr.is_v6())
        throw UserError("'" + whole + "': write an IPv6 address with a port as [address]:port");
    ep.port = parse_port(text.substr(colon + 1), text);
    ep.has_port = true;
    return ep;
}

std::string endpoint_str(const Addr& a, uint16_t port) {
    const std::string host = a.is_v6() ? "[" + a.str() + "]" : a.str();
    return host + ":" + std::to_string(port);
}

}  // namespace lvs
