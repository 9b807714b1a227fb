// lvs-trafgen: the traffic generator of the end-to-end benchmark
// (tools/bench/e2e.sh, docs/benchmarks.md "End to end").
//
//   lvs-trafgen send --dev IF --dst-mac MAC --src A --dst VIP --dport P --seconds S [--flows N] [--syn] [--sources K] [--pps R] [--via auto|live|socket]
//       sends 60-byte UDP frames (a random source port of N each) out of IF at full
//       speed (or R frames a second) for S seconds; prints the frames sent, the
//       rate and how they were sent. --syn sends TCP SYNs instead: a flood of
//       new connections (tests/e2e/test_syn_flood.sh); --sources K spreads them
//       over K source addresses from A up.
//   lvs-trafgen drop --dev IF             attaches an XDP_DROP program (native)
//   lvs-trafgen forward --dev IF --to OUT --dst-mac MAC
//       attaches the floor forwarder to IF: every frame gets OUT's MAC as
//       source and MAC as destination and is redirected out of OUT.
//
// Attached programs stay attached after exit (netlink holds them); remove them
// with `ip link set dev IF xdp off` (e2e.sh deletes the namespaces).
//
// How it sends (Debian's xdp-trafficgen fails on this kernel, LAB-NOTES): one
// BPF_PROG_TEST_RUN after another with BPF_F_TEST_XDP_LIVE_FRAMES. The kernel
// then builds `batch_size` frames from data_in in a page pool, runs the program
// on each with IF as the ingress interface and really transmits the frames the
// program returns XDP_TX for, out of IF; `repeat` runs per call. The peer of
// IF needs an XDP program or GRO (veth delivers XDP_TX only then). A kernel
// that refuses live-frame runs gets the frames through a packet socket
// instead (packet_socket.h), unless --via live insists.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "testkit/packet.h"
#include "trafgen/packet_socket.h"
#include "trafgen/progs.h"

namespace {

using lvs::trafgen::Mac;
using Clock = std::chrono::steady_clock;

int ifindex_of(const std::string& dev)
{
    unsigned idx = if_nametoindex(dev.c_str());
    if (idx == 0) throw std::runtime_error("no interface " + dev + " in this network namespace");
    return int(idx);
}

Mac mac_of(const std::string& dev)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    ifreq req{};
    std::snprintf(req.ifr_name, sizeof req.ifr_name, "%s", dev.c_str());
    int rc = ioctl(s, SIOCGIFHWADDR, &req);
    close(s);
    if (rc < 0) throw std::runtime_error("reading the MAC of " + dev + ": " + std::strerror(errno));
    Mac m;
    std::memcpy(m.data(), req.ifr_hwaddr.sa_data, m.size());
    return m;
}

Mac parse_mac(const std::string& text)
{
    Mac m;
    unsigned b[6];
    if (std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
        throw std::runtime_error("not a MAC address: " + text);
    for (int i = 0; i < 6; i++) m[i] = uint8_t(b[i]);
    return m;
}

// Attaches prog_fd to dev in native mode, replacing what is there.
void attach_native(const std::string& dev, int prog_fd)
{
    int err = bpf_xdp_attach(ifindex_of(dev), prog_fd, XDP_FLAGS_DRV_MODE, nullptr);
    if (err) throw std::runtime_error("attaching XDP to " + dev + ": " + std::strerror(-err));
}

struct SendOptions {
    std::string dev, dst_mac, src, dst;
    uint16_t dport = 9;
    double seconds = 5;
    uint32_t batch = 64;
    uint32_t repeat = 1u << 16;
    uint32_t flows = 32768;
    bool syn = false;
    uint32_t sources = 1;
    uint32_t pps = 0;  // 0: full speed
    std::string via = "auto";  // live, socket, or auto (live unless the kernel refuses it)
};

// How the frames leave: one call sends a batch (paced) or `repeat` frames
// (full speed) and returns how many went.
using SendCall = std::function<uint64_t()>;

// The live-frame test run of the sender program (the header's "How it
// sends"), or nothing when the kernel refuses such runs: then the packet
// socket (packet_socket.h) sends instead.
std::optional<SendCall> live_frames(int prog, int ifindex, lvs::testkit::Bytes& frame, uint32_t repeat,
                                    uint32_t batch, std::shared_ptr<xdp_md> ctx, bool required)
{
    ctx->data_end = uint32_t(frame.size());
    ctx->ingress_ifindex = uint32_t(ifindex);
    auto run = std::make_shared<bpf_test_run_opts>();
    *run = {.sz = sizeof(bpf_test_run_opts), .data_in = frame.data(), .data_size_in = uint32_t(frame.size()),
            .ctx_in = ctx.get(), .ctx_size_in = sizeof(xdp_md), .repeat = int(repeat),
            .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = batch};
    auto fail = [](int err) {
        return std::runtime_error(std::string("BPF_PROG_TEST_RUN (live frames): ") + std::strerror(-err));
    };
    if (int err = bpf_prog_test_run_opts(prog, run.get()); err) {
        if (required || (err != -EPERM && err != -EOPNOTSUPP))
            throw fail(err);
        std::fprintf(stderr, "lvs-trafgen: live-frame test runs refused (%s); sending through a packet socket\n",
                     std::strerror(-err));
        return std::nullopt;
    }
    return [prog, run, ctx, repeat, fail]() -> uint64_t {
        if (int err = bpf_prog_test_run_opts(prog, run.get()); err)
            throw fail(err);
        return repeat;
    };
}

int send(const SendOptions& o)
{
    int ifindex = ifindex_of(o.dev);
    lvs::testkit::FrameSpec spec;
    spec.src_mac = mac_of(o.dev);
    spec.dst_mac = parse_mac(o.dst_mac);
    spec.saddr = o.src;
    spec.daddr = o.dst;
    spec.proto = o.syn ? 6 : 17;
    spec.tcp_flags = 0x02;  // SYN
    spec.sport = 1024;
    spec.dport = o.dport;
    spec.payload = std::string(o.syn ? 6 : 18, 'x');  // 42 (UDP) or 54 (TCP) bytes of headers: 60 bytes (64 with the FCS)
    lvs::testkit::Bytes frame = lvs::testkit::frame(spec);

    int prog = lvs::trafgen::load_sender(frame, o.flows, o.sources);
    // Paced, a call sends one batch and the sender sleeps until the next is
    // due: bursts no longer than a batch, which the veth rings absorb.
    uint32_t repeat = o.pps ? o.batch : o.repeat;
    std::optional<SendCall> call;
    if (o.via != "socket")
        call = live_frames(prog, ifindex, frame, repeat, o.batch, std::make_shared<xdp_md>(), o.via == "live");
    const char* method = "live frames";
    std::unique_ptr<lvs::trafgen::PacketSocketSender> socket_sender;
    if (!call) {
        socket_sender = std::make_unique<lvs::trafgen::PacketSocketSender>(ifindex, frame, o.flows, o.sources, o.batch);
        // Full speed: as many batches per call as make `repeat` frames, so
        // that the clock is read as seldom as with live frames.
        const uint32_t batches = o.pps ? 1 : std::max(1u, repeat / o.batch);
        call = [&socket_sender, batches]() -> uint64_t {
            uint64_t n = 0;
            for (uint32_t i = 0; i < batches; ++i)
                n += socket_sender->send_batch();
            return n;
        };
        method = "packet socket";
    }

    // Calls until the time is up: the clock is read between calls only, so a
    // call is short (2^16 frames: tens of ms) to end on time.
    uint64_t sent = 0;
    auto start = Clock::now();
    auto end = start + std::chrono::duration<double>(o.seconds);
    auto now = start;
    while (now < end) {
        sent += (*call)();
        now = Clock::now();
        if (o.pps) {
            auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(sent) / o.pps));
            if (due > now) {
                std::this_thread::sleep_until(due);
                now = Clock::now();
            }
        }
    }
    close(prog);
    double secs = std::chrono::duration<double>(now - start).count();
    std::printf("sent %llu frames in %.2f s: %.0f pps (%zu-byte %s to %s:%u from %s, %u source ports, out of %s, %s)\n",
                (unsigned long long)sent, secs, double(sent) / secs, frame.size(), o.syn ? "TCP SYN" : "UDP",
                o.dst.c_str(), unsigned(o.dport),
                o.src.c_str(), unsigned(o.flows), o.dev.c_str(), method);
    return 0;
}

// A CLI11 check: a power of two from 1 to max.
std::function<std::string(const std::string&)> power_of_two_up_to(unsigned long max)
{
    return [max](const std::string& v) {
        unsigned long n = std::stoul(v);
        return n >= 1 && n <= max && (n & (n - 1)) == 0 ? "" : "a power of two from 1 to " + std::to_string(max);
    };
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"lvs-trafgen: UDP or TCP SYN flood with BPF_PROG_TEST_RUN live frames, and the XDP helpers of tools/bench/e2e.sh"};
    app.require_subcommand(1);

    SendOptions so;
    auto* send_cmd = app.add_subcommand("send", "send UDP frames (or TCP SYNs) out of an interface at full speed or a given rate");
    send_cmd->add_option("--dev", so.dev, "interface to send from")->required();
    send_cmd->add_option("--dst-mac", so.dst_mac, "destination MAC (the director's interface)")->required();
    send_cmd->add_option("--src", so.src, "source IPv4 address")->required();
    send_cmd->add_option("--dst", so.dst, "destination IPv4 address (the VIP)")->required();
    send_cmd->add_option("--dport", so.dport, "destination port")->capture_default_str();
    send_cmd->add_option("--seconds", so.seconds, "how long to send")->capture_default_str();
    send_cmd->add_option("--batch", so.batch, "frames per batch of the live test run (max 256)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    send_cmd->add_option("--flows", so.flows, "source ports used (1024 + random % N), a power of two")
        ->check(power_of_two_up_to(32768))
        ->capture_default_str();
    send_cmd->add_option("--repeat", so.repeat, "frames per BPF_PROG_TEST_RUN call")->capture_default_str();
    send_cmd->add_flag("--syn", so.syn, "TCP SYNs instead of UDP (their checksum is right for one port only)");
    send_cmd->add_option("--sources", so.sources,
                         "source addresses used (--src + random % N, a power of two)")
        ->check(power_of_two_up_to(65536))
        ->capture_default_str();
    send_cmd->add_option("--pps", so.pps, "frames a second (0: full speed); paced in batches of --batch")
        ->capture_default_str();
    send_cmd->add_option("--via", so.via,
                         "live (BPF_PROG_TEST_RUN live frames), socket (an AF_PACKET socket), or auto: live "
                         "unless the kernel refuses it")
        ->check(CLI::IsMember({"auto", "live", "socket"}))
        ->capture_default_str();

    std::string drop_dev;
    auto* drop_cmd = app.add_subcommand("drop", "attach an XDP_DROP program (native mode)");
    drop_cmd->add_option("--dev", drop_dev, "interface")->required();

    std::string fwd_dev, fwd_to, fwd_mac;
    auto* fwd_cmd = app.add_subcommand("forward", "attach the floor forwarder: set MACs, redirect out of another interface");
    fwd_cmd->add_option("--dev", fwd_dev, "interface the frames arrive on")->required();
    fwd_cmd->add_option("--to", fwd_to, "interface to redirect them out of")->required();
    fwd_cmd->add_option("--dst-mac", fwd_mac, "their new destination MAC")->required();

    CLI11_PARSE(app, argc, argv);
    libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
    try {
        if (*send_cmd) return send(so);
        int fd = *drop_cmd ? lvs::trafgen::load_drop()
                           : lvs::trafgen::load_forward(ifindex_of(fwd_to), mac_of(fwd_to), parse_mac(fwd_mac));
        attach_native(*drop_cmd ? drop_dev : fwd_dev, fd);
        close(fd);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lvs-trafgen: %s\n", e.what());
        return 1;
    }
}
