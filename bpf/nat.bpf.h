/* SPDX-License-Identifier: GPL-2.0 */
/* NAT: rewriting addresses and ports of a packet the director routes, with
 * incremental checksum updates, as IPVS's ip_vs_nat_xmit / ip_vs_snat does;
 * FullNAT adds a source rewrite to one of the director's local addresses. */
#ifndef LVS_NAT_BPF_H
#define LVS_NAT_BPF_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "csum.bpf.h"
#include "parse.bpf.h"

struct nat_rewrite {
	__be32 saddr, daddr;
	__be16 sport, dport;
};

/* Where the L4 checksum of pkt sits, or NULL for a UDP datagram without one
 * (which must stay without one). */
static __always_inline __be16 *l4_check_field(struct packet *pkt, void *data_end)
{
	if (pkt->flow.proto == IPPROTO_TCP) {
		struct tcphdr *th = pkt->l4;
		if ((void *)(th + 1) > data_end)
			return 0;
		return &th->check;
	}
	struct udphdr *uh = pkt->l4;
	if ((void *)(uh + 1) > data_end || uh->check == 0)
		return 0;
	return &uh->check;
}

/* The IP header's share of a rewrite to r: addresses, TTL − 1 as a router
 * does, the IP checksum. Alone, it is all a later fragment needs (its
 * datagram's ports and L4 checksum are in the first fragment). The caller has
 * checked TTL > 1. */
static __always_inline void nat_apply_ip(struct iphdr *ip, const struct nat_rewrite *r)
{
	__u64 addrs = csum_delta32(ip->saddr, r->saddr) + csum_delta32(ip->daddr, r->daddr);
	__u16 ttl_proto = (ip->ttl << 8) | ip->protocol;
	__u64 ttl = csum_delta16(ttl_proto, ttl_proto - 0x100);
	ip->check = csum_apply(ip->check, addrs + ttl);
	ip->ttl--;
	ip->saddr = r->saddr;
	ip->daddr = r->daddr;
}

/* Rewrites pkt's addresses and ports to r, decrements the TTL, and updates
 * both checksums. The L4 checksum covers the whole datagram, so an
 * incremental update is right for a first fragment too. The caller has
 * checked TTL > 1. */
static __always_inline void nat_apply(struct packet *pkt, const struct nat_rewrite *r, void *data_end)
{
	struct iphdr *ip = pkt->ip;
	__be16 *ports = pkt->l4;
	if ((void *)(ports + 2) > data_end)
		return;
	__u64 l4 = csum_delta32(ip->saddr, r->saddr) + csum_delta32(ip->daddr, r->daddr) +
		   csum_delta16(bpf_ntohs(ports[0]), bpf_ntohs(r->sport)) +
		   csum_delta16(bpf_ntohs(ports[1]), bpf_ntohs(r->dport));
	__be16 *l4_check = l4_check_field(pkt, data_end);
	if (l4_check) {
		__be16 c = csum_apply(*l4_check, l4);
		/* 0 means "no checksum" in UDP: a computed 0 is sent as all ones. */
		*l4_check = c == 0 && pkt->flow.proto == IPPROTO_UDP ? 0xffff : c;
	}
	nat_apply_ip(ip, r);
	ports[0] = r->sport;
	ports[1] = r->dport;
}

#endif
