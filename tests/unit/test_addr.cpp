#include <gtest/gtest.h>

#include "error.h"
#include "net/addr.h"

using namespace lvs;

namespace {

std::string error_of(std::string_view text) {
    try {
        parse_endpoint(text);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Addr, ParsesIpv4IntoTheFirstFourBytes) {
    const Addr a = parse_addr("192.168.88.250");
    EXPECT_EQ(a.family, LVS_AF_INET);
    EXPECT_EQ(a.bytes[0], 192);
    EXPECT_EQ(a.bytes[3], 250);
    EXPECT_EQ(a.bytes[4], 0);
    EXPECT_EQ(a.str(), "192.168.88.250");
}

TEST(Addr, ParsesIpv6) {
    const Addr a = parse_addr("2001:db8::1");
    EXPECT_TRUE(a.is_v6());
    EXPECT_EQ(a.bytes[0], 0x20);
    EXPECT_EQ(a.bytes[15], 1);
    EXPECT_EQ(a.str(), "2001:db8::1");
}

TEST(Addr, RejectsNamesAndNamesTheText) {
    try {
        parse_addr("www.example.com");
        FAIL() << "a host name was accepted";
    } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("'www.example.com'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_addr("10.1"), UserError);  // inet_aton's short forms are not addresses here
    EXPECT_THROW(parse_addr(""), UserError);
}

TEST(Addr, AbiRoundTripAndIpv4IgnoresTheUnusedBytes) {
    const Addr a = parse_addr("10.0.0.7");
    lvs_addr raw = a.to_abi();
    EXPECT_EQ(raw.bytes[0], 10);
    EXPECT_EQ(raw.bytes[3], 7);
    raw.bytes[9] = 0xee;  // garbage beyond the IPv4 address
    EXPECT_EQ(Addr::from_abi(raw, LVS_AF_INET), a);

    const Addr b = parse_addr("2001:db8::42");
    EXPECT_EQ(Addr::from_abi(b.to_abi(), LVS_AF_INET6), b);
}

TEST(Endpoint, AddressWithoutPort) {
    const Endpoint ep = parse_endpoint("192.168.88.50");
    EXPECT_EQ(ep.addr, parse_addr("192.168.88.50"));
    EXPECT_FALSE(ep.has_port);
    EXPECT_EQ(ep.port, 0);
}

TEST(Endpoint, AddressAndPort) {
    const Endpoint ep = parse_endpoint("192.168.88.250:80");
    EXPECT_EQ(ep.addr, parse_addr("192.168.88.250"));
    EXPECT_TRUE(ep.has_port);
    EXPECT_EQ(ep.port, 80);
    EXPECT_EQ(parse_endpoint("1.2.3.4:65535").port, 65535);
}

TEST(Endpoint, BracketedIpv6WithPort) {
    const Endpoint ep = parse_endpoint("[2001:db8::1]:443");
    EXPECT_EQ(ep.addr, parse_addr("2001:db8::1"));
    EXPECT_TRUE(ep.has_port);
    EXPECT_EQ(ep.port, 443);
}

TEST(Endpoint, BareIpv6HasNoPort) {
    const Endpoint ep = parse_endpoint("2001:db8::1:80");
    EXPECT_TRUE(ep.addr.is_v6());
    EXPECT_FALSE(ep.has_port);
    EXPECT_EQ(ep.addr.str(), "2001:db8::1:80");
}

TEST(Endpoint, PortsOutside0To65535AreRefusedNamingTheText) {
    for (const char* bad : {"1.2.3.4:65536", "1.2.3.4:", "1.2.3.4:http", "1.2.3.4:-1", "[::1]:99999"}) {
        const std::string msg = error_of(bad);
        EXPECT_NE(msg.find(bad), std::string::npos) << bad << " -> " << msg;
    }
}

TEST(Endpoint, MalformedTextIsRefused) {
    EXPECT_NE(error_of("[2001:db8::1]"), "");      // brackets need ":port", as in ipvsadm
    EXPECT_NE(error_of("[2001:db8::1]80"), "");
    EXPECT_NE(error_of("[1.2.3.4]:80"), "");       // brackets are for IPv6 only
    EXPECT_NE(error_of("foo:80").find("'foo'"), std::string::npos);
    EXPECT_NE(error_of(""), "");
}

TEST(Endpoint, Text) {
    EXPECT_EQ(endpoint_str(parse_addr("192.168.88.50"), 80), "192.168.88.50:80");
    EXPECT_EQ(endpoint_str(parse_addr("2001:db8::1"), 80), "[2001:db8::1]:80");
}
