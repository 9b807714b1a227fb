// Hostile frames through the real XDP object (issue 8, "Packets"): a million
// generated frames, one BPF_PROG_TEST_RUN each, against a director with DR,
// TUN (IPIP) and NAT services (TCP and UDP each), a FullNAT service and a
// service without servers, and the NAT and FullNAT servers' replies. Every
// frame is judged by an independent model of README's "How it forwards"
// (docs/robustness.md lists its rules), which follows the NAT flows the run
// opens so that it knows which replies are translated:
//   (a) a frame for no service comes back XDP_PASS, byte for byte;
//   (b) a frame for a service is forwarded with exactly its method's rewrite,
//       or passed unchanged / dropped by a named rule;
//   (c) lvs_xdp_stats moves by one frame: rx by one, and the counter of the
//       action taken (pass, tx, redirect, or a drop reason) by one.
// Seeded: a failure prints the seed; LVS_FUZZ_SEED replays it and
// LVS_FUZZ_FRAMES changes the count (default 1,000,000).
//
// VLAN-tagged frames and fragments follow rules of their own (fragment
// tracking, the VLAN a server is on), which the model does not rebuild. For
// them it asserts: the frame passes byte for byte, is dropped and counted,
// or is forwarded to one of the servers as a well-formed IPv4 packet (never
// corrupted) with its tags as they came, never a frame of a VLAN no server
// is on (the fuzz's servers are all on the untagged segment, VLAN id 0); the
// counters move by one frame; and the run must have forwarded some of each
// (priority-tagged frames and first fragments are balanced). They come from
// source ports of their own, so that the NAT flows they may open never mix
// with the flows the model follows.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <cstring>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "store/laddrs.h"
#include "testkit/director.h"

namespace lvs::test {
using namespace testkit;
namespace {

constexpr uint64_t kDefaultFrames = 1'000'000;
constexpr uint64_t kDefaultSeed = 0x5eed0008;
constexpr int kMaxReported = 10;  // failures printed in full; the rest are counted

const Mac kDrRs{0x02, 0, 0, 0, 0, 0x11};
const Mac kNatRs{0x02, 0, 0, 0, 0, 0x21};
const Mac kTunRs{0x02, 0, 0, 0, 0, 0x31};
const Mac kFullNatRs{0x02, 0, 0, 0, 0, 0x41};
const char* kDrVip = "10.1.0.100";
const char* kNatVip = "10.1.0.101";
const char* kEmptyVip = "10.1.0.102";  // a service without servers
const char* kOtherVip = "10.1.0.103";  // no service at all
const char* kTunVip = "10.1.0.104";
const char* kFullNatVip = "10.1.0.105";
const char* kDrRip = "10.1.0.11";
const char* kNatRip = "10.2.0.21";
const char* kTunRip = "10.9.0.19";
const char* kTunSrc = "10.1.0.2";
const char* kFullNatRip = "10.2.0.31";
const char* kLaddr = "10.2.0.1";  // FullNAT's local address
constexpr uint16_t kNatRport = 8080;  // every NAT and FullNAT server's port
// Frames with the last hop's TTL come from this client only, so the other
// clients' flows always start with a TTL that lets them through; this one's
// flows are set up by their first packet that goes on (docs/robustness.md,
// "A NAT flow whose first packet is not forwarded").
const char* kLastHopClient = "192.168.7.3";

uint64_t env_or(const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    return v ? std::strtoull(v, nullptr, 0) : fallback;
}

enum class Method { Dr, Tun, Nat, FullNat, NoServer };

struct Target {
    std::string vip;
    uint16_t port;
    uint8_t proto;
    Method method;
};

const std::vector<Target>& targets() {
    static const std::vector<Target> all = {
        {kDrVip, 80, 6, Method::Dr},       {kDrVip, 53, 17, Method::Dr},
        {kTunVip, 80, 6, Method::Tun},     {kTunVip, 53, 17, Method::Tun},
        {kNatVip, 80, 6, Method::Nat},     {kNatVip, 53, 17, Method::Nat},
        {kFullNatVip, 80, 6, Method::FullNat}, {kEmptyVip, 53, 17, Method::NoServer},
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
    d.ipvsadm("-A -u 10.1.0.101:53 -s rr");
    d.ipvsadm("-a -u 10.1.0.101:53 -r 10.2.0.21:8080 -m");
    d.set_mac(kNatRip, kNatRs);
    d.ipvsadm("-A -u 10.1.0.102:53 -s rr");
    d.ipvsadm("-A -t 10.1.0.104:80 -s rr");
    d.ipvsadm("-a -t 10.1.0.104:80 -r 10.9.0.19 -i");
    d.ipvsadm("-A -u 10.1.0.104:53 -s rr");
    d.ipvsadm("-a -u 10.1.0.104:53 -r 10.9.0.19 -i");
    d.set_tunnel_path(kTunRip, kTunRs, kTunSrc, 1500);
    add_local_addresses(d.maps(), {parse_addr(kLaddr)});
    d.ipvsadm("-A -t 10.1.0.105:80 -s rr");
    d.ipvsadm("-a -t 10.1.0.105:80 -r 10.2.0.31:8080 -m --fullnat");
    d.set_mac(kFullNatRip, kFullNatRs);
}

// Every state's timeout an hour: the model does not follow expiry, and a run
// can outlast IPVS's shortest timeout (CLOSE, 10 s), after which a flow that
// ended is scheduled anew and its reply entry rewritten.
void outlive_the_run(Director& d) {
    ArrayMap<lvs_config> config(d.maps().config);
    lvs_config c = config.get(0);
    for (uint32_t& t : c.tcp_timeout)
        t = 3600;
    c.udp_timeout = 3600;
    config.put(0, c);
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
    uint16_t sport = 0;
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
    v.sport = get16(f, v.l4);
    v.dport = get16(f, v.l4 + 2);
    return v;
}

const Target* service_of(const L4View& v) {
    for (const Target& s : targets())
        if (v.daddr == ip4(s.vip) && v.dport == s.port && v.proto == s.proto)
            return &s;
    return nullptr;
}

std::string hex(const Bytes& b) {
    std::ostringstream o;
    o << std::hex;
    for (uint8_t x : b)
        o << (x < 16 ? "0" : "") << int(x);
    return o.str();
}

// The rules of docs/robustness.md, one per outcome the model predicts.
const char* const kNotOurs = "not for a service: passed untouched";
const char* const kDr = "DR: only the MACs rewritten";
const char* const kTun = "TUN: the packet, unchanged, inside one IPv4 header to the server";
const char* const kNoServer = "service without an available server: dropped";
const char* const kNatTtl = "NAT or FullNAT with TTL <= 1: passed for the kernel's time-exceeded";
const char* const kNat = "NAT: destination rewritten, TTL down, checksums updated";
const char* const kFullNat = "FullNAT: both ends rewritten, TTL down, checksums updated";
const char* const kReply = "NAT or FullNAT reply of a live flow: back to the service's address";
const char* const kReplyTtl = "NAT or FullNAT reply with TTL <= 1: passed";
const char* const kTaggedOrFragment = "VLAN-tagged or fragment to a VIP: passed untouched or forwarded intact";
const char* const kUnsettled =
    "reply of a flow whose SYN may have started it anew and was not forwarded: translated or passed, counters only";
// Rules the run need not meet (rare by design); every other one must be met.
const std::set<std::string> kOptionalRules = {kUnsettled};
constexpr size_t kRules = 11;

// How a frame's output is judged.
enum class Judge { Exact, Masq, Intact, CountersOnly };

// A NAT or FullNAT rewrite: the addresses (network order), ports and MACs the
// frame must leave with.
struct Rewrite {
    uint32_t saddr = 0, daddr = 0;
    uint16_t sport = 0, dport = 0;
    Mac dst_mac{}, src_mac{};
    bool any_sport = false;  // FullNAT's local port: the program's choice
    // A reply sent back out of the interface it came in on: from the MAC it
    // came to (the director's there), not src_mac.
    bool src_is_own_dst = false;
    // MACs a reply may also carry: those of SYNs that may have started the
    // flow anew (a SYN on a flow in TIME_WAIT or CLOSE does, as in IPVS).
    std::set<std::pair<Mac, Mac>> other_macs;
};

// What the model expects for one frame: an action and the frame it leaves as
// (Exact), or the rewrite it must show (Masq), and the rule that decided it.
struct Expected {
    int action;
    Bytes out;
    const char* rule;
    Judge judge = Judge::Exact;
    Rewrite rewrite{};
    bool may_drop_for_no_port = false;  // a FullNAT flow that may be new
};

Bytes with_macs(Bytes f, const Mac& dst) {
    std::copy(dst.begin(), dst.end(), f.begin());
    std::copy(kDirectorMac.begin(), kDirectorMac.end(), f.begin() + 6);
    return f;
}

// The TUN (IPIP) frame README describes: the server's MAC, one IPv4 header
// (TOS, ID and DF of the packet, TTL 64, director's tunnel address to the
// server), then the client's packet byte for byte, padding included.
Bytes in_tunnel(const Bytes& in, const L4View& v) {
    const Ipv4Header outer{.tos = in[kEth + 1], .id = get16(in, kEth + 4), .df = (in[kEth + 6] & 0x40) != 0,
                           .ttl = 64, .proto = 4, .saddr = kTunSrc, .daddr = kTunRip, .payload_len = v.tot_len};
    return concat({ethernet_header(kTunRs, kDirectorMac), ipv4_header(outer), Bytes(in.begin() + kEth, in.end())});
}

Mac mac_at(const Bytes& f, size_t at) {
    Mac m;
    std::copy(f.begin() + at, f.begin() + at + 6, m.begin());
    return m;
}

// Offset of the IP header after any 802.1Q/802.1ad tags, and its EtherType.
std::pair<size_t, uint16_t> after_tags(const Bytes& f) {
    size_t at = 12;
    while (at + 6 <= f.size() && (get16(f, at) == 0x8100 || get16(f, at) == 0x88a8))
        at += 4;
    return {at + 2, at + 2 <= f.size() ? get16(f, at) : 0};
}

bool is_vip(uint32_t daddr) {
    for (const char* vip : {kDrVip, kNatVip, kEmptyVip, kTunVip, kFullNatVip})
        if (daddr == ip4(vip))
            return true;
    return false;
}

// Tagged frames, and fragments to a VIP or from a NAT or FullNAT server (a
// reply's): what the frag work changes (docs/robustness.md, R10).
bool tagged_or_fragment_to_vip(const Bytes& f) {
    const auto [ip, type] = after_tags(f);
    if (ip != kEth && type != 0)
        return true;
    if (f.size() < kEth + 20 || type != 0x0800 || f[kEth] >> 4 != 4 || !(get16(f, kEth + 6) & 0x3fff))
        return false;
    uint32_t saddr, daddr;
    std::memcpy(&saddr, &f[kEth + 12], 4);
    std::memcpy(&daddr, &f[kEth + 16], 4);
    return is_vip(daddr) || saddr == ip4(kNatRip) || saddr == ip4(kFullNatRip);
}

// A flow as the program keys it: source and destination address and port, protocol.
using Tuple = std::tuple<uint32_t, uint16_t, uint32_t, uint16_t, uint8_t>;

Tuple tuple_of(const Bytes& f, const L4View& v) {
    uint32_t saddr;
    std::memcpy(&saddr, &f[kEth + 12], 4);
    return {saddr, v.sport, v.daddr, v.dport, v.proto};
}

// A TCP SYN without ACK: on a flow in TIME_WAIT or CLOSE it starts a new
// connection (IPVS's connection reuse), which the model cannot tell from a
// retry as it does not follow TCP states.
bool syn_only(const Bytes& f, const L4View& v) { return v.proto == 6 && (f[v.l4 + 13] & 0x12) == 0x02; }

// A reply a NAT or FullNAT server may send: its tuple and the server's MAC.
struct ReplyFlow {
    Tuple tuple;
    Mac server_mac;
};

// README's rules, plus the NAT flows the run has opened: which replies the
// program translates, and to what.
class Model {
public:
    Expected expect(const Bytes& in) const {
        if (tagged_or_fragment_to_vip(in))
            return {XDP_PASS, in, kTaggedOrFragment, Judge::Intact};
        const std::optional<L4View> v = parse_as_readme(in);
        if (!v)
            return {XDP_PASS, in, kNotOurs};
        const Tuple t = tuple_of(in, *v);
        if (unfollowed_.count(t))
            return {XDP_PASS, in, kTaggedOrFragment, Judge::Intact};
        const uint8_t ttl = in[kEth + 8];
        if (auto r = replies_.find(t); r != replies_.end()) {
            if (ttl <= 1)
                return {XDP_PASS, in, kReplyTtl};
            if (unsettled_.count(flow_of_reply_.at(t)))
                return {XDP_PASS, {}, kUnsettled, Judge::CountersOnly};
            return {XDP_TX, {}, kReply, Judge::Masq, r->second};
        }
        const Target* s = service_of(*v);
        if (!s)
            return {XDP_PASS, in, kNotOurs};
        switch (s->method) {
        case Method::Dr: return {XDP_TX, with_macs(in, kDrRs), kDr};
        case Method::Tun: return {XDP_TX, in_tunnel(in, *v), kTun};
        case Method::NoServer: return {XDP_DROP, {}, kNoServer};
        case Method::Nat:
        case Method::FullNat: break;
        }
        if (ttl <= 1)
            return {XDP_PASS, in, kNatTtl};
        if (s->method == Method::Nat)
            return {XDP_TX, {}, kNat, Judge::Masq,
                    Rewrite{.saddr = std::get<0>(t), .daddr = ip4(kNatRip), .sport = v->sport, .dport = kNatRport,
                            .dst_mac = kNatRs, .src_mac = kDirectorMac}};
        return {XDP_TX, {}, kFullNat, Judge::Masq,
                Rewrite{.saddr = ip4(kLaddr), .daddr = ip4(kFullNatRip), .dport = kNatRport, .dst_mac = kFullNatRs,
                        .src_mac = kDirectorMac, .any_sport = true},
                !flows_.count(t) || unsettled_.count(t) || syn_only(in, *v)};
    }

    // After a NAT or FullNAT client frame ran: the flow the program now holds,
    // and the reply it will translate.
    void learn(const Bytes& in, const Expected& want, const RunResult& got) {
        if (want.rule == kTaggedOrFragment)
            learn_unfollowed(got);
        if (want.rule != kNat && want.rule != kFullNat && want.rule != kNatTtl)
            return;
        const L4View v = *parse_as_readme(in);
        const Tuple t = tuple_of(in, v);
        const bool first = flows_.insert(t).second;
        if (got.action != XDP_TX) {
            // A new flow, or (a SYN) one perhaps started anew on its
            // TIME_WAIT or CLOSE entry, that was not forwarded: its next
            // packet that goes on sets it up (perhaps again).
            if (first || syn_only(in, v))
                unsettled_.insert(t);
            return;
        }
        const bool settled_now = unsettled_.erase(t) > 0;
        const bool fullnat = want.rule == kFullNat;
        const Tuple reply{fullnat ? ip4(kFullNatRip) : ip4(kNatRip), kNatRport, want.rewrite.saddr,
                          fullnat ? get16(got.out, v.l4) : std::get<1>(t), v.proto};
        const Rewrite back{.saddr = v.daddr, .daddr = std::get<0>(t), .sport = v.dport, .dport = std::get<1>(t),
                           .dst_mac = mac_at(in, 6), .src_is_own_dst = true};
        // A flow set up anew on another FullNAT port: the old port's replies
        // name no live flow any more.
        if (auto old = reply_of_.find(t); old != reply_of_.end() && old->second != reply)
            replies_.erase(old->second);
        reply_of_[t] = reply;
        flow_of_reply_[reply] = t;
        Rewrite& known = replies_[reply];
        if (first || known.daddr != back.daddr || known.dport != back.dport)
            known = back;  // the program keeps the MACs of the packet that set the flow up
        else if (syn_only(in, v) || settled_now)  // set up anew, or not: either MACs
            known.other_macs.insert({back.dst_mac, back.src_mac});
        const ReplyFlow r{reply, fullnat ? kFullNatRs : kNatRs};
        if (recent_.size() < kRecent)
            recent_.push_back(r);
        else
            recent_[next_++ % kRecent] = r;
    }

    // A tagged frame or a first fragment forwarded to a NAT or FullNAT server
    // opened (or used) a flow the model does not follow: its replies are held
    // to what tagged frames and fragments are (Intact).
    void learn_unfollowed(const RunResult& got) {
        if (got.action != XDP_TX && got.action != XDP_REDIRECT)
            return;
        const size_t ip = after_tags(got.out).first;
        if (ip + 20 > got.out.size() || (get16(got.out, ip + 6) & 0x1fff))
            return;  // a later fragment carries no ports
        const size_t l4 = ip + (got.out[ip] & 0xf) * 4;
        if (l4 + 4 > got.out.size())
            return;
        uint32_t saddr, daddr;
        std::memcpy(&saddr, &got.out[ip + 12], 4);
        std::memcpy(&daddr, &got.out[ip + 16], 4);
        if (daddr == ip4(kNatRip) || daddr == ip4(kFullNatRip))
            unfollowed_.insert(Tuple{daddr, get16(got.out, l4 + 2), saddr, get16(got.out, l4), got.out[ip + 9]});
    }

    // Flows forwarded lately, whose replies the program must translate.
    const std::vector<ReplyFlow>& recent() const { return recent_; }

private:
    static constexpr size_t kRecent = 256;
    std::set<Tuple> flows_;         // NAT and FullNAT flows the program holds an entry for
    std::set<Tuple> unsettled_;  // those whose last set-up packet (new, or a SYN) was not forwarded
    std::map<Tuple, Rewrite> replies_;  // a reply as the server sends it -> its rewrite
    std::set<Tuple> unfollowed_;        // replies of flows opened by tagged frames or fragments
    std::map<Tuple, Tuple> reply_of_;        // flow -> the reply its entry leads back
    std::map<Tuple, Tuple> flow_of_reply_;   // reply -> its flow
    std::vector<ReplyFlow> recent_;
    size_t next_ = 0;
};

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
std::string masq_mismatch(const Bytes& in, const Bytes& out, const Rewrite& r) {
    if (out.size() != in.size())
        return "length changed";
    const L4View v = *parse_as_readme(in);
    const size_t l4_check = v.l4 + (v.proto == 6 ? 16 : 6);
    Bytes want = in;
    const bool other = r.other_macs.count({mac_at(out, 0), r.src_is_own_dst ? Mac{} : mac_at(out, 6)}) > 0;
    const Mac dst_mac = other ? mac_at(out, 0) : r.dst_mac;
    const Mac src_mac = r.src_is_own_dst ? mac_at(in, 0) : other ? mac_at(out, 6) : r.src_mac;
    std::copy(dst_mac.begin(), dst_mac.end(), want.begin());
    std::copy(src_mac.begin(), src_mac.end(), want.begin() + 6);
    want[kEth + 8] = in[kEth + 8] - 1;
    std::memcpy(&want[kEth + 12], &r.saddr, 4);
    std::memcpy(&want[kEth + 16], &r.daddr, 4);
    if (r.any_sport && get16(out, v.l4) < 1024)
        return "FullNAT local port below 1024";
    put16(want, v.l4, r.any_sport ? get16(out, v.l4) : r.sport);
    put16(want, v.l4 + 2, r.dport);
    for (size_t at : {kEth + 10, kEth + 11, l4_check, l4_check + 1})
        want[at] = out[at];  // the checksums, judged below
    if (out != want)
        return "bytes other than MACs, TTL, addresses, ports and checksums differ:\n    got  " + hex(out) +
               "\n    want " + hex(want);
    if (ones_sum(&in[kEth], v.ihl) != ones_sum(&out[kEth], v.ihl))
        return "IP checksum not updated incrementally";
    if (v.proto == 17 && get16(in, l4_check) == 0)
        return get16(out, l4_check) == 0 ? "" : "a UDP datagram without checksum got one";
    const size_t l4_len = v.tot_len - v.ihl;
    if (ones_sum(&in[v.l4], l4_len, pseudo_header_sum(in, v)) != ones_sum(&out[v.l4], l4_len, pseudo_header_sum(out, v)))
        return "L4 checksum not updated incrementally";
    return "";
}

// Tagged frames and fragments: passed byte for byte, dropped (the counters
// say why), or forwarded to one of our servers (or, a NAT reply, to the
// client) as an IPv4 packet whose header checksum is as valid as it came.
std::string intact_mismatch(const Bytes& in, const RunResult& got) {
    if (got.action == XDP_PASS)
        return got.out == in ? "" : "passed but changed";
    if (got.action == XDP_DROP)
        return "";
    if (got.action != XDP_TX && got.action != XDP_REDIRECT)
        return "unexpected action";
    const Mac to = mac_at(got.out, 0);
    if (to != kDrRs && to != kTunRs && to != kNatRs && to != kFullNatRs && to != kClientMac)
        return "forwarded to no server of ours, nor to the client";
    const auto [ip, type] = after_tags(got.out);
    if (type != 0x0800 || ip + 20 > got.out.size() || got.out[ip] >> 4 != 4)
        return "forwarded frame is not IPv4";
    const size_t in_ip = after_tags(in).first;
    if (ip != in_ip || !std::equal(in.begin() + 12, in.begin() + (in_ip - 2), got.out.begin() + 12))
        return "forwarded without its tags as they came";
    for (size_t tag = 12; tag + 4 <= in_ip - 2; tag += 4)
        if (get16(in, tag + 2) & 0x0fff)
            return "forwarded a frame of a VLAN no server is on";
    const auto ip_header_ok = [](const Bytes& f, size_t at) {
        const size_t ihl = (f[at] & 0xf) * 4;
        return ihl >= 20 && at + ihl <= f.size() && inet_checksum(&f[at], ihl) == 0;
    };
    if (in_ip < in.size() && ip_header_ok(in, in_ip) && !ip_header_ok(got.out, ip))
        return "forwarded with a broken IP header";
    return "";
}

// ---- the generator ----

class FrameFuzzer {
public:
    // Replies are drawn from the flows model has seen forwarded.
    FrameFuzzer(uint64_t seed, const Model& model) : rng_(seed), model_(model) {}

    // One frame of a category chosen at random; `what` names the category.
    Bytes next(std::string& what) {
        switch (below(20)) {
        case 0: case 1: case 2: case 3: case 4: what = "well-formed"; return service_frame();
        case 5: what = "truncated"; return truncated(service_frame());
        case 6: what = "wrong IHL"; return with_ihl(service_frame(), below(16));
        case 7: what = "wrong total length"; return with_tot_len(service_frame());
        case 8: what = "IP options"; return with_options(service_frame(), 1 + below(10));
        case 9: what = "fragment"; return fragment(client_frame(kOwnPorts));
        case 10: what = "VLAN/QinQ"; return tagged(client_frame(kOwnPorts), chance(1, 2));
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
    const Model& model_;
    uint8_t flags_ = 0;  // walks all 256 TCP flag combinations in turn

    size_t below(size_t n) { return rng_() % n; }
    bool chance(unsigned num, unsigned den) { return rng_() % den < num; }
    uint8_t byte() { return static_cast<uint8_t>(rng_()); }

    std::string client() {
        static const std::vector<std::string> pool = {"10.1.0.10", "10.1.0.20", kLastHopClient, "10.1.0.100"};
        return pool[below(pool.size())];
    }
    // A frame of a flow to a service or of its reply, or near one.
    Bytes service_frame() {
        return chance(1, 4) && !model_.recent().empty() ? reply_frame() : client_frame();
    }
    // Source ports of tagged frames and fragments, apart from the others':
    // once the data plane balances those, the flows they open are not the
    // model's to follow (see the top of this file).
    static constexpr uint16_t kOwnPorts = 1024 + 4096;
    // A client's frame to a service, or near one: another VIP, port or
    // protocol. Source ports from a pool of 4,096 from first_port, so that
    // flows recur.
    Bytes client_frame(uint16_t first_port = 1024) {
        const Target& s = targets()[below(targets().size())];
        FrameSpec f;
        f.saddr = client();
        f.daddr = chance(1, 8) ? kOtherVip : s.vip;
        f.proto = chance(1, 8) ? (s.proto == 6 ? 17 : 6) : s.proto;
        f.dport = chance(1, 8) ? static_cast<uint16_t>(rng_()) : s.port;
        f.sport = static_cast<uint16_t>(first_port + below(4096));
        f.ttl = f.saddr == kLastHopClient ? static_cast<uint8_t>(below(3)) : 64;
        return l4_frame(f);
    }
    // A NAT or FullNAT server's answer on a flow forwarded lately.
    Bytes reply_frame() {
        const ReplyFlow& r = model_.recent()[below(model_.recent().size())];
        const auto [saddr, sport, daddr, dport, proto] = r.tuple;
        FrameSpec f;
        f.src_mac = r.server_mac;
        f.saddr = addr_str(saddr);
        f.daddr = addr_str(daddr);
        f.sport = sport;
        f.dport = dport;
        f.proto = proto;
        f.ttl = chance(1, 16) ? static_cast<uint8_t>(below(2)) : 64;
        return l4_frame(f);
    }
    static std::string addr_str(uint32_t network_order) {
        char text[INET_ADDRSTRLEN];
        in_addr a{network_order};
        return inet_ntop(AF_INET, &a, text, sizeof text);
    }
    // f with the fuzz's flags, DF, payload and UDP checksum choices.
    Bytes l4_frame(FrameSpec& f) {
        f.tcp_flags = flags_++;
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
    // Half of them priority tags (VLAN id 0, any priority): those are the
    // untagged segment's, where the fuzz's servers are, so they are balanced
    // (their tags kept); the others are of VLANs no server is on.
    Bytes tagged(Bytes b, bool qinq) {
        const bool priority_only = chance(1, 2);
        auto tci = [&] { return priority_only ? Bytes{uint8_t(byte() & 0xf0), 0} : Bytes{byte(), byte()}; };
        Bytes tag = concat({{0x81, 0x00}, tci()});
        if (qinq)
            tag = concat({{0x88, 0xa8}, tci(), tag});
        return with_tags(std::move(b), tag);
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
        Bytes quoted = client_frame();
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
    if (want.judge == Judge::CountersOnly)
        return "";
    if (want.judge == Judge::Intact)
        return intact_mismatch(in, got);
    if (got.action == XDP_DROP && want.may_drop_for_no_port)
        return "";  // the counters say fullnat_no_port or not
    if (got.action != want.action)
        return std::string("action ") + action_name(got.action) + ", expected " + action_name(want.action);
    if (want.action == XDP_DROP)
        return "";
    if (want.judge == Judge::Masq)
        return masq_mismatch(in, got.out, want.rewrite);
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
    Model model;
    uint64_t failures = 0;
    std::map<std::string, uint64_t> by_rule;      // frames per rule the model applied
    std::map<std::string, uint64_t> failed_kind;  // failures per category, rule and problem
    std::map<std::string, uint64_t> forwarded;    // categories of kTaggedOrFragment frames forwarded

    void fail(uint64_t index, const std::string& what, const Bytes& in, const char* rule, const std::string& problem) {
        ++failed_kind[what + " / " + rule + " / " + problem.substr(0, problem.find('\n'))];
        if (failures++ < kMaxReported)
            ADD_FAILURE() << "seed " << seed << " frame #" << index << " (" << what << "), rule \"" << rule
                          << "\": " << problem << "\n    in   " << hex(in);
    }
    // One frame run: the action and bytes, then the counters.
    void judge(uint64_t index, const std::string& what, const Bytes& in, const RunResult& got, const Moved& m) {
        const Expected want = model.expect(in);
        ++by_rule[want.rule];
        if (const std::string p = mismatch(in, want, got); !p.empty())
            fail(index, what, in, want.rule, p);
        if (const std::string p = counters_mismatch(m, got.action); !p.empty())
            fail(index, what, in, want.rule, p);
        if (want.rule == kTaggedOrFragment && (got.action == XDP_TX || got.action == XDP_REDIRECT))
            ++forwarded[what];
        model.learn(in, want, got);
    }
};

}  // namespace

TEST(Fuzz, MillionFramesKeepTheForwardingRulesAndTheCounters) {
    const uint64_t seed = env_or("LVS_FUZZ_SEED", kDefaultSeed);
    const uint64_t frames = env_or("LVS_FUZZ_FRAMES", kDefaultFrames);
    SCOPED_TRACE("LVS_FUZZ_SEED=" + std::to_string(seed));
    Director d;
    configure(d);
    outlive_the_run(d);
    Report report{seed};
    FrameFuzzer fuzz(seed, report.model);
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
    size_t met = 0;
    for (const auto& [rule, n] : report.by_rule) {
        met += !kOptionalRules.count(rule);
        std::cout << "  " << n << " frames: " << rule << "\n";
    }
    EXPECT_EQ(met, kRules - kOptionalRules.size());
    // Balanced, not only left alone: priority-tagged frames and first
    // fragments to a VIP are forwarded.
    for (const char* what : {"VLAN/QinQ", "fragment"}) {
        std::cout << "  " << report.forwarded[what] << " " << what << " frames forwarded\n";
        EXPECT_GT(report.forwarded[what], 0u) << "no " << what << " frame was forwarded";
    }
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
