/* SPDX-License-Identifier: GPL-2.0 */
/* ICMP errors about NAT flows, translated as IPVS's ip_vs_nat_icmp does, so
 * path-MTU discovery and port-unreachable work through the director: the
 * outer header and the quoted packet are rewritten the way the flow's own
 * packets are, and the checksums are updated incrementally. */
#ifndef LVS_ICMP_NAT_BPF_H
#define LVS_ICMP_NAT_BPF_H

#include <linux/bpf.h>
#include "icmp_hdr.bpf.h"
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include "csum.bpf.h"
#include "flow.bpf.h"
#include "l2.bpf.h"
#include "maps.bpf.h"
#include "parse.bpf.h"

struct icmp_error {
	struct ethhdr *eth;
	struct iphdr *ip;       /* outer */
	struct icmphdr *icmp;
	struct iphdr *inner;    /* the quoted packet's IP header */
	__be16 *ports;          /* and its first 4 bytes of TCP/UDP */
	struct lvs_flow_key quoted; /* the quoted packet's 5-tuple, reversed: the
				     * flow the error travels in */
};

static __always_inline int is_icmp_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

static __always_inline int parse_icmp_error(void *data, void *data_end, struct icmp_error *e)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = parse_ipv4(data, data_end);
	if (!ip || ip->protocol != IPPROTO_ICMP)
		return -1;
	struct icmphdr *icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end || !is_icmp_error(icmp->type))
		return -1;
	struct iphdr *inner = (void *)(icmp + 1);
	if ((void *)(inner + 1) > data_end || inner->version != 4 || inner->ihl < 5 ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP))
		return -1;
	__be16 *ports = (void *)inner + inner->ihl * 4;
	if ((void *)(ports + 2) > data_end)
		return -1;
	e->eth = eth;
	e->ip = ip;
	e->icmp = icmp;
	e->inner = inner;
	e->ports = ports;
	__builtin_memset(&e->quoted, 0, sizeof(e->quoted));
	e->quoted.src.ip4 = inner->daddr;
	e->quoted.dst.ip4 = inner->saddr;
	e->quoted.sport = ports[1];
	e->quoted.dport = ports[0];
	e->quoted.proto = inner->protocol;
	e->quoted.family = LVS_AF_INET;
	return 0;
}

/* The new addresses: outer source and destination, and the quoted packet's
 * source and destination with their ports. */
struct icmp_rewrite {
	__be32 saddr, daddr;
	__be32 q_saddr, q_daddr;
	__be16 q_sport, q_dport;
};

static __always_inline void icmp_apply(struct icmp_error *e, const struct icmp_rewrite *r)
{
	struct iphdr *ip = e->ip, *q = e->inner;
	/* The quoted header, then the ICMP checksum over every word changed in it. */
	__u64 q_addrs = csum_delta32(q->saddr, r->q_saddr) + csum_delta32(q->daddr, r->q_daddr);
	__be16 q_check = csum_apply(q->check, q_addrs);
	__u64 icmp_delta = q_addrs + csum_delta16(bpf_ntohs(q->check), bpf_ntohs(q_check)) +
			   csum_delta16(bpf_ntohs(e->ports[0]), bpf_ntohs(r->q_sport)) +
			   csum_delta16(bpf_ntohs(e->ports[1]), bpf_ntohs(r->q_dport));
	q->saddr = r->q_saddr;
	q->daddr = r->q_daddr;
	q->check = q_check;
	e->ports[0] = r->q_sport;
	e->ports[1] = r->q_dport;
	e->icmp->checksum = csum_apply(e->icmp->checksum, icmp_delta);
	/* The outer header, routed: TTL down by one. */
	__u16 ttl_proto = (ip->ttl << 8) | ip->protocol;
	__u64 outer = csum_delta32(ip->saddr, r->saddr) + csum_delta32(ip->daddr, r->daddr) +
		      csum_delta16(ttl_proto, ttl_proto - 0x100);
	ip->check = csum_apply(ip->check, outer);
	ip->ttl--;
	ip->saddr = r->saddr;
	ip->daddr = r->daddr;
}

/* An ICMP error from the server side about a NAT flow: it quotes a packet the
 * server received (client or local address -> server), and goes to the
 * client as if the virtual service had sent it. */
static __always_inline int icmp_to_client(struct xdp_md *ctx, struct icmp_error *e, struct lvs_conn *r,
					  struct lvs_xdp_stats *gs)
{
	int fullnat = r->flags & LVS_CONN_F_DNAT;
	struct icmp_rewrite rw = {
		.saddr = r->nat_saddr,
		.daddr = fullnat ? r->nat_daddr : e->ip->daddr,
		.q_saddr = fullnat ? r->nat_daddr : e->inner->saddr,
		.q_sport = fullnat ? r->nat_dport : e->ports[0],
		.q_daddr = r->nat_saddr,
		.q_dport = r->nat_sport,
	};
	icmp_apply(e, &rw);
	return send_to_client(ctx, e->eth, r, gs);
}

/* An ICMP error from the client side about a NAT flow: it quotes a reply the
 * client received (virtual service -> client), and goes to the server as if
 * the client (or, FullNAT, the local address) had sent it. */
static __always_inline int icmp_to_server(struct xdp_md *ctx, struct icmp_error *e, struct lvs_conn *c,
					  struct lvs_dest *d, struct lvs_xdp_stats *gs)
{
	int fullnat = c->flags & LVS_CONN_F_SNAT;
	struct icmp_rewrite rw = {
		.saddr = fullnat ? c->nat_saddr : e->ip->saddr,
		.daddr = d->addr.ip4,
		.q_saddr = d->addr.ip4,
		.q_sport = d->port,
		.q_daddr = fullnat ? c->nat_saddr : e->inner->daddr,
		.q_dport = fullnat ? c->nat_sport : e->ports[1],
	};
	icmp_apply(e, &rw);
	set_macs(e->eth, d);
	return send_to_dest(ctx, d, gs);
}

/* Returns the action for an ICMP error about a live NAT flow, -1 otherwise. */
/* Every IPv4 host must take 576-byte datagrams (RFC 791), so a smaller MTU in
 * "fragmentation needed" is forged or broken; passed on, it would make the
 * server (or client) cut its segments to almost nothing. */
#define ICMP_MIN_MTU 576

/* Drops (and counts) an error about one of our flows whose MTU is absurd;
 * returns 1 when it did. */
static __always_inline int dropped_absurd_mtu(const struct icmp_error *e, struct lvs_xdp_stats *gs)
{
	if (e->icmp->type != ICMP_DEST_UNREACH || e->icmp->code != ICMP_FRAG_NEEDED ||
	    bpf_ntohs(e->icmp->un.frag.mtu) >= ICMP_MIN_MTU)
		return 0;
	gs->icmp_bad_mtu++;
	return 1;
}

static __always_inline int nat_icmp(struct xdp_md *ctx, struct lvs_xdp_stats *gs, __u64 now, int tagged)
{
	struct icmp_error e;
	if (parse_icmp_error((void *)(long)ctx->data, (void *)(long)ctx->data_end, &e) < 0)
		return -1;
	if (e.ip->ttl <= 1)
		return -1;
	/* The quoted packet reversed is the flow the error travels in: a reply
	 * entry (the server complains about what it got) or a client entry (the
	 * client complains about a reply). */
	struct lvs_conn *c = conn_lookup(&e.quoted);
	if (!c)
		return -1;
	if (c->flags & LVS_CONN_F_REPLY) {
		if (dropped_absurd_mtu(&e, gs))
			return XDP_DROP;
		gs->icmp_nat++;
		return icmp_to_client(ctx, &e, c, gs);
	}
	struct lvs_dest *d = conn_dest(c, now);
	if (!d || d->fwd != LVS_FWD_MASQ)
		return -1;
	if (!dest_ready(ctx, d, tagged))
		return -1; /* not ours to judge: the kernel's */
	if (dropped_absurd_mtu(&e, gs))
		return XDP_DROP;
	gs->icmp_nat++;
	return icmp_to_server(ctx, &e, c, d, gs);
}

#endif
