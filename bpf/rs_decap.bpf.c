// SPDX-License-Identifier: GPL-2.0
/* Real-server side of TUN for kernels without tunnel devices: strips the outer
 * IPIP, GUE or GRE header of packets whose inner destination is a VIP this
 * server takes (lvs_rs_vips), so the kernel sees the client's packet as if it
 * had arrived directly. Everything else passes untouched. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"
#include "parse.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LVS_RS_MAX_VIPS);
	__type(key, struct lvs_addr);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_rs_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LVS_RS_MAX_GUE_PORTS);
	__type(key, __be16);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_rs_gue_ports SEC(".maps");

#define GRE_CSUM 0x8000
#define GRE_KEY 0x2000
#define GRE_SEQ 0x1000
#define GRE_VERSION 0x0007
#define GRE_ROUTING 0x4000

/* Length of the GUE header at p (variant 0 with IPv4 inside, or variant 1:
 * IPv4 directly), or -1 when it carries something else. */
static __always_inline int gue_len(__u8 *p, void *data_end)
{
	if ((void *)(p + 4) > data_end)
		return -1;
	__u8 variant = p[0] >> 6;
	if (variant == 1)
		return (p[0] >> 4) == 4 ? 0 : -1;  /* the IPv4 header itself */
	if (variant != 0 || (p[0] & 0x20) || p[1] != IPPROTO_IPIP)
		return -1;                          /* control message, or not IPv4 */
	return 4 + (p[0] & 0x1f) * 4;
}

/* Length of the GRE header at p carrying IPv4, or -1. */
static __always_inline int gre_len(__u8 *p, void *data_end)
{
	__be16 *h = (void *)p;
	if ((void *)(h + 2) > data_end)
		return -1;
	__u16 flags = bpf_ntohs(h[0]);
	if ((flags & (GRE_VERSION | GRE_ROUTING)) || h[1] != bpf_htons(ETH_P_IP))
		return -1;
	return 4 + ((flags & GRE_CSUM) ? 4 : 0) + ((flags & GRE_KEY) ? 4 : 0) + ((flags & GRE_SEQ) ? 4 : 0);
}

/* Bytes from the outer IP header (a checked, unfragmented one) to the inner
 * one, or -1 if not a tunnel. */
static __always_inline int outer_len(struct iphdr *ip, void *data_end)
{
	__u32 ihl = ip->ihl * 4;
	__u8 *l4 = (void *)ip + ihl;
	int extra;
	switch (ip->protocol) {
	case IPPROTO_IPIP:
		return ihl;
	case IPPROTO_UDP: {
		struct udphdr *udp = (void *)l4;
		if ((void *)(udp + 1) > data_end || !bpf_map_lookup_elem(&lvs_rs_gue_ports, &udp->dest))
			return -1;
		extra = gue_len((void *)(udp + 1), data_end);
		return extra < 0 ? -1 : ihl + sizeof(*udp) + extra;
	}
	case IPPROTO_GRE:
		extra = gre_len(l4, data_end);
		return extra < 0 ? -1 : ihl + extra;
	default:
		return -1;
	}
}

SEC("xdp")
int lvs_rs_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = parse_ipv4(data, data_end); /* outer fragments stay the kernel's */
	if (!ip)
		return XDP_PASS;

	/* At most: IP header with options (60), UDP (8), GUE with 31 words of
	 * optional fields (4 + 124). The bound is for the verifier. */
	int strip = outer_len(ip, data_end);
	if (strip < 0 || strip > 60 + 8 + 4 + 124)
		return XDP_PASS;
	struct iphdr *inner = (void *)ip + strip;
	if ((void *)(inner + 1) > data_end || inner->version != 4)
		return XDP_PASS;
	struct lvs_addr vip = {};
	vip.ip4 = inner->daddr;
	if (!bpf_map_lookup_elem(&lvs_rs_vips, &vip))
		return XDP_PASS;

	struct ethhdr saved = *eth;
	if (bpf_xdp_adjust_head(ctx, strip))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP; /* cannot happen: the inner header follows */
	*eth = saved;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
