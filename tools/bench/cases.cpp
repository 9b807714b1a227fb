#include "cases.h"

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "store/laddrs.h"

namespace lvs::bench {
namespace {

const std::string kVip = "10.1.0.100";
const std::vector<std::string> kRips = {"10.1.0.11", "10.1.0.12"};

std::string service(const std::string& vip, const std::string& sched) {
    return "-A -t " + vip + ":80 -s " + sched + "\n";
}
std::string server(const std::string& vip, const std::string& rip, const std::string& opts) {
    return "-a -t " + vip + ":80 -r " + rip + " " + opts + "\n";
}

std::string dr_two(const std::string& sched, int w1 = 1, int w2 = 1) {
    return service(kVip, sched) + server(kVip, kRips[0], "-g -w " + std::to_string(w1)) +
           server(kVip, kRips[1], "-g -w " + std::to_string(w2));
}

const std::string kGue = "--tun-type gue --tun-port 6080 --tun-nocsum";

std::string tun_one(const std::string& opts) { return service(kVip, "rr") + server(kVip, "10.9.0.19", "-i " + opts); }

std::string addr(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    return inet_ntoa(a);
}

// 1,000 services of 100 servers each, weights 1 to 4 (so that wrr, fo and
// ovf have weights to tell apart); traffic goes to the last service.
constexpr int kServices = 1000, kServers = 100;
std::string big_vip(int s) { return addr(0x0a020000 + s + 1); }              // 10.2.0.1 ...
std::string big_rip(int s, int r) { return addr(0x0a030000 + s * kServers + r + 1); }  // 10.3.0.1 ...

std::string big_rules(const std::string& sched) {
    std::string rules;
    for (int s = 0; s < kServices; ++s) {
        rules += service(big_vip(s), sched);
        for (int r = 0; r < kServers; ++r)
            rules += server(big_vip(s), big_rip(s, r), "-g -w " + std::to_string(1 + r % 4));
    }
    return rules;
}

std::vector<std::string> big_rips(int s) {
    std::vector<std::string> rips;
    for (int r = 0; r < kServers; ++r)
        rips.push_back(big_rip(s, r));
    return rips;
}

// Flows of a pool, and new flows, get their own source addresses so they never
// meet each other in the connection table.
const Flow kOneFlow{};
const Flow kPoolFlow{.saddr = "10.64.0.0"};
const Flow kNewFlow{.saddr = "10.128.0.0"};

using K = Target::Kind;
using testkit::kEth;

// NAT: the server listens on another port than the service's; FullNAT's
// local address is the source the server sees and replies to.
const std::string kNatRip = "10.2.0.11";
constexpr uint16_t kNatRport = 8080;
const std::string kLaddr = "10.2.0.1";

// kLaddr and, for new connections, as many more as FullNAT may have: 10.2.1.1 ...
std::vector<std::string> laddrs() {
    std::vector<std::string> all = {kLaddr};
    for (uint32_t k = 1; k < LVS_MAX_LADDRS; ++k)
        all.push_back(addr(0x0a020100 + k));
    return all;
}

std::string nat_one(const std::string& opts) {
    return service(kVip, "rr") + server(kVip, kNatRip + ":" + std::to_string(kNatRport), "-m" + opts);
}

// The client's packet (from kClientMac to kDirectorMac) as the server must
// get it: to the server's address and port, TTL down by one, from the
// director's MAC to the server's; FullNAT also from the local address and port.
testkit::FrameSpec at_server(const Flow& client, uint8_t flags, bool fullnat, uint16_t lport,
                             const std::string& laddr = kLaddr) {
    testkit::FrameSpec s = tcp_spec(client, flags);
    s.daddr = kNatRip;
    s.dport = kNatRport;
    s.ttl--;
    s.src_mac = testkit::kDirectorMac;
    s.dst_mac = mac_of(testkit::ip4(kNatRip));
    if (fullnat) {
        s.saddr = laddr;
        s.sport = lport;
    }
    return s;
}

// The server's reply as it sends it: to the client (NAT) or to the local
// address and port (FullNAT), from the server's MAC to the director's.
testkit::FrameSpec from_server(uint8_t flags, bool fullnat, uint16_t lport) {
    Flow back{.saddr = kNatRip,
              .daddr = fullnat ? kLaddr : kOneFlow.saddr,
              .sport = kNatRport,
              .dport = fullnat ? lport : kOneFlow.sport};
    testkit::FrameSpec s = tcp_spec(back, flags);
    s.src_mac = mac_of(testkit::ip4(kNatRip));
    s.dst_mac = testkit::kDirectorMac;
    return s;
}

// The reply as the client must get it: from the VIP and port, to the client's
// address and port, TTL down by one, back between the MACs the client used.
testkit::FrameSpec at_client(uint8_t flags, bool fullnat, uint16_t lport, const Flow& client = kOneFlow) {
    testkit::FrameSpec s = from_server(flags, fullnat, lport);
    s.saddr = client.daddr;
    s.sport = client.dport;
    s.daddr = client.saddr;
    s.dport = client.sport;
    s.ttl--;
    s.src_mac = testkit::kDirectorMac;
    s.dst_mac = testkit::kClientMac;
    return s;
}

void expect_frame(const char* step, const RunResult& out, const Bytes& expected) {
    if (out.action != XDP_TX)
        throw std::runtime_error(std::string("handshake, ") + step + ": action " + std::to_string(out.action) +
                                 ", not XDP_TX");
    if (out.out != expected)
        throw std::runtime_error(std::string("handshake, ") + step + ": output bytes differ from the expected frame");
}

// SYN from the client, SYN+ACK from the server, ACK from the client, each
// checked byte for byte in both directions: the entry is then ESTABLISHED,
// with the reply entry the first packet created. Returns the frame to time:
// the client's ACK (in) or the server's ACK (out), with its exact output.
std::function<Prepared(const testkit::Director&)> nat_handshake(bool fullnat, bool out) {
    return [fullnat, out](const testkit::Director& d) {
        RunResult syn = d.run(tcp_frame(kOneFlow, kSyn));
        uint16_t lport = syn.out.size() >= kEth + 22 ? testkit::get16(syn.out, kEth + 20) : 0;
        if (fullnat && lport < 1024)
            throw std::runtime_error("handshake: FullNAT local port " + std::to_string(lport) + " below 1024");
        expect_frame("SYN", syn, testkit::frame(at_server(kOneFlow, kSyn, fullnat, lport)));
        expect_frame("SYN+ACK", d.run(testkit::frame(from_server(kSyn | kAck, fullnat, lport))),
                     testkit::frame(at_client(kSyn | kAck, fullnat, lport)));
        expect_frame("ACK", d.run(tcp_frame(kOneFlow, kAck)),
                     testkit::frame(at_server(kOneFlow, kAck, fullnat, lport)));
        if (out)
            return Prepared{testkit::frame(from_server(kAck, fullnat, lport)),
                            tx_exactly(testkit::frame(at_client(kAck, fullnat, lport)))};
        return Prepared{tcp_frame(kOneFlow, kAck),
                        tx_exactly(testkit::frame(at_server(kOneFlow, kAck, fullnat, lport)))};
    };
}

// NAT and FullNAT in, for whichever client flow the input is (a pool's, a new
// one): exactly the frame at_server builds for that client and TCP flags;
// FullNAT's local address and port are the ones the director chose: one of
// the local addresses, a port of at least 1024.
std::string addr_at(const Bytes& frame, size_t at) {
    uint32_t a;
    std::memcpy(&a, &frame.at(at), 4);
    return addr(ntohl(a));
}

Check nat_in(bool fullnat) {
    return [fullnat](const Bytes& in, const RunResult& out) -> std::string {
        const Flow client{.saddr = addr_at(in, kEth + 12), .sport = testkit::get16(in, kEth + 20)};
        uint16_t lport = 0;
        std::string laddr;
        if (fullnat) {
            if (out.out.size() < kEth + 22)
                return "output too short";
            lport = testkit::get16(out.out, kEth + 20);
            if (lport < 1024)
                return "FullNAT local port " + std::to_string(lport) + " below 1024";
            laddr = addr_at(out.out, kEth + 12);
            const std::vector<std::string> all = laddrs();
            if (std::find(all.begin(), all.end(), laddr) == all.end())
                return "FullNAT source " + laddr + " is no local address";
        }
        return tx_exactly(testkit::frame(at_server(client, in.at(kEth + 20 + 13), fullnat, lport, laddr)))(in, out);
    };
}

// NAT and FullNAT out, for whichever pool flow the server's reply is (its
// destination at flow index i, as with_flow_index numbers them: the client's
// address and port for NAT, the local ones for FullNAT, whose client is then
// kOneFlow's address + i / 65536, port i % 65536): exactly the frame
// at_client builds for that client and TCP flags.
Check nat_out(bool fullnat) {
    return [fullnat](const Bytes& in, const RunResult& out) {
        uint32_t index_hi = ntohl(testkit::ip4(addr_at(in, kEth + 16))) - ntohl(testkit::ip4(fullnat ? kLaddr : kOneFlow.saddr));
        const Flow client{.saddr = addr(ntohl(testkit::ip4(kOneFlow.saddr)) + index_hi),
                          .sport = testkit::get16(in, kEth + 22)};
        return tx_exactly(testkit::frame(at_client(in.at(kEth + 20 + 13), fullnat, 0, client)))(in, out);
    };
}

void add_laddr(const testkit::Director& d) { add_local_addresses(d.maps(), {parse_addr(kLaddr)}); }

// New FullNAT connections into a full table: one local address has 64,512
// ports per server, fewer than the live flows of a run of a million new
// connections; the most local addresses there may be have room for them.
// The handshake (kOneFlow's entry, the one the table is filled with) goes
// through kLaddr alone, the others come after it.
Prepared fullnat_handshake_then_all_laddrs(const testkit::Director& d) {
    Prepared p = nat_handshake(true, false)(d);
    std::vector<Addr> more;
    for (const std::string& a : laddrs())
        if (a != kLaddr)
            more.push_back(parse_addr(a));
    add_local_addresses(d.maps(), more);
    return p;
}

const std::vector<std::string> kOtherSchedulers = {"wrr", "lc",    "wlc", "sed", "nq", "fo", "ovf",
                                                   "twos", "lblc", "lblcr", "dh", "sh", "mh"};

// Every other scheduler's new connection, to hold next to rr's: with 2
// servers (wrr 3:1), and with 100 in each of 1,000 services, where the
// schedulers that pick the least loaded server look at every one of them.
std::vector<Case> scheduler_cases(const std::string& rr_two, const std::string& rr_big) {
    std::vector<Case> cases;
    for (const std::string& s : kOtherSchedulers)
        cases.push_back({"DR new conn into full table, " + (s == "wrr" ? "wrr 3:1" : s) + ", 1 svc x 2",
                         s == "wrr" ? dr_two(s, 3, 1) : dr_two(s), Traffic::NewIntoFull, kNewFlow, dr_to(kRips),
                         Target{K::TimesCase, 1.5, rr_two}});
    for (const std::string& s : kOtherSchedulers)
        cases.push_back({"DR new conn into full table, " + s + ", 1000 svc x 100", big_rules(s), Traffic::NewIntoFull,
                         Flow{.saddr = kNewFlow.saddr, .daddr = big_vip(kServices - 1)},
                         dr_to(big_rips(kServices - 1)), Target{K::TimesCase, 1.5, rr_big}});
    return cases;
}

}  // namespace

std::vector<Case> all_cases() {
    const std::string dr_new = "DR new conn into full table, rr, 1 svc x 2";
    const std::string dr_new_big = "DR new conn into full table, rr, 1000 svc x 100";
    std::vector<Case> cases = {
        {"no service (pass to kernel)", dr_two("rr"), Traffic::NoService, Flow{.daddr = "10.1.0.200"}, passes(),
         Target{K::TimesDrop, 1.5}},
        // A NAT service makes the program look every packet up as a possible
        // server reply, to an address that is no VIP too.
        {"no service (pass to kernel), NAT service configured", nat_one(""), Traffic::NoService,
         Flow{.daddr = "10.1.0.200"}, passes(), Target{K::TimesDrop, 1.5}},
        {"DR established, 1 flow", dr_two("rr"), Traffic::Established, kOneFlow, dr_to(kRips),
         Target{K::TimesMacSwap, 2.5}},
        {"DR established, 1 of 2^20 flows", dr_two("rr"), Traffic::FlowPool, kPoolFlow, dr_to(kRips),
         Target{K::Ns, 200}},
        {dr_new, dr_two("rr"), Traffic::NewIntoFull, kNewFlow, dr_to(kRips), Target{K::Ns, 400}},
        {dr_new_big, big_rules("rr"), Traffic::NewIntoFull,
         Flow{.saddr = kNewFlow.saddr, .daddr = big_vip(kServices - 1)}, dr_to(big_rips(kServices - 1)),
         Target{K::Ns, 400}},
    };
    const std::vector<Case> schedulers = scheduler_cases(dr_new, dr_new_big);
    cases.insert(cases.end(), schedulers.begin(), schedulers.end());
    const std::vector<Case> rest = {
        {"TUN ipip established, 1 flow", tun_one(""), Traffic::Established, kOneFlow, ipip_to("10.9.0.19"),
         Target{K::TimesMacSwap, 3}},
        {"TUN gue established, 1 flow", tun_one(kGue), Traffic::Established, kOneFlow, gue_to("10.9.0.19", 6080),
         Target{K::TimesMacSwap, 3}},
        {"TUN ipip established, 1 of 2^20 flows", tun_one(""), Traffic::FlowPool, kPoolFlow, ipip_to("10.9.0.19"),
         Target{K::Ns, 200}},
        {"TUN gue established, 1 of 2^20 flows", tun_one(kGue), Traffic::FlowPool, kPoolFlow,
         gue_to("10.9.0.19", 6080), Target{K::Ns, 200}},
        {"TUN ipip new conn into full table, rr", tun_one(""), Traffic::NewIntoFull, kNewFlow, ipip_to("10.9.0.19"),
         Target{K::Ns, 400}},
        {"TUN gue new conn into full table, rr", tun_one(kGue), Traffic::NewIntoFull, kNewFlow,
         gue_to("10.9.0.19", 6080), Target{K::Ns, 400}},
        // The issue gives NAT no target of its own: ns and the ratio only.
        {"NAT in established, 1 flow", nat_one(""), Traffic::Established, kOneFlow, nullptr, std::nullopt, nullptr,
         nat_handshake(false, false)},
        {"NAT out (reply) established, 1 flow", nat_one(""), Traffic::Established, kOneFlow, nullptr, std::nullopt,
         nullptr, nat_handshake(false, true)},
        {"FullNAT in established, 1 flow", nat_one(" --fullnat"), Traffic::Established, kOneFlow, nullptr,
         std::nullopt, add_laddr, nat_handshake(true, false)},
        {"FullNAT out (reply) established, 1 flow", nat_one(" --fullnat"), Traffic::Established, kOneFlow, nullptr,
         std::nullopt, add_laddr, nat_handshake(true, true)},
        // The pool is made of the handshaken client's entry (kOneFlow's
        // addresses); new connections each get a reply entry too.
        {"NAT in established, 1 of 2^20 flows", nat_one(""), Traffic::FlowPool, kOneFlow, nat_in(false),
         Target{K::Ns, 200}, nullptr, nat_handshake(false, false)},
        // Replies of 2^20 flows: each flow's reply entry and the client entry
        // its reply is checked against (copies of the handshaken ones; FullNAT's
        // naming each flow's own client and local address and port).
        {"NAT out (reply) established, 1 of 2^20 flows", nat_one(""), Traffic::ReplyPool, kOneFlow, nat_out(false),
         Target{K::Ns, 200}, nullptr, nat_handshake(false, true)},
        {"NAT in new conn into full table, rr", nat_one(""), Traffic::NewIntoFull, kNewFlow, nat_in(false),
         Target{K::Ns, 400}, nullptr, nat_handshake(false, false)},
        {"FullNAT in established, 1 of 2^20 flows", nat_one(" --fullnat"), Traffic::FlowPool, kOneFlow, nat_in(true),
         Target{K::Ns, 200}, add_laddr, nat_handshake(true, false)},
        {"FullNAT out (reply) established, 1 of 2^20 flows", nat_one(" --fullnat"), Traffic::ReplyPool, kOneFlow,
         nat_out(true), Target{K::Ns, 200}, add_laddr, nat_handshake(true, true)},
        {"FullNAT in new conn into full table, rr", nat_one(" --fullnat"), Traffic::NewIntoFull, kNewFlow,
         nat_in(true), Target{K::Ns, 400}, add_laddr, fullnat_handshake_then_all_laddrs},
    };
    cases.insert(cases.end(), rest.begin(), rest.end());
    return cases;
}

}  // namespace lvs::bench
