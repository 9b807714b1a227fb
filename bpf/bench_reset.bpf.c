// SPDX-License-Identifier: GPL-2.0
/* lvs-bench's reset. BPF_PROG_TEST_RUN with repeat runs a program again and
 * again on the same buffer, so from the second run on it would see its own
 * output (a MAC-rewritten or encapsulated frame) and measure another path.
 * This program puts the input frame back before every run and tail-calls the
 * program under test; lvs-bench measures it alone (tail-calling XDP_DROP) and
 * subtracts that.
 *
 * It can also give every run another flow: a new 5-tuple each time (new
 * connections), or one of a pool of 2^k flows lvs-bench put in the connection
 * table (established flows spread over a big table), or the same pool's flows
 * seen from the other side: the destination varied (a server's replies to a
 * pool of clients). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BENCH_FRAME_WORDS 8 /* the input is 64 bytes */

enum bench_vary {
	VARY_NONE = 0, /* the same frame every run */
	VARY_POOL = 1, /* flow (counter * odd) mod 2^k: every flow of the pool once per 2^k runs, scattered */
	VARY_NEW = 2,  /* flow counter: never the same twice */
	VARY_POOL_DST = 3, /* as VARY_POOL, flow i in the destination address and port */
};

/* Written by lvs-bench through the skeleton before each case. */
__u64 frame[BENCH_FRAME_WORDS];
__u32 vary;
__u32 pool_mask;
/* Runs so far. A plain global, not per-CPU: lvs-bench runs on one CPU. */
__u32 counter;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

/* The one's-complement checksum of a 64-bit sum of 16-bit words. */
static __always_inline __u16 fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

SEC("xdp")
int bench_reset(struct xdp_md *ctx)
{
	/* The programs under test move only the frame's start (encapsulation
	 * pushes headers in front), so the length says how far to move it back. */
	int moved = (int)(ctx->data_end - ctx->data) - (int)sizeof(frame);
	if (moved && bpf_xdp_adjust_head(ctx, moved))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(frame) > data_end)
		return XDP_ABORTED;
	__u64 *words = data;
#pragma unroll
	for (int i = 0; i < BENCH_FRAME_WORDS; i++)
		words[i] = frame[i];

	if (vary != VARY_NONE) {
		/* Flow i: source (VARY_POOL_DST: destination) address + i / 65536,
		 * its port i % 65536. The IPv4 and TCP checksums follow (RFC 1624
		 * incremental update): NAT updates them incrementally, so a wrong
		 * one would show in its output. The frame is always TCP (20-byte
		 * IPv4 header). */
		__u32 i = counter++;
		if (vary == VARY_POOL || vary == VARY_POOL_DST)
			i = (i * 0x9e3779b1u) & pool_mask;
		struct iphdr *ip = data + sizeof(struct ethhdr);
		int dst = vary == VARY_POOL_DST;
		__be32 *addr = dst ? &ip->daddr : &ip->saddr;
		__be16 *port = (void *)(ip + 1) + (dst ? 2 : 0);
		__be16 *tcp_check = (void *)(ip + 1) + 16;
		__u32 old_addr = bpf_ntohl(*addr), new_addr = old_addr + (i >> 16);
		__u16 old_port = bpf_ntohs(*port), new_port = i & 0xffff;
		__u64 d = (~old_addr >> 16 & 0xffff) + (new_addr >> 16) + (~old_addr & 0xffff) + (new_addr & 0xffff);
		*addr = bpf_htonl(new_addr);
		*port = bpf_htons(new_port);
		ip->check = bpf_htons(fold((~bpf_ntohs(ip->check) & 0xffff) + d));
		*tcp_check = bpf_htons(fold((~bpf_ntohs(*tcp_check) & 0xffff) + d + (~old_port & 0xffff) + new_port));
	}
	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED; /* the target is missing */
}

char LICENSE[] SEC("license") = "GPL";
