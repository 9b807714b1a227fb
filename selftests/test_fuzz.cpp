// Hostile frames through the real XDP object (issue 8, "Packets"): a million
// generated frames, one BPF_PROG_TEST_RUN each, against a director with a DR
// service (TCP and UDP), a NAT service and a service without servers. Every
// frame is judged by an independent model of README's "How it forwards"
// (docs/robustness.md lists its rules):
//   (a) a frame for no service comes back XDP_PASS, byte for byte;
//   (b) a frame for a service is forwarded with exactly its method's rewrite,
//       or passed unchanged / dropped by a named rule;
//   (c) lvs_xdp_stats moves by one frame: rx by one, and the counter of the
//       action taken (pass, tx, redirect, or a drop reason) by one.
// Seeded: a failure prints the seed; LVS_FUZZ_SEED replays it and
// LVS_FUZZ_FRAMES changes the count (default 1,000,000).
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <arpa/inet.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <cstring>
#include <random>
#include <sstream>

#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr uint64_t kDefaultFrames = 1'000'000;
constexpr uint64_t kDefaultSeed = 0x5eed0008;
constexpr int kMaxReported = 10;  // failures printed in full; the rest are counted

const Mac kDrRs{0x02, 0, 0, 0, 0, 0x11};
const Mac kNatRs{0x02, 0, 0, 0, 0, 0x21};
const char* kDrVip = "10.1.0.100";
const char* kNatVip = "10.1.0.101";
const char* kEmptyVip = "10.1.0.102";  // a service without servers
const char* kDrRip = "10.1.0.11";
const char* kNatRip = "10.2.0.21";
constexpr uint16_t kNatRport = 8080;

uint64_t env_or(const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    return v ? std::strtoull(v, nullptr, 0) : fallback;
}

enum class Method { Dr, Nat, NoServer };

struct Target {
    std::string vip;
    uint16_t port;
    uint8_t proto;
    Method method;
};

const std::vector<Target>& targets() {
    static const std::vector<Target> all = {
        {kDrVip, 80, 6, Method::Dr},
        {kDrVip, 53, 17, Method::Dr},
        {kNatVip, 80, 6, Method::Nat},
        {kEmptyVip, 53, 17, Method::NoServer},
    };
    return all;
}

void configure(Director& d) {
    d.ipvsadm("-A -t 10.1.0.100:80 -s rr");
    d.ipvsadm("-a -t 10.1.0.100:80 -r 10.1.0.11:80 -g");
    d.ipvsadm("-A -u 10.1.0.100:53 -s rr");
    d.ipvsadm("-a -u 10.1.0.100:53 -r 10.1.0.11:53 -g");
    d.set_mac(kDrRip, kDrRs);
    d.ipvsadm("-A -t 10.1.0.101:80 -s rr");
    d.ipvsadm("-a -t 10.1.0.101:80 -r 10.2.0.21:8080 -m");
    d.set_mac(kNatRip, kNatRs);
    d.ipvsadm("-A -u 10.1.0.102:53 -s rr");
}

// ---- the model: what README's "How it forwards" says the program parses ----

// Where a frame's IPv4 header and ports sit, when the program takes the
// frame as an unfragmented IPv4 TCP/UDP packet (parse.bpf.h's rules, restated).
struct L4View {
    size_t ihl = 0;      // bytes
    size_t tot_len = 0;  // the IP total length
    size_t l4 = 0;       // offset of the TCP/UDP header in the frame
    uint8_t proto = 0;
    uint32_t daddr = 0;  // network order
    uint16_t dport = 0;
};

std::optional<L4View> parse_as_readme(const Bytes& f) {
    if (f.size() < kEth + 20 || get16(f, 12) != 0x0800 || f[kEth] >> 4 != 4)
        return std::nullopt;  // not IPv4 in an untagged Ethernet frame
    L4View v;
    v.ihl = (f[kEth] & 0xf) * 4;
    v.tot_len = get16(f, kEth + 2);
    v.proto = f[kEth + 9];
    const size_t l4_hdr = v.proto == 6 ? 20 : v.proto == 17 ? 8 : 0;
    if (v.ihl < 20 || (get16(f, kEth + 6) & 0x3fff) || l4_hdr == 0)
        return std::nullopt;  // bad IHL, a fragment, or not TCP/UDP
    if (v.tot_len < v.ihl + l4_hdr || kEth + v.tot_len > f.size())
        return std::nullopt;  // the IP or L4 header claims more than the frame has
    v.l4 = kEth + v.ihl;
    std::memcpy(&v.daddr, &f[kEth + 16], 4);
    v.dport = get16(f, v.l4 + 2);
    return v;
}

const Target* service_of(const L4View& v) {
    for (const Target& s : targets())
        if (v.daddr == ip4(s.vip) && v.dport == s.port && v.proto == s.proto)
            return &s;
    return nullptr;
}

// The rules of docs/robustness.md, one per outcome the model predicts.
const char* const kNotOurs = "not for a service: passed untouched";
const char* const kDr = "DR: only the MACs rewritten";
const char* const kNoServer = "service without an available server: dropped";
const char* const kNatTtl = "NAT with TTL <= 1: passed for the kernel's time-exceeded";
const char* const kNat = "NAT: destination rewritten, TTL down, checksums updated";

// What the model expects for one frame: an action and the frame it leaves as
// (empty for a drop, and for NAT, whose output nat_mismatch judges), and the
// rule that decided it.
struct Expected {
    int action;
    Bytes out;
    const char* rule;
};

Bytes with_macs(Bytes f, const Mac& dst) {
    std::copy(dst.begin(), dst.end(), f.begin());
    std::copy(kDirectorMac.begin(), kDirectorMac.end(), f.begin() + 6);
    return f;
}

Expected expect(const Bytes& in) {
    const std::optional<L4View> v = parse_as_readme(in);
    const Target* s = v ? service_of(*v) : nullptr;
    if (!s)
        return {XDP_PASS, in, kNotOurs};
    switch (s->method) {
    case Method::Dr: return {XDP_TX, with_macs(in, kDrRs), kDr};
    case Method::NoServer: return {XDP_DROP, {}, kNoServer};
    case Method::Nat: return in[kEth + 8] <= 1 ? Expected{XDP_PASS, in, kNatTtl} : Expected{XDP_TX, {}, kNat};
    }
    return {XDP_PASS, in, "?"};
}

// ---- NAT output: checked by what must hold rather than rebuilt ----

// The ones'-complement sum of data, folded; 0 and 0xffff are one value.
uint16_t ones_sum(const uint8_t* data, size_t len, uint32_t initial = 0) {
    const uint16_t s = static_cast<uint16_t>(~inet_checksum(data, len, initial));
    return s == 0 ? 0xffff : s;
}

uint32_t pseudo_header_sum(const Bytes& f, const L4View& v) {
    uint32_t sum = v.proto + (v.tot_len - v.ihl);
    for (size_t at = kEth + 12; at < kEth + 20; at += 2)
        sum += get16(f, at);
    return sum;
}

// Incremental checksum updates keep each header's sum (checksum included)
// where it was: a valid checksum stays valid, a broken one stays as broken.
std::string nat_mismatch(const Bytes& in, const Bytes& out) {
    if (out.size() != in.size())
        return "length changed";
    const L4View v = *parse_as_readme(in);
    const size_t l4_check = v.l4 + (v.proto == 6 ? 16 : 6);
    Bytes want = with_macs(in, kNatRs);
    want[kEth + 8] = in[kEth + 8] - 1;
    const uint32_t rip = ip4(kNatRip);
    std::memcpy(&want[kEth + 16], &rip, 4);
    put16(want, v.l4 + 2, kNatRport);
    for (size_t at : {kEth + 10, kEth + 11, l4_check, l4_check + 1})
        want[at] = out[at];  // the checksums, judged below
    if (out != want)
        return "bytes other than MACs, TTL, destination and checksums differ";
    if (ones_sum(&in[kEth], v.ihl) != ones_sum(&out[kEth], v.ihl))
        return "IP checksum not updated incrementally";
    if (v.proto == 17 && get16(in, l4_check) == 0)
        return get16(out, l4_check) == 0 ? "" : "a UDP datagram without checksum got one";
    const size_t l4_len = v.tot_len - v.ihl;
    if (ones_sum(&in[v.l4], l4_len, pseudo_header_sum(in, v)) != ones_sum(&out[v.l4], l4_len, pseudo_header_sum(out, v)))
        return "L4 checksum not updated incrementally";
    return "";
}

// ---- the generator ----

class FrameFuzzer {
public:
    explicit FrameFuzzer(uint64_t seed) : rng_(seed) {}

    // One frame of a category chosen at random; `what` names the category.
    Bytes next(std::string& what) {
        switch (below(20)) {
        case 0: case 1: case 2: case 3: case 4: what = "well-formed"; return service_frame();
        case 5: what = "truncated"; return truncated(service_frame());
        case 6: what = "wrong IHL"; return with_ihl(service_frame(), below(16));
        case 7: what = "wrong total length"; return with_tot_len(service_frame());
        case 8: what = "IP options"; return with_options(service_frame(), 1 + below(10));
        case 9: what = "fragment"; return fragment(service_frame());
        case 10: what = "VLAN/QinQ"; return tagged(service_frame(), chance(1, 2));
        case 11: what = "IPv6"; return ipv6_frame();
        case 12: case 13: what = "ICMP error"; return icmp_error();
        case 14: what = "random bytes"; return random_bytes(kEth + below(1500));
        case 15: what = "random IPv4 body"; return random_ipv4();
        case 16: what = "other protocol"; return other_protocol(service_frame());
        case 17: what = "padded"; return padded(service_frame());
        default: what = "bytes flipped"; return flipped(service_frame(), 1 + below(3));
        }
    }

private:
    std::mt19937_64 rng_;
    uint8_t flags_ = 0;  // walks all 256 TCP flag combinations in turn

    size_t below(size_t n) { return rng_() % n; }
    bool chance(unsigned num, unsigned den) { return rng_() % den < num; }
    uint8_t byte() { return static_cast<uint8_t>(rng_()); }

    std::string client() {
        static const std::vector<std::string> pool = {"10.1.0.10", "10.1.0.20", "192.168.7.3", "10.1.0.100"};
        return pool[below(pool.size())];
    }
    // A frame to a service, or near one: another VIP, port or protocol.
    Bytes service_frame() {
        const Target& s = targets()[below(targets().size())];
        FrameSpec f;
        f.saddr = client();
        f.daddr = chance(1, 8) ? "10.1.0.103" : s.vip;
        f.proto = chance(1, 8) ? (s.proto == 6 ? 17 : 6) : s.proto;
        f.dport = chance(1, 8) ? static_cast<uint16_t>(rng_()) : s.port;
        f.sport = static_cast<uint16_t>(1024 + below(64512));
        f.tcp_flags = flags_++;
        f.ttl = chance(1, 8) ? static_cast<uint8_t>(below(3)) : 64;
        f.df = chance(1, 2);
        f.payload.assign(below(200), 'x');
        Bytes b = frame(f);
        if (f.proto == 17 && chance(1, 8))
            put16(b, kEth + 20 + 6, 0);  // UDP without checksum
        return b;
    }
    static void fix_ip_checksum(Bytes& b) {
        const size_t ihl = std::min<size_t>((b[kEth] & 0xf) * 4, b.size() - kEth);
        put16(b, kEth + 10, 0);
        put16(b, kEth + 10, inet_checksum(&b[kEth], ihl));
    }
    Bytes truncated(Bytes b) {
        b.resize(kEth + below(b.size() - kEth));  // the kernel refuses runs below 14 bytes
        return b;
    }
    Bytes with_ihl(Bytes b, size_t ihl) {
        b[kEth] = 0x40 | ihl;
        fix_ip_checksum(b);
        return b;
    }
    Bytes with_tot_len(Bytes b) {
        const size_t real = b.size() - kEth;
        const std::vector<size_t> choices = {0, 19, 20, 27, 39, real - 1, real + 1, 0xffff, below(0x10000)};
        put16(b, kEth + 2, static_cast<uint16_t>(choices[below(choices.size())]));
        fix_ip_checksum(b);
        return b;
    }
    // words 32-bit words of options (NOP, EOL, record-route-like or noise)
    // after the header; the packet stays valid and for the same service.
    Bytes with_options(Bytes b, size_t words) {
        Bytes opts(words * 4);
        for (uint8_t& o : opts)
            o = chance(1, 2) ? 1 : byte();
        b.insert(b.begin() + kEth + 20, opts.begin(), opts.end());
        b[kEth] = 0x40 | (5 + words);
        put16(b, kEth + 2, get16(b, kEth + 2) + opts.size());
        fix_ip_checksum(b);
        return b;
    }
    Bytes fragment(Bytes b) {
        const uint16_t mf_or_offset = chance(1, 2) ? 0x2000 | below(0x2000) : 1 + below(0x1fff);
        put16(b, kEth + 6, mf_or_offset | (chance(1, 2) ? 0x4000 : 0));
        fix_ip_checksum(b);
        return b;
    }
    Bytes tagged(Bytes b, bool qinq) {
        Bytes tag = {0x81, 0x00, byte(), byte()};
        if (qinq)
            tag.insert(tag.begin(), {0x88, 0xa8, byte(), byte()});
        b.insert(b.begin() + 12, tag.begin(), tag.end());
        return b;
    }
    Bytes padded(Bytes b) {  // bytes after the IP total length, as Ethernet pads short frames
        for (size_t n = 1 + below(40); n; --n)
            b.push_back(byte());
        return b;
    }
    Bytes other_protocol(Bytes b) {
        static const std::vector<uint8_t> protos = {1, 2, 4, 41, 47, 50, 58, 132, 136, 255};
        b[kEth + 9] = chance(3, 4) ? protos[below(protos.size())] : byte();
        fix_ip_checksum(b);
        return b;
    }
    Bytes flipped(Bytes b, size_t n) {
        for (; n; --n)
            b[below(b.size())] ^= 1 + below(255);
        return b;
    }
    Bytes random_bytes(size_t len) {
        Bytes b(len);
        for (uint8_t& x : b)
            x = byte();
        return b;
    }
    Bytes random_ipv4() {
        Bytes b = random_bytes(kEth + 20 + below(200));
        put16(b, 12, 0x0800);
        b[kEth] = 0x40 | (b[kEth] & 0xf);
        return b;
    }
    // IPv6 to the VIP's v4-mapped address or a v6 one, through a chain of
    // extension headers (hop-by-hop, routing, fragment, destination options)
    // to TCP port 80.
    Bytes ipv6_frame() {
        static const std::vector<uint8_t> ext = {0, 43, 44, 60};
        Bytes l4(20);
        put16(l4, 2, 80);
        l4[12] = 5 << 4;
        l4[13] = byte();
        uint8_t next = 6;
        for (size_t n = below(4); n; --n) {
            Bytes h(8);
            h[0] = next;
            next = ext[below(ext.size())];
            l4.insert(l4.begin(), h.begin(), h.end());
        }
        Bytes ip6(40);
        ip6[0] = 0x60;
        put16(ip6, 4, static_cast<uint16_t>(l4.size()));
        ip6[6] = next;
        ip6[7] = 64;
        ip6[8] = 0x20, ip6[9] = 0x01, ip6[23] = 0x10;
        if (chance(1, 2)) {  // ::ffff:10.1.0.100
            ip6[34] = ip6[35] = 0xff;
            const uint32_t vip = ip4(kDrVip);
            std::memcpy(&ip6[36], &vip, 4);
        } else {
            ip6[24] = 0x20, ip6[25] = 0x01, ip6[39] = 0x64;
        }
        return concat({ethernet_header(kDirectorMac, kClientMac, 0x86dd), ip6, l4});
    }
    // An ICMP error (unreachable, time exceeded, parameter problem, or any
    // type) quoting a client's packet to a service, cut anywhere inside the
    // quoted headers. It names no NAT flow, so nothing may translate it.
    Bytes icmp_error() {
        static const std::vector<uint8_t> types = {3, 11, 12};
        Bytes quoted = service_frame();
        quoted.erase(quoted.begin(), quoted.begin() + kEth);
        quoted.resize(below(std::min<size_t>(quoted.size(), 48) + 1));
        Bytes icmp(8 + quoted.size());
        icmp[0] = chance(7, 8) ? types[below(types.size())] : byte();
        icmp[1] = byte();  // code
        std::copy(quoted.begin(), quoted.end(), icmp.begin() + 8);
        put16(icmp, 2, inet_checksum(icmp.data(), icmp.size()));
        const bool to_vip = chance(1, 2);
        Bytes ip = ipv4_header({.ttl = static_cast<uint8_t>(below(3) ? 64 : below(2)), .proto = 1,
                                .saddr = to_vip ? "10.9.9.9" : kNatRip, .daddr = to_vip ? kNatVip : "10.1.0.10",
                                .payload_len = icmp.size()});
        return concat({ethernet_header(kDirectorMac, kClientMac), ip, icmp});
    }
};

// ---- running and judging ----

std::string hex(const Bytes& b) {
    std::ostringstream o;
    o << std::hex;
    for (uint8_t x : b)
        o << (x < 16 ? "0" : "") << int(x);
    return o.str();
}

const char* action_name(int a) {
    switch (a) {
    case XDP_ABORTED: return "XDP_ABORTED";
    case XDP_DROP: return "XDP_DROP";
    case XDP_PASS: return "XDP_PASS";
    case XDP_TX: return "XDP_TX";
    case XDP_REDIRECT: return "XDP_REDIRECT";
    default: return "?";
    }
}

// Empty when the program did what the model expects.
std::string mismatch(const Bytes& in, const Expected& want, const RunResult& got) {
    if (got.action != want.action)
        return std::string("action ") + action_name(got.action) + ", expected " + action_name(want.action);
    if (want.action == XDP_DROP)
        return "";
    if (want.out.empty())
        return nat_mismatch(in, got.out);
    return got.out == want.out ? "" : "frame changed:\n    got  " + hex(got.out) + "\n    want " + hex(want.out);
}

struct Moved {
    uint64_t rx, pass, tx, redirect, drops;
};

Moved moved(const lvs_xdp_stats& before, const lvs_xdp_stats& after) {
    return {after.rx - before.rx, after.pass - before.pass, after.tx - before.tx, after.redirect - before.redirect,
            (after.no_dest - before.no_dest) + (after.fullnat_no_port - before.fullnat_no_port) +
                (after.drop_error - before.drop_error) + (after.icmp_bad_mtu - before.icmp_bad_mtu) +
                (after.nodest_drop - before.nodest_drop)};
}

// The counters of one frame: rx by one, and the action's own counter by one.
std::string counters_mismatch(const Moved& m, int action) {
    if (m.rx == 1 && m.pass == (action == XDP_PASS) && m.tx == (action == XDP_TX) &&
        m.redirect == (action == XDP_REDIRECT) && m.drops == (action == XDP_DROP))
        return "";
    std::ostringstream o;
    o << "counters moved rx+" << m.rx << " pass+" << m.pass << " tx+" << m.tx << " redirect+" << m.redirect
      << " drops+" << m.drops << " for " << action_name(action);
    return o.str();
}

struct Report {
    uint64_t seed;
    uint64_t failures = 0;
    std::map<std::string, uint64_t> by_rule;      // frames per rule the model applied
    std::map<std::string, uint64_t> failed_kind;  // failures per category, rule and problem

    void fail(uint64_t index, const std::string& what, const Bytes& in, const char* rule, const std::string& problem) {
        ++failed_kind[what + " / " + rule + " / " + problem.substr(0, problem.find('\n'))];
        if (failures++ < kMaxReported)
            ADD_FAILURE() << "seed " << seed << " frame #" << index << " (" << what << "), rule \"" << rule
                          << "\": " << problem << "\n    in   " << hex(in);
    }
    // One frame run: the action and bytes, then the counters.
    void judge(uint64_t index, const std::string& what, const Bytes& in, const RunResult& got, const Moved& m) {
        const Expected want = expect(in);
        ++by_rule[want.rule];
        if (const std::string p = mismatch(in, want, got); !p.empty())
            fail(index, what, in, want.rule, p);
        if (const std::string p = counters_mismatch(m, got.action); !p.empty())
            fail(index, what, in, want.rule, p);
    }
};

}  // namespace

TEST(Fuzz, MillionFramesKeepTheForwardingRulesAndTheCounters) {
    const uint64_t seed = env_or("LVS_FUZZ_SEED", kDefaultSeed);
    const uint64_t frames = env_or("LVS_FUZZ_FRAMES", kDefaultFrames);
    SCOPED_TRACE("LVS_FUZZ_SEED=" + std::to_string(seed));
    Director d;
    configure(d);
    FrameFuzzer fuzz(seed);
    Report report{seed};
    lvs_xdp_stats before = d.xdp_stats();
    for (uint64_t i = 0; i < frames; ++i) {
        std::string what;
        const Bytes in = fuzz.next(what);
        const RunResult got = d.run(in);
        const lvs_xdp_stats after = d.xdp_stats();
        report.judge(i, what, in, got, moved(before, after));
        before = after;
    }
    for (const auto& [kind, n] : report.failed_kind)
        ADD_FAILURE() << n << " frames: " << kind;
    // Every rule must have been exercised, or the run proves less than it says.
    EXPECT_EQ(report.by_rule.size(), 5u);
    for (const auto& [rule, n] : report.by_rule)
        std::cout << "  " << n << " frames: " << rule << "\n";
    const lvs_xdp_stats s = d.xdp_stats();
    EXPECT_EQ(s.rx, frames);
    EXPECT_EQ(s.rx, s.pass + s.tx + s.redirect + s.no_dest + s.fullnat_no_port + s.drop_error + s.icmp_bad_mtu +
              s.nodest_drop);
}

// Every cut of a frame for each service, byte by byte, is a frame whose
// headers claim more than it holds: passed untouched.
TEST(Fuzz, EveryTruncationOfAServiceFramePassesUnchanged) {
    Director d;
    configure(d);
    for (const Target& s : targets()) {
        FrameSpec f;
        f.daddr = s.vip;
        f.dport = s.port;
        f.proto = s.proto;
        f.payload = "payload";
        const Bytes whole = frame(f);
        for (size_t len = kEth; len < whole.size(); ++len) {
            const Bytes cut(whole.begin(), whole.begin() + len);
            const RunResult r = d.run(cut);
            EXPECT_EQ(r.action, XDP_PASS) << s.vip << ":" << s.port << " cut at " << len;
            EXPECT_EQ(r.out, cut) << s.vip << ":" << s.port << " cut at " << len;
        }
    }
}

// IPVS schedules only SYNs; lvs-xdp schedules a TCP packet of an unknown flow
// whatever its flags (README's deviations), and forwards every later one.
TEST(Fuzz, EveryTcpFlagCombinationToADrServiceIsForwarded) {
    Director d;
    configure(d);
    for (unsigned flags = 0; flags < 256; ++flags) {
        FrameSpec f;
        f.tcp_flags = static_cast<uint8_t>(flags);
        f.sport = static_cast<uint16_t>(30000 + flags % 2);  // new flows and known ones
        const Bytes in = frame(f);
        const RunResult r = d.run(in);
        EXPECT_EQ(r.action, XDP_TX) << "flags " << flags;
        EXPECT_EQ(r.out, with_macs(in, kDrRs)) << "flags " << flags;
    }
}

}  // namespace lvs::test
