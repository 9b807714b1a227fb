// SPDX-License-Identifier: GPL-2.0
/* The director's XDP program: packets to a virtual service are sent to a real
 * server; everything else goes to the kernel untouched. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "flow.bpf.h"
#include "frag.bpf.h"
#include "l2.bpf.h"
#include "tun.bpf.h"
#include "icmp.bpf.h"
#include "masq.bpf.h"
#include "icmp_nat.bpf.h"
#include "icmp_fwd.bpf.h"
#include "conn_state.bpf.h"
#include "stats.bpf.h"
#include "vlan.bpf.h"

/* The service of a flow: its (VIP, port), else the VIP's port-0 service (all
 * ports, IPVS's persistent port-0 services) when there is one. */
static __always_inline struct lvs_svc *find_service(const struct lvs_flow_key *flow, const struct lvs_config *cfg)
{
	struct lvs_svc_key key = {
		.addr = flow->dst,
		.port = flow->dport,
		.proto = flow->proto,
		.family = flow->family,
	};
	struct lvs_svc *svc = bpf_map_lookup_elem(&lvs_services, &key);
	if (svc || !(cfg->flags & LVS_CFG_F_PORT0))
		return svc;
	key.port = 0;
	return bpf_map_lookup_elem(&lvs_services, &key);
}

/* DR: the frame goes to the server's MAC, L3 and L4 untouched. */
static __always_inline int forward_dr(struct xdp_md *ctx, struct packet *pkt, const struct lvs_dest *d,
				      struct lvs_xdp_stats *gs)
{
	set_macs(pkt->eth, d);
	return send_to_dest(ctx, d, gs);
}

/* TUN: the packet inside one more header, or an ICMP answer when it no longer
 * fits the path (DF set), or the kernel's (DF clear: it may fragment).
 * *forwarded tells the caller whether the packet went on to the server. */
static __always_inline int forward_tun(struct xdp_md *ctx, struct packet *pkt, const struct lvs_dest *d,
				       struct lvs_xdp_stats *gs, int *forwarded)
{
	struct inner in;
	inner_from(pkt, &in);
	__u32 overhead = tun_overhead(d);
	if (in.len + overhead > d->mtu) {
		if (!in.df) {
			gs->pmtu_pass++;
			gs->pass++;
			return XDP_PASS;
		}
		if (send_frag_needed(ctx, d->mtu - overhead) < 0) {
			gs->drop_error++;
			return XDP_DROP; /* the frame may be half rewritten */
		}
		gs->pmtu_icmp++;
		gs->tx++;
		return XDP_TX;
	}
	/* IPIP and GUE in line: a call's return costs more than their few
	 * stores where returns are mitigated (SRSO's safe RET). GRE, whose
	 * checksummed form needs more stack, keeps the call. */
	int err;
	if (d->tun_type == LVS_TUN_IPIP) {
		err = encap_ipip(ctx, d, &in);
	} else {
		inner_sums(pkt, &in);
		if (!in.sum_known && d->tun_type == LVS_TUN_GRE && d->tun_csum == LVS_TUN_CSUM) {
			__u32 l4_off = (long)pkt->l4 - (long)ctx->data;
			in.sum = csum_frame_bytes(ctx, l4_off, in.len - pkt->ip->ihl * 4);
			in.sum_known = 1;
		}
		err = d->tun_type == LVS_TUN_GUE ? encap_gue(ctx, d, &in) : tun_encap(ctx, d, &in);
	}
	if (err < 0) {
		gs->drop_error++;
		return XDP_DROP;
	}
	*forwarded = 1;
	return send_to_dest(ctx, d, gs);
}

static __always_inline int vip_filter_has(const struct lvs_addr *addr, __be16 port, __u8 proto)
{
	__u32 bit = lvs_vip_filter_bit(addr, port, proto);
	__u32 word = bit / 64;
	__u64 *w = bpf_map_lookup_elem(&lvs_vip_filter, &word);
	return w && (*w >> (bit % 64)) & 1;
}

/* Whether the destination may be a virtual service: one bit of the VIP
 * filter, an inlined array read (two with port-0 services). */
static __always_inline int maybe_service(const struct lvs_flow_key *flow, const struct lvs_config *cfg)
{
	return vip_filter_has(&flow->dst, flow->dport, flow->proto) ||
	       ((cfg->flags & LVS_CFG_F_PORT0) && vip_filter_has(&flow->dst, 0, flow->proto));
}

/* Whether the packet may be a NAT server's reply: from a NAT server's
 * address, by the same filter (abi.h). */
static __always_inline int maybe_nat_reply(const struct lvs_flow_key *flow)
{
	return vip_filter_has(&flow->src, 0, LVS_FILTER_NAT_SERVER);
}

/* DR and TUN, which forward a whole packet and a later fragment alike;
 * passed (counted) for any other method. */
static __always_inline int forward_unchanged(struct xdp_md *ctx, struct packet *pkt, const struct lvs_dest *d,
					     struct lvs_xdp_stats *gs, int *forwarded)
{
	if (d->fwd == LVS_FWD_ROUTE) {
		*forwarded = 1;
		return forward_dr(ctx, pkt, d, gs);
	}
	if (d->fwd == LVS_FWD_TUNNEL)
		return forward_tun(ctx, pkt, d, gs, forwarded);
	gs->pass++;
	return XDP_PASS;
}

/* A packet in: its service's and server's counters. */
static __always_inline void count_in_both(__u32 svc_id, __u32 dest_id, __u32 bytes, int new_conn)
{
	count_in(&lvs_svc_stats, svc_id, bytes, new_conn);
	count_in(&lvs_dest_stats, dest_id, bytes, new_conn);
}

/* Sends a client's packet on to its server d by d's forwarding method. */
static __always_inline int forward(struct xdp_md *ctx, struct packet *pkt, struct flow_target *t,
				   const struct lvs_config *cfg, struct lvs_xdp_stats *gs, __u64 now)
{
	struct lvs_dest *d = t->dest;
	if (dest_resolve_l2(ctx, d) < 0) {
		gs->no_neigh++;
		gs->pass++;
		return XDP_PASS;
	}
	if (!dest_port_ok(ctx, d, pkt->vlan_popped)) {
		gs->pass++;
		return XDP_PASS;
	}
	void *data_end = (void *)(long)ctx->data_end;
	int pushed = conn_update(t->conn, cfg, pkt, data_end, d->fwd == LVS_FWD_MASQ ? DIR_INPUT : DIR_INPUT_ONLY, now);
	if (pushed && (t->conn->flags & LVS_CONN_F_PERSIST)) {
		struct lvs_svc *svc = find_service(&pkt->flow, cfg);
		if (svc)
			persist_touch(svc, &pkt->flow, now);
	}

	__u32 l3_len = pkt->l3_len, svc_id = t->conn->svc_id;
	int forwarded = 0;
	int action = d->fwd == LVS_FWD_MASQ ? forward_masq(ctx, pkt, t, cfg, gs, now, pushed, &forwarded)
					    : forward_unchanged(ctx, pkt, d, gs, &forwarded);
	if (forwarded) {
		count_in_both(svc_id, t->dest_id, l3_len, t->new_conn);
		if (pkt->frag)
			frag_remember(pkt, gs);
	}
	return action;
}

/* A later fragment (no ports) follows its datagram's first fragment, by the
 * flow's entry, with IP-level work only; the first fragment's packet did the
 * scheduling and the connection's state. Returns -1 when it is not ours: no
 * first fragment forwarded, or its flow has ended. */
static __always_inline int forward_fragment(struct xdp_md *ctx, struct packet *pkt, struct lvs_xdp_stats *gs)
{
	if (frag_flow(pkt) < 0)
		return -1;
	struct lvs_conn *c = conn_lookup(&pkt->flow);
	if (!c)
		return -1;
	__u64 now = clock_now();
	if (c->flags & LVS_CONN_F_REPLY)
		return nat_reply_fragment(ctx, pkt, c, gs, now);
	struct lvs_dest *d = conn_dest(c, now);
	if (!d || !dest_ready(ctx, d, pkt->vlan_popped))
		return -1;

	__u32 l3_len = pkt->l3_len, svc_id = c->svc_id, dest_id = c->dest_id;
	int forwarded = 0;
	int action = d->fwd == LVS_FWD_MASQ ? forward_masq_fragment(ctx, pkt, c, d, gs, &forwarded)
					    : forward_unchanged(ctx, pkt, d, gs, &forwarded);
	if (forwarded) {
		count_in_both(svc_id, dest_id, l3_len, 0);
		gs->frag_fwd++;
	}
	return action;
}

/* Every untagged frame (or tagged one with its tags out) ends here. */
static __always_inline int handle(struct xdp_md *ctx, struct packet *pkt, struct lvs_xdp_stats *gs,
				  struct lvs_config *cfg)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int nat = cfg->flags & LVS_CFG_F_NAT;
	int parsed = parse_packet(data, data_end, pkt);
	if (parsed != 0) {
		int action = -1;
		if (parsed > 0) {
			action = forward_fragment(ctx, pkt, gs);
			if (action < 0)
				gs->frag_pass++;
		} else {
			/* Not TCP/UDP: perhaps an ICMP error about a NAT, DR or TUN flow. */
			action = nat ? nat_icmp(ctx, gs, clock_now(), pkt->vlan_popped) : -1;
			if (action < 0)
				action = icmp_fwd(ctx, gs, pkt->vlan_popped);
		}
		if (action >= 0)
			return action;
		gs->pass++;
		return XDP_PASS;
	}
	/* Ours are packets to a service, and replies of NAT flows (from a NAT
	 * server's address); anything else leaves after a bitmap read or two. */
	int to_service = maybe_service(&pkt->flow, cfg);
	if (!to_service && !(nat && maybe_nat_reply(&pkt->flow))) {
		gs->pass++;
		return XDP_PASS;
	}

	__u64 now = clock_now();
	struct flow_target t = {};
	struct lvs_conn *c = conn_lookup_packet(&pkt->flow);
	if (c && (c->flags & LVS_CONN_F_REPLY)) {
		int action = nat_reply(ctx, pkt, c, cfg, gs, now);
		if (action >= 0)
			return action;
	} else if (c && to_service && !conn_reused(c, pkt, cfg)) {
		if ((t.dest = conn_dest(c, now))) {
			conn_touch(c);
			t.conn = c;
			t.dest_id = c->dest_id;
			return forward(ctx, pkt, &t, cfg, gs, now);
		}
		if (c->expires > now) { /* live, but its server was removed */
			if (conn_lookup(&pkt->flow) != c) {
				/* Or so it read while another CPU put a new flow
				 * in its slot: this flow has no entry any more. */
				c = 0;
			} else if (nodest_conn_drop(pkt, cfg)) {
				gs->nodest_drop++;
				return XDP_DROP;
			} else {
				gs->resched++;
				c = 0; /* expired and deleted */
			}
		}
	}

	struct lvs_svc *svc = to_service ? find_service(&pkt->flow, cfg) : 0;
	if (!svc) {
		gs->pass++;
		return XDP_PASS;
	}
	if (c && !(c->flags & LVS_CONN_F_REPLY)) {
		/* Its connection ended; a new one takes the key when flow_record
		 * stores it. Gone from now on, so that what it held (a FullNAT
		 * local port) is free for the new one. */
		conn_end(&pkt->flow);
		gs->resched++;
	}
	if (flow_schedule(&pkt->flow, svc, cfg, gs, &t, now) < 0) {
		gs->no_dest++;
		return XDP_DROP;
	}
	/* IPVS (sloppy_tcp 0, its default) would leave it to the local stack:
	 * scheduled, the connection may go on (sh, mh), and is counted. */
	if (pkt->flow.proto == IPPROTO_TCP && !pkt->tcp_syn_only)
		gs->sched_not_syn++;
	int action = forward(ctx, pkt, &t, cfg, gs, now);
	flow_record(&pkt->flow, &t, now);
	return action;
}

SEC("xdp")
int lvs_xdp_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct lvs_xdp_stats *gs = xdp_stats();
	struct lvs_config *cfg = config();
	if (!gs || !cfg)
		return XDP_PASS;
	gs->rx++;
	LVS_XDP_BUILD_MARK();
	struct ethhdr *eth = data;
	struct packet pkt;
	pkt.vlan_popped = 0;
	if ((void *)(eth + 1) <= data_end && eth->h_proto != bpf_htons(ETH_P_IP))
		pkt.vlan_popped = vlan_pop(ctx);
	int action = handle(ctx, &pkt, gs, cfg);
	if (pkt.vlan_popped && action != XDP_DROP && vlan_push(ctx) < 0)
		return XDP_DROP; /* cannot happen: see vlan_push */
	return action;
}

char LICENSE[] SEC("license") = "GPL";
