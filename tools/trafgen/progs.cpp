#include "trafgen/progs.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace lvs::trafgen {
namespace {

// Instruction encoders (the kernel's BPF_* macros live in a non-uapi header).
bpf_insn ins(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst;
    i.src_reg = src;
    i.off = off;
    i.imm = imm;
    return i;
}
bpf_insn mov_imm(uint8_t dst, int32_t imm) { return ins(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn mov_reg(uint8_t dst, uint8_t src) { return ins(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn add_imm(uint8_t dst, int32_t imm) { return ins(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm); }
bpf_insn and_imm(uint8_t dst, int32_t imm) { return ins(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm); }
bpf_insn ldx_w(uint8_t dst, uint8_t src, int16_t off) { return ins(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0); }
bpf_insn stx_h(uint8_t dst, uint8_t src, int16_t off) { return ins(BPF_STX | BPF_MEM | BPF_H, dst, src, off, 0); }
bpf_insn stx_w(uint8_t dst, uint8_t src, int16_t off) { return ins(BPF_STX | BPF_MEM | BPF_W, dst, src, off, 0); }
bpf_insn add_reg(uint8_t dst, uint8_t src) { return ins(BPF_ALU64 | BPF_ADD | BPF_X, dst, src, 0, 0); }
bpf_insn rsh_imm(uint8_t dst, int32_t imm) { return ins(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm); }
bpf_insn xor_imm(uint8_t dst, int32_t imm) { return ins(BPF_ALU64 | BPF_XOR | BPF_K, dst, 0, 0, imm); }
bpf_insn to_be(uint8_t dst, int32_t bits) { return ins(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits); }
bpf_insn st_h(uint8_t dst, int16_t off, int32_t imm) { return ins(BPF_ST | BPF_MEM | BPF_H, dst, 0, off, imm); }
bpf_insn st_w(uint8_t dst, int16_t off, int32_t imm) { return ins(BPF_ST | BPF_MEM | BPF_W, dst, 0, off, imm); }
bpf_insn jgt_reg(uint8_t dst, uint8_t src, int16_t off) { return ins(BPF_JMP | BPF_JGT | BPF_X, dst, src, off, 0); }
bpf_insn call(int32_t helper) { return ins(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }
bpf_insn exit_insn() { return ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// The frame's bytes in memory order as the immediates of 4- and 2-byte stores
// (x86 and every BPF JIT target we build for are little-endian).
int32_t le32(const uint8_t* p) { return int32_t(p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24); }
int32_t le16(const uint8_t* p) { return p[0] | p[1] << 8; }

// Offsets in an Ethernet + IPv4 (no options) + UDP frame.
constexpr size_t kIpProto = 14 + 9;
constexpr int16_t kIpCsum = 14 + 10;
constexpr int16_t kIpSaddr = 14 + 12;

// The folded ones'-complement sum of the template's IP header, checksum field
// left out.
uint32_t ip_header_sum(const std::vector<uint8_t>& frame)
{
    uint32_t sum = 0;
    for (int at = 14; at < 14 + 20; at += 2)
        if (at != kIpCsum) sum += uint32_t(frame[at]) << 8 | frame[at + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}
constexpr int16_t kUdpSport = 14 + 20;
constexpr int16_t kUdpCsum = 14 + 20 + 6;

int load(const char* name, const std::vector<bpf_insn>& prog)
{
    std::string log(64 * 1024, '\0');
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_level = 1, .log_size = uint32_t(log.size()), .log_buf = log.data());
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", prog.data(), prog.size(), &opts);
    if (fd < 0) {
        int err = errno;
        throw std::runtime_error(std::string("loading ") + name + ": " + std::strerror(err) + "\n" + log.c_str());
    }
    return fd;
}

}  // namespace

int load_sender(const std::vector<uint8_t>& frame, uint32_t flows, uint32_t sources)
{
    // The whole frame is written back from immediates on every run: with live
    // frames the kernel recycles the pages and only resets the data pointers,
    // not the bytes, and the director rewrites them in place on the same page
    // (veth hands the page over): a TUN director's outer header would
    // otherwise overwrite the next frame's Ethernet header.
    // Then a random source port out of `flows` (1024 + random % flows, flows a
    // power of two: every flow sent about equally often), the UDP checksum 0
    // (none, which IPv4 allows), XDP_TX. A TCP template keeps its checksum,
    // right for the template's port only: receivers drop the other segments.
    // With sources > 1 the source address varies too (the IP header checksum
    // follows it; the TCP checksum does not).
    std::vector<bpf_insn> p{
        mov_reg(6, 1),                     // r6 = ctx (r1 dies in the call)
        call(BPF_FUNC_get_prandom_u32),    // r0 = random
        mov_reg(7, 0),
        and_imm(7, int32_t(flows - 1)),
        add_imm(7, 1024),
        to_be(7, 16),  // on the wire in network order, as the range above says
    };
    // With several sources, r8 = the template's source address + random %
    // sources and r9 = the IP header checksum that goes with it, both in
    // network order. The offset only adds to the address's low 16-bit word
    // (checked), so the header's sum grows by the offset alone.
    if (sources > 1) {
        uint32_t base = uint32_t(frame[kIpSaddr]) << 24 | frame[kIpSaddr + 1] << 16 | frame[kIpSaddr + 2] << 8 |
                        frame[kIpSaddr + 3];
        if ((base & 0xffff) + sources > 0x10000)
            throw std::runtime_error("the source addresses must not carry past the low 16 bits of the first one");
        p.insert(p.end(), {call(BPF_FUNC_get_prandom_u32), mov_reg(8, 0), and_imm(8, int32_t(sources - 1)),
                           mov_imm(9, int32_t(ip_header_sum(frame))), add_reg(9, 8), mov_reg(1, 9), rsh_imm(1, 16),
                           and_imm(9, 0xffff), add_reg(9, 1), xor_imm(9, 0xffff), to_be(9, 16),
                           add_imm(8, int32_t(base)), to_be(8, 32)});
    }
    p.insert(p.end(), {
        ldx_w(2, 6, offsetof(xdp_md, data)),
        ldx_w(3, 6, offsetof(xdp_md, data_end)),
        mov_reg(4, 2),
        add_imm(4, int32_t(frame.size())),
    });
    std::vector<bpf_insn> body;
    size_t at = 0;
    for (; at + 4 <= frame.size(); at += 4) body.push_back(st_w(2, int16_t(at), le32(&frame[at])));
    for (; at + 2 <= frame.size(); at += 2) body.push_back(st_h(2, int16_t(at), le16(&frame[at])));
    for (; at < frame.size(); at++) body.push_back(ins(BPF_ST | BPF_MEM | BPF_B, 2, 0, int16_t(at), frame[at]));
    body.push_back(stx_h(2, 7, kUdpSport));  // TCP's source port sits there too
    if (frame[kIpProto] == 17) body.push_back(st_h(2, kUdpCsum, 0));
    if (sources > 1) {
        body.push_back(stx_w(2, 8, kIpSaddr));
        body.push_back(stx_h(2, 9, kIpCsum));
    }
    // Frame shorter than the template (never, data_end is ours): XDP_TX as is.
    p.push_back(jgt_reg(4, 3, int16_t(body.size())));
    p.insert(p.end(), body.begin(), body.end());
    p.push_back(mov_imm(0, XDP_TX));
    p.push_back(exit_insn());
    return load("trafgen_send", p);
}

int load_drop()
{
    return load("trafgen_drop", {mov_imm(0, XDP_DROP), exit_insn()});
}

int load_forward(int out_ifindex, const Mac& src, const Mac& dst)
{
    std::vector<bpf_insn> p{
        ldx_w(2, 1, offsetof(xdp_md, data)),
        ldx_w(3, 1, offsetof(xdp_md, data_end)),
        mov_reg(4, 2),
        add_imm(4, 14),
        jgt_reg(4, 3, 8),                  // no Ethernet header: drop (below)
        st_w(2, 0, le32(&dst[0])),
        st_h(2, 4, le16(&dst[4])),
        st_h(2, 6, le16(&src[0])),
        st_w(2, 8, le32(&src[2])),
        mov_imm(1, out_ifindex),
        mov_imm(2, 0),
        call(BPF_FUNC_redirect),           // r0 = XDP_REDIRECT
        exit_insn(),
        mov_imm(0, XDP_DROP),
        exit_insn(),
    };
    // The jump skips the 8 instructions from the first store to the exit.
    return load("trafgen_fwd", p);
}

}  // namespace lvs::trafgen
