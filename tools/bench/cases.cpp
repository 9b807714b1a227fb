#include "cases.h"

#include <arpa/inet.h>

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

std::string tun_one(const std::string& opts) { return service(kVip, "rr") + server(kVip, "10.9.0.19", "-i " + opts); }

std::string addr(uint32_t host_order) {
    in_addr a{htonl(host_order)};
    return inet_ntoa(a);
}

// 1,000 services of 100 servers each; traffic goes to the last service.
constexpr int kServices = 1000, kServers = 100;
std::string big_vip(int s) { return addr(0x0a020000 + s + 1); }              // 10.2.0.1 ...
std::string big_rip(int s, int r) { return addr(0x0a030000 + s * kServers + r + 1); }  // 10.3.0.1 ...

std::string big_rules() {
    std::string rules;
    for (int s = 0; s < kServices; ++s) {
        rules += service(big_vip(s), "rr");
        for (int r = 0; r < kServers; ++r)
            rules += server(big_vip(s), big_rip(s, r), "-g");
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

}  // namespace

std::vector<Case> all_cases() {
    const std::string dr_new = "DR new conn into full table, rr, 1 svc x 2";
    return {
        {"no service (pass to kernel)", dr_two("rr"), Traffic::NoService, Flow{.daddr = "10.1.0.200"}, passes(),
         Target{K::TimesDrop, 1.5}},
        {"DR established, 1 flow", dr_two("rr"), Traffic::Established, kOneFlow, dr_to(kRips),
         Target{K::TimesMacSwap, 2.5}},
        {"DR established, 1 of 2^20 flows", dr_two("rr"), Traffic::FlowPool, kPoolFlow, dr_to(kRips),
         Target{K::Ns, 200}},
        {dr_new, dr_two("rr"), Traffic::NewIntoFull, kNewFlow, dr_to(kRips), Target{K::Ns, 400}},
        {"DR new conn into full table, wrr 3:1, 1 svc x 2", dr_two("wrr", 3, 1), Traffic::NewIntoFull, kNewFlow,
         dr_to(kRips), Target{K::TimesCase, 1.5, dr_new}},
        {"DR new conn into full table, rr, 1000 svc x 100", big_rules(), Traffic::NewIntoFull,
         Flow{.saddr = kNewFlow.saddr, .daddr = big_vip(kServices - 1)}, dr_to(big_rips(kServices - 1)),
         Target{K::Ns, 400}},
        {"TUN ipip established, 1 flow", tun_one(""), Traffic::Established, kOneFlow, ipip_to("10.9.0.19"),
         Target{K::TimesMacSwap, 3}},
        {"TUN gue established, 1 flow", tun_one("--tun-type gue --tun-port 6080 --tun-nocsum"),
         Traffic::Established, kOneFlow, gue_to("10.9.0.19", 6080), Target{K::TimesMacSwap, 3}},
    };
}

}  // namespace lvs::bench
