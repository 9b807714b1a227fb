#include "checks.h"

#include <linux/bpf.h>

#include <algorithm>

namespace lvs::bench {
namespace {

using testkit::concat;
using testkit::get16;
using testkit::kEth;

Bytes ethernet_to(const std::string& rip) {
    return testkit::ethernet_header(mac_of(testkit::ip4(rip)), testkit::kDirectorMac);
}

// The outer IPv4 header IPVS writes: TOS, id and DF of the inner packet.
Bytes outer_ip(const Bytes& in, const std::string& rip, uint8_t proto, size_t payload_len) {
    return testkit::ipv4_header({.tos = in[kEth + 1],
                                 .id = get16(in, kEth + 4),
                                 .df = (in[kEth + 6] & 0x40) != 0,
                                 .proto = proto,
                                 .saddr = kTunSrc,
                                 .daddr = rip,
                                 .payload_len = payload_len});
}

std::string expect_tx(const RunResult& out, const Bytes& expected) {
    if (out.action != XDP_TX)
        return "action " + std::to_string(out.action) + ", not XDP_TX";
    return out.out == expected ? "" : "output bytes differ from the expected frame";
}

}  // namespace

Check passes() {
    return [](const Bytes& in, const RunResult& out) -> std::string {
        if (out.action != XDP_PASS)
            return "action " + std::to_string(out.action) + ", not XDP_PASS";
        return out.out == in ? "" : "the frame was changed";
    };
}

Check dr_to(const std::vector<std::string>& rips) {
    return [rips](const Bytes& in, const RunResult& out) -> std::string {
        for (const std::string& rip : rips) {
            Bytes expected = concat({ethernet_to(rip), Bytes(in.begin() + kEth, in.end())});
            if (out.out.size() >= 6 && std::equal(expected.begin(), expected.begin() + 6, out.out.begin()))
                return expect_tx(out, expected);
        }
        return "not sent to a server of the service";
    };
}

Check ipip_to(const std::string& rip) {
    return [rip](const Bytes& in, const RunResult& out) {
        Bytes inner(in.begin() + kEth, in.end());
        return expect_tx(out, concat({ethernet_to(rip), outer_ip(in, rip, 4, inner.size()), inner}));
    };
}

Check gue_to(const std::string& rip, uint16_t port) {
    return [rip, port](const Bytes& in, const RunResult& out) -> std::string {
        constexpr size_t kUdp = kEth + 20;
        Bytes inner(in.begin() + kEth, in.end());
        if (out.out.size() < kUdp + 2)
            return "output too short";
        // The source port is a hash of the inner flow (for receive-side
        // spreading); only its range is IPVS's.
        uint16_t sport = get16(out.out, kUdp);
        if (sport < 0xc000)
            return "GUE source port below 0xc000";
        uint16_t udp_len = 8 + 4 + inner.size();
        Bytes udp = {uint8_t(sport >> 8), uint8_t(sport), uint8_t(port >> 8), uint8_t(port),
                     uint8_t(udp_len >> 8), uint8_t(udp_len), 0, 0};
        Bytes gue = {0x00, 0x04, 0x00, 0x00};  // version 0, no options, IPPROTO_IPIP follows
        return expect_tx(out, concat({ethernet_to(rip), outer_ip(in, rip, 17, udp_len), udp, gue, inner}));
    };
}

Check tx_exactly(const Bytes& expected) {
    return [expected](const Bytes&, const RunResult& out) { return expect_tx(out, expected); };
}

}  // namespace lvs::bench
