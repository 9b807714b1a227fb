/* SPDX-License-Identifier: GPL-2.0 */
/* NAT mode (IPVS's masquerading) and FullNAT at the connection level: a new
 * flow gets two entries in the connection table, the client's (scheduled as any flow) and
 * one keyed by the server's reply, which leads the reply back to the client.
 * The client's entry holds the connection's state; the reply entry holds the
 * rewrite and the way back (the interface and MACs the client's packet came
 * by, so replies retrace it without a route lookup). */
#ifndef LVS_MASQ_BPF_H
#define LVS_MASQ_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include "conn_state.bpf.h"
#include "flow.bpf.h"
#include "frag.bpf.h"
#include "l2.bpf.h"
#include "nat.bpf.h"
#include "stats.bpf.h"

#define FULLNAT_PORT_MIN 1024
#define FULLNAT_PORT_TRIES 16

/* A 32-bit mix in which every input bit reaches every output bit (C.
 * Wellons' "lowbias32"): a multiply alone only carries upward. */
static __always_inline __u32 mix32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

/* Each field is mixed in before the next: XORing them first made clients
 * whose address and port differ in matching bits share one hash, and so
 * compete for the same few local ports. */
static __always_inline __u32 flow_hash(const struct lvs_flow_key *k)
{
	__u32 h = mix32(k->src.ip4);
	h = mix32(h ^ k->dst.ip4);
	return mix32(h ^ ((__u32)k->sport << 16 | k->dport) ^ ((__u32)k->proto << 8));
}

static __always_inline void reply_key(struct lvs_flow_key *rk, const struct lvs_dest *d, const struct lvs_flow_key *in,
				      const struct lvs_conn *c)
{
	__builtin_memset(rk, 0, sizeof(*rk));
	rk->src = d->addr;
	rk->sport = d->port ? d->port : in->dport; /* port 0: the client's port, as IPVS */
	rk->dst.ip4 = c->flags & LVS_CONN_F_SNAT ? c->nat_saddr : in->src.ip4; /* NAT is IPv4 */
	rk->dport = c->flags & LVS_CONN_F_SNAT ? c->nat_sport : in->sport;
	rk->proto = in->proto;
	rk->family = in->family;
}

/* The client's entry of the flow whose reply entry r matched a packet keyed
 * reply, or NULL when it is gone, expired or belongs to another server (then
 * the reply entry is dead too: its flow ended). */
static __always_inline struct lvs_conn *client_entry(const struct lvs_conn *r, const struct lvs_flow_key *reply,
						     __u64 now)
{
	int fullnat = r->flags & LVS_CONN_F_DNAT;
	struct lvs_flow_key4 ik = { /* NAT is IPv4 */
		.saddr = fullnat ? r->nat_daddr : reply->dst.ip4,
		.daddr = r->nat_saddr,
		.sport = fullnat ? r->nat_dport : reply->dport,
		.dport = r->nat_sport,
		.proto = reply->proto,
	};
	struct lvs_conn *c = conn_lookup4(&ik);
	if (!c || !(c->flags & LVS_CONN_F_NAT_READY) || c->expires <= now || c->dest_id != r->dest_id ||
	    c->dest_gen != r->dest_gen)
		return 0;
	/* FullNAT: a client entry made anew for the same client (a SYN after
	 * TIME_WAIT) leaves the old flow's reply entry behind; that entry is
	 * dead unless the client's entry still names its local address and port. */
	if (fullnat && (c->nat_sport != reply->dport || c->nat_saddr != reply->dst.ip4))
		return 0;
	return c;
}

/* 1 when c's FullNAT source (nat_saddr:nat_sport) is free for a flow to
 * server d: no reply entry holds it, or only a dead flow's. A global
 * function of its own: the lookups' spills stay off the stack of the main
 * program, which is at its limit. */
__noinline int fullnat_port_free(const struct lvs_flow_key *in, const struct lvs_conn *c, const struct lvs_dest *d,
				 __u64 now)
{
	if (!in || !c || !d)
		return 0;
	struct lvs_flow_key rk;
	reply_key(&rk, d, in, c);
	struct lvs_conn *taken = conn_lookup(&rk);
	return !taken || ((taken->flags & LVS_CONN_F_REPLY) && !client_entry(taken, &rk, now));
}

/* FullNAT: a local address and port for a new flow (or one whose reply
 * entry was evicted: its own first), such that the server's replies
 * (server -> local address:port) name no live flow. Tries
 * FULLNAT_PORT_TRIES ports from the flow's hash; a port whose flow has ended
 * is free again even though its entries may linger in the LRU table. -1 when
 * all are taken or no address is set. A global function: the verifier checks
 * its loop once, not once per path into it. */
__noinline int fullnat_source(struct lvs_conn *c, const struct lvs_config *cfg, const struct lvs_dest *d,
			     const struct lvs_flow_key *in, __u64 now)
{
	if (!c || !cfg || !d || !in)
		return -1;
	__u32 count = cfg->laddr_count;
	if (!count || count > LVS_MAX_LADDRS)
		return -1;
	__u32 h = flow_hash(in);
	__u32 idx = h % count;
	/* The ports from the quotient: taken from h itself they would repeat the
	 * remainder whenever count divides the port range (64,512 = 2^10 x 63),
	 * leaving each address 1/count of its first-choice ports. */
	h /= count;
	if ((c->flags & LVS_CONN_F_SNAT) && fullnat_port_free(in, c, d, now) > 0)
		return 0; /* its reply entry is set up again: the same port if it can */
	struct lvs_addr *laddr = bpf_map_lookup_elem(&lvs_laddrs, &idx);
	if (!laddr)
		return -1;
	c->nat_saddr = laddr->ip4; /* NAT is IPv4 */
	c->flags |= LVS_CONN_F_SNAT;
	for (int i = 0; i < FULLNAT_PORT_TRIES; i++) {
		__u32 port = FULLNAT_PORT_MIN + (h + i * 7919) % (65536 - FULLNAT_PORT_MIN);
		c->nat_sport = bpf_htons(port);
		if (fullnat_port_free(in, c, d, now) > 0)
			return 0;
	}
	/* No port: the entry must not keep one it did not reserve. */
	c->flags &= ~LVS_CONN_F_SNAT;
	c->nat_sport = 0;
	return -1;
}

/* The reply entry of a new flow whose client's entry is c; it expires with c
 * (nat_reply keeps it so), which tells the table when its slot is free. */
static __always_inline int add_reply_entry(struct xdp_md *ctx, const struct packet *pkt, const struct lvs_conn *c,
					   const struct lvs_dest *d, __u64 now)
{
	struct lvs_flow_key rk;
	reply_key(&rk, d, &pkt->flow, c);
	struct lvs_conn r = {
		.dest_id = c->dest_id,
		.dest_gen = c->dest_gen,
		.svc_id = c->svc_id,
		.flags = LVS_CONN_F_REPLY | LVS_CONN_F_SNAT | (c->flags & LVS_CONN_F_SNAT ? LVS_CONN_F_DNAT : 0),
		.expires = c->expires,
		.nat_saddr = pkt->flow.dst.ip4,
		.nat_sport = pkt->flow.dport,
		.nat_daddr = pkt->flow.src.ip4,
		.nat_dport = pkt->flow.sport,
		.ifindex = ctx->ingress_ifindex,
	};
	__builtin_memcpy(r.dmac, pkt->eth->h_source, ETH_ALEN);
	return conn_insert(&rk, &r, now);
}

/* The client's packet pushed c's expiry forward: the reply entry gets it
 * too, so that its slot is never taken as an ended flow's while the client
 * still sends (a flow whose server is silent for a while, then answers). At
 * most once a second per flow, or on a new state. A global function: its key
 * stays off the main program's stack, which is at its limit. */
__noinline int reply_follow(const struct lvs_flow_key *in, const struct lvs_conn *c, const struct lvs_dest *d)
{
	if (!in || !c || !d)
		return -1;
	struct lvs_flow_key rk;
	reply_key(&rk, d, in, c);
	struct lvs_conn *r = conn_lookup(&rk);
	if (!r)
		return -1;
	r->expires = c->expires;
	return 0;
}

/* Client to server: the destination becomes the server (and, FullNAT, the
 * source a local address), as a router would forward it. */
static __always_inline void masq_rewrite(struct nat_rewrite *r, const struct lvs_conn *c, const struct lvs_dest *d,
					 const struct lvs_flow_key *flow)
{
	r->saddr = c->flags & LVS_CONN_F_SNAT ? c->nat_saddr : flow->src.ip4;
	r->sport = c->flags & LVS_CONN_F_SNAT ? c->nat_sport : flow->sport;
	r->daddr = d->addr.ip4;
	r->dport = d->port ? d->port : flow->dport;
}

static __always_inline int forward_masq(struct xdp_md *ctx, struct packet *pkt, struct flow_target *t,
					const struct lvs_config *cfg, struct lvs_xdp_stats *gs, __u64 now,
					int pushed, int *forwarded)
{
	struct lvs_conn *c = t->conn;
	const struct lvs_dest *d = t->dest;
	if (pkt->ip->ttl <= 1) {
		gs->pass++;
		return XDP_PASS; /* the kernel answers with "time exceeded" */
	}
	/* No reply entry to follow: a full table evicted it, and the server's
	 * replies would go to the kernel untranslated. Set up again below (a
	 * FullNAT flow keeps its local port if nobody took it since). */
	if (pushed && (c->flags & LVS_CONN_F_NAT_READY) && reply_follow(&pkt->flow, c, d) < 0) {
		c->flags &= ~LVS_CONN_F_NAT_READY;
		gs->nat_reply_restored++;
	}
	/* The first packet that goes on sets the flow's translation up; one that
	 * was passed or dropped leaves it to the next (not only to a new flow's
	 * first packet, which may be passed above). */
	if (!(c->flags & LVS_CONN_F_NAT_READY)) {
		if ((d->flags & LVS_DEST_F_FULLNAT) && fullnat_source(c, cfg, d, &pkt->flow, now) < 0) {
			gs->fullnat_no_port++;
			return XDP_DROP;
		}
		if (add_reply_entry(ctx, pkt, c, d, now) < 0) {
			gs->drop_error++;
			return XDP_DROP;
		}
		c->flags |= LVS_CONN_F_NAT_READY;
	}
	struct nat_rewrite r;
	masq_rewrite(&r, c, d, &pkt->flow);
	nat_apply(pkt, &r, (void *)(long)ctx->data_end);
	set_macs(pkt->eth, d);
	*forwarded = 1;
	return send_to_dest(ctx, d, gs);
}

/* A later fragment of a client's datagram (pkt->flow: its first fragment's
 * flow, whose entry is c): the IP header rewritten as the first fragment's. */
static __always_inline int forward_masq_fragment(struct xdp_md *ctx, struct packet *pkt, const struct lvs_conn *c,
						 const struct lvs_dest *d, struct lvs_xdp_stats *gs, int *forwarded)
{
	if (pkt->ip->ttl <= 1) {
		gs->pass++;
		return XDP_PASS;
	}
	struct nat_rewrite r;
	masq_rewrite(&r, c, d, &pkt->flow);
	nat_apply_ip(pkt->ip, &r);
	set_macs(pkt->eth, d);
	*forwarded = 1;
	return send_to_dest(ctx, d, gs);
}

/* Server to client: a packet matching a reply entry r gets the virtual
 * service as its source again (and, FullNAT, the client as its destination). */
static __always_inline void reply_rewrite(struct nat_rewrite *rw, const struct lvs_conn *r,
					  const struct lvs_flow_key *flow)
{
	int fullnat = r->flags & LVS_CONN_F_DNAT;
	rw->saddr = r->nat_saddr;
	rw->sport = r->nat_sport;
	rw->daddr = fullnat ? r->nat_daddr : flow->dst.ip4;
	rw->dport = fullnat ? r->nat_dport : flow->dport;
}

/* A rewritten reply leaves the way the client's packets came in. */
static __always_inline int reply_send(struct xdp_md *ctx, struct ethhdr *eth, const struct lvs_conn *r, __u32 len,
				      struct lvs_xdp_stats *gs)
{
	count_out(&lvs_svc_stats, r->svc_id, len);
	count_out(&lvs_dest_stats, r->dest_id, len);
	return send_to_client(ctx, eth, r, gs);
}

/* A server's reply matching the reply entry r. Returns -1 when r's flow has
 * ended (the packet is then not ours). */
static __always_inline int nat_reply(struct xdp_md *ctx, struct packet *pkt, struct lvs_conn *r,
				     const struct lvs_config *cfg, struct lvs_xdp_stats *gs, __u64 now)
{
	struct lvs_conn *c = client_entry(r, &pkt->flow, now);
	if (!c)
		return -1;
	if (pkt->ip->ttl <= 1) {
		gs->pass++;
		return XDP_PASS;
	}
	void *data_end = (void *)(long)ctx->data_end;
	if (conn_update(c, cfg, pkt, data_end, DIR_OUTPUT, now))
		r->expires = c->expires;
	conn_touch(r);

	struct nat_rewrite rw;
	reply_rewrite(&rw, r, &pkt->flow);
	nat_apply(pkt, &rw, data_end);
	if (pkt->frag)
		frag_remember(pkt, gs);
	return reply_send(ctx, pkt->eth, r, pkt->l3_len, gs);
}

/* A later fragment of a server's reply (pkt->flow: its first fragment's
 * flow, whose reply entry is r). -1 when r's flow has ended. */
static __always_inline int nat_reply_fragment(struct xdp_md *ctx, struct packet *pkt, const struct lvs_conn *r,
					      struct lvs_xdp_stats *gs, __u64 now)
{
	if (!client_entry(r, &pkt->flow, now))
		return -1;
	if (pkt->ip->ttl <= 1) {
		gs->pass++;
		return XDP_PASS;
	}
	struct nat_rewrite rw;
	reply_rewrite(&rw, r, &pkt->flow);
	nat_apply_ip(pkt->ip, &rw);
	gs->frag_fwd++;
	return reply_send(ctx, pkt->eth, r, pkt->l3_len, gs);
}

#endif
