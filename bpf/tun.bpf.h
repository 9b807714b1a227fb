/* SPDX-License-Identifier: GPL-2.0 */
/* TUN mode: the client's packet, untouched, inside one more IPv4 header (IPIP),
 * or inside IPv4 + UDP + GUE, or IPv4 + GRE, as IPVS's ip_vs_tunnel_xmit builds
 * them, addressed to the real server. */
#ifndef LVS_TUN_BPF_H
#define LVS_TUN_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include "csum.bpf.h"
#include "l2.bpf.h"
#include "parse.bpf.h"

#define IP_DF 0x4000
#define TUN_TTL 64
#define GRE_CSUM 0x8000

struct gue_hdr {
	__u8 hlen_ctl_ver; /* version 0, control 0, no optional fields: 0 */
	__u8 proto_ctype;  /* IPPROTO_IPIP: an IPv4 packet follows */
	__be16 flags;
};

struct gre_hdr {
	__be16 flags;
	__be16 proto;
};

struct gre_csum_hdr {
	__be16 flags;
	__be16 proto;
	__be16 csum;
	__be16 reserved;
};

/* What the encapsulation needs to know of the inner packet, read before the
 * headers move (inner_from; inner_sums for the tunnels other than IPIP). */
struct inner {
	__u32 len;     /* IP total length */
	__u8 tos;
	__be16 df;
	__be16 id;
	__be32 saddr, daddr;
	__u32 flow_hash;
	/* The one's-complement sum of the whole inner IP packet, when it can be
	 * had without reading the payload: a valid IP header sums to zero, and a
	 * valid TCP/UDP checksum makes the segment sum to the negated
	 * pseudo-header. A UDP datagram without checksum and a fragment have no
	 * such shortcut. */
	__u64 sum;
	int sum_known;
};

static __always_inline void inner_from(const struct packet *pkt, struct inner *in)
{
	const struct iphdr *ip = pkt->ip;
	in->len = pkt->l3_len;
	in->tos = ip->tos;
	in->df = ip->frag_off & bpf_htons(IP_DF);
	in->id = ip->id;
	in->saddr = ip->saddr;
	in->daddr = ip->daddr;
}

/* What GUE and GRE also need: the flow's hash (GUE's source port) and the
 * inner packet's sum (their checksums). IPIP needs neither, so it is not
 * computed for IPIP. */
static __always_inline void inner_sums(const struct packet *pkt, struct inner *in)
{
	const struct iphdr *ip = pkt->ip;
	__u32 h = ip->saddr ^ ip->daddr ^ ((__u32)pkt->flow.sport << 16 | pkt->flow.dport) ^ ip->protocol;
	h ^= h >> 16;
	h *= 0x45d9f3b;
	h ^= h >> 16;
	in->flow_hash = h;
	/* A fragment holds part of the segment: its checksum sums nothing here. */
	in->sum_known = !pkt->frag && !(ip->protocol == IPPROTO_UDP && pkt->l4_check == 0);
	__u64 pseudo = csum_addr4(ip->saddr) + csum_addr4(ip->daddr) + ip->protocol +
		       (pkt->l3_len - ip->ihl * 4);
	in->sum = csum_fold(pseudo); /* the negated pseudo-header sum */
}

/* Bytes a tunnel adds in front of the inner IP header. */
static __always_inline __u32 tun_overhead(const struct lvs_dest *d)
{
	switch (d->tun_type) {
	case LVS_TUN_GUE:
		return sizeof(struct iphdr) + sizeof(struct udphdr) + sizeof(struct gue_hdr);
	case LVS_TUN_GRE:
		return sizeof(struct iphdr) +
		       (d->tun_csum == LVS_TUN_CSUM ? sizeof(struct gre_csum_hdr) : sizeof(struct gre_hdr));
	default:
		return sizeof(struct iphdr);
	}
}

static __always_inline void outer_ip(struct iphdr *o, const struct lvs_dest *d, const struct inner *in,
				     __u8 proto, __u32 hdr_len)
{
	o->version = 4;
	o->ihl = 5;
	o->tos = in->tos;
	o->tot_len = bpf_htons(in->len + hdr_len);
	o->id = in->id;
	o->frag_off = in->df;
	o->ttl = TUN_TTL;
	o->protocol = proto;
	o->saddr = d->tun_src.ip4;
	o->daddr = d->addr.ip4;
	ipv4_set_csum(o);
}

/* Moves the frame start back by hdr_len and writes the new Ethernet header.
 * Returns the outer IP header, or NULL when the headroom is missing. */
static __always_inline struct iphdr *push_outer(struct xdp_md *ctx, const struct lvs_dest *d, __u32 hdr_len,
						 __u32 need)
{
	if (bpf_xdp_adjust_head(ctx, -(int)hdr_len))
		return 0;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) + need > data_end)
		return 0;
	set_macs(eth, d);
	eth->h_proto = bpf_htons(ETH_P_IP);
	return (void *)(eth + 1);
}

static __always_inline int encap_ipip(struct xdp_md *ctx, const struct lvs_dest *d, const struct inner *in)
{
	struct iphdr *o = push_outer(ctx, d, sizeof(*o), sizeof(*o));
	if (!o)
		return -1;
	outer_ip(o, d, in, IPPROTO_IPIP, sizeof(*o));
	return 0;
}

static __always_inline int encap_gue(struct xdp_md *ctx, const struct lvs_dest *d, const struct inner *in)
{
	const __u32 hdr = sizeof(struct iphdr) + sizeof(struct udphdr) + sizeof(struct gue_hdr);
	struct iphdr *o = push_outer(ctx, d, hdr, hdr);
	if (!o)
		return -1;
	outer_ip(o, d, in, IPPROTO_UDP, hdr);
	struct udphdr *udp = (void *)(o + 1);
	struct gue_hdr *gue = (void *)(udp + 1);
	__u16 udp_len = in->len + sizeof(*udp) + sizeof(*gue);
	udp->source = bpf_htons(0xc000 | (in->flow_hash & 0x3fff));
	udp->dest = d->tun_port;
	udp->len = bpf_htons(udp_len);
	udp->check = 0;
	gue->hlen_ctl_ver = 0;
	gue->proto_ctype = IPPROTO_IPIP;
	gue->flags = 0;
	/* --tun-csum: a real UDP checksum. --tun-remcsum asks the server to finish
	 * a partial inner checksum; a forwarded packet's is complete, so IPVS (and
	 * we) send plain GUE then. An inner UDP datagram without checksum gets an
	 * outer one without checksum too, which UDP over IPv4 allows. */
	if (d->tun_csum == LVS_TUN_CSUM && in->sum_known) {
		__u64 sum = csum_addr4(o->saddr) + csum_addr4(o->daddr) + IPPROTO_UDP + udp_len +
			    csum_words(udp, 4) + csum_words(gue, 2) + in->sum;
		__u16 c = csum_fold(sum);
		udp->check = bpf_htons(c ? c : 0xffff);
	}
	return 0;
}

static __always_inline int encap_gre(struct xdp_md *ctx, const struct lvs_dest *d, const struct inner *in)
{
	if (d->tun_csum != LVS_TUN_CSUM) {
		const __u32 hdr = sizeof(struct iphdr) + sizeof(struct gre_hdr);
		struct iphdr *o = push_outer(ctx, d, hdr, hdr);
		if (!o)
			return -1;
		outer_ip(o, d, in, IPPROTO_GRE, hdr);
		struct gre_hdr *gre = (void *)(o + 1);
		gre->flags = 0;
		gre->proto = bpf_htons(ETH_P_IP);
		return 0;
	}
	const __u32 hdr = sizeof(struct iphdr) + sizeof(struct gre_csum_hdr);
	struct iphdr *o = push_outer(ctx, d, hdr, hdr);
	if (!o)
		return -1;
	outer_ip(o, d, in, IPPROTO_GRE, hdr);
	struct gre_csum_hdr *gre = (void *)(o + 1);
	gre->flags = bpf_htons(GRE_CSUM);
	gre->proto = bpf_htons(ETH_P_IP);
	gre->csum = 0;
	gre->reserved = 0;
	gre->csum = bpf_htons(csum_fold(csum_words(gre, 4) + in->sum));
	return 0;
}

/* Returns 0 when the frame now holds the encapsulated packet. A global
 * function, checked once by the verifier, with its own stack frame: GRE's
 * and the ICMP errors' encapsulation then don't add to the frame that
 * sched_pick's is stacked on (forward_tun does IPIP and GUE in line). */
__noinline int tun_encap(struct xdp_md *ctx, const struct lvs_dest *d, const struct inner *in)
{
	if (!d || !in)
		return -1;
	switch (d->tun_type) {
	case LVS_TUN_GUE:
		return encap_gue(ctx, d, in);
	case LVS_TUN_GRE:
		return encap_gre(ctx, d, in);
	default:
		return encap_ipip(ctx, d, in);
	}
}

#endif
