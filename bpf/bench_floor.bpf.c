// SPDX-License-Identifier: GPL-2.0
/* The floors lvs-bench measures every path against: what XDP costs when a
 * program does nothing (XDP_DROP), the least a forwarder does (check the
 * frame is IPv4, swap the MACs, send it back out), and the least a forwarder
 * that tracks many flows does: the same with one read of a flow's line in a
 * table too big for the caches. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

static __always_inline void mac_swap(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
}

/* The IPv4 header of an untagged IPv4 frame with at least l4_len bytes after
 * a 20-byte header, or NULL. */
static __always_inline struct iphdr *ipv4_frame(struct xdp_md *ctx, __u32 l4_len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) + l4_len > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->version != 4)
		return 0;
	return ip;
}

SEC("xdp")
int bench_mac_swap(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_frame(ctx, 0);
	if (!ip)
		return XDP_PASS;
	mac_swap((struct ethhdr *)ip - 1);
	return XDP_TX;
}

/* One 64-byte line per flow, all zero; lvs-bench sizes it (a power of two)
 * as the connection table of its cases of 2^20 flows, and sets the mask. */
struct bench_line {
	__u64 words[8];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_line);
} bench_lines SEC(".maps");
const volatile __u32 bench_lines_mask;

/* The MAC-swap floor plus the flow's line: a multiplicative hash of the
 * source address and port (what the reset varies) picks it (the product's
 * high bits spread the pool's flows evenly), and the frame is sent only
 * after the line has been read. No lookup of many flows can cost
 * less than this. */
SEC("xdp")
int bench_mac_swap_read(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_frame(ctx, sizeof(struct tcphdr));
	if (!ip)
		return XDP_PASS;
	struct tcphdr *tcp = (void *)(ip + 1);
	__u64 flow = (__u64)ip->saddr << 16 | tcp->source; /* distinct for every flow of the pool */
	__u32 idx = (__u32)((flow * 0x9e3779b97f4a7c15ULL) >> 32) & bench_lines_mask;
	struct bench_line *line = bpf_map_lookup_elem(&bench_lines, &idx);
	if (!line || line->words[0]) /* never set: the frame waits for the read */
		return XDP_ABORTED;
	mac_swap((struct ethhdr *)ip - 1);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
