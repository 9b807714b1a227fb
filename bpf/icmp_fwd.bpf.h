/* SPDX-License-Identifier: GPL-2.0 */
/* ICMP errors about DR and TUN flows, sent on to the flow's server as IPVS
 * (ip_vs_in_icmp) and Katran do. In these modes the server answers the client
 * itself, from the VIP, so an error about those answers (a router's
 * "fragmentation needed", the client's "port unreachable") is addressed to
 * the VIP and arrives here; only the server can act on it. The frame goes on
 * unchanged, the way the flow's own packets go: MACs rewritten (DR) or inside
 * the tunnel (TUN). */
#ifndef LVS_ICMP_FWD_BPF_H
#define LVS_ICMP_FWD_BPF_H

#include <linux/bpf.h>
#include "icmp_hdr.bpf.h"
#include <linux/ip.h>
#include "conn_state.bpf.h"
#include "flow.bpf.h"
#include "icmp_nat.bpf.h"
#include "l2.bpf.h"
#include "maps.bpf.h"
#include "tun.bpf.h"

/* The outer IP total length when it fits the frame and covers the quoted
 * header and ports; 0 for a malformed error, which is left to the kernel. */
static __always_inline __u32 icmp_error_len(const struct icmp_error *e, void *data_end)
{
	__u32 len = bpf_ntohs(e->ip->tot_len);
	__u32 quoted_end = e->ip->ihl * 4 + sizeof(struct icmphdr) + e->inner->ihl * 4 + 4;
	if ((void *)e->ip + len > data_end || len < quoted_end)
		return 0;
	return len;
}

/* What the tunnel needs of the ICMP packet. inner_from reads the IP header
 * and inner_sums takes the quoted flow's ports for the flow hash; the sum
 * differs: ICMP has no pseudo-header, and a valid IP header and a valid ICMP
 * message each sum to zero, so the whole packet does. */
static __always_inline void icmp_inner(const struct icmp_error *e, __u32 len, struct inner *in)
{
	struct packet p = {.ip = e->ip, .l3_len = len, .l4_check = 1, .flow = e->quoted};
	inner_from(&p, in);
	inner_sums(&p, in);
	in->sum = 0;
	in->sum_known = 1;
}

/* TUN: the ICMP packet inside the server's tunnel. An error that would not
 * fit is left to the kernel (-1, untouched): nothing answers an ICMP error. */
static __always_inline int icmp_to_tunnel(struct xdp_md *ctx, const struct icmp_error *e, __u32 len,
					  const struct lvs_dest *d, struct lvs_xdp_stats *gs)
{
	if (len + tun_overhead(d) > d->mtu)
		return -1;
	struct inner in;
	icmp_inner(e, len, &in);
	if (tun_encap(ctx, d, &in) < 0) {
		gs->drop_error++;
		return XDP_DROP; /* the frame may be half rewritten */
	}
	gs->icmp_fwd++;
	return send_to_dest(ctx, d, gs);
}

/* The live DR or TUN server of the flow an error is about, or NULL. The
 * error quotes the server's answer (VIP -> client), so the flow is the
 * quote reversed, and the error must be addressed to that VIP. */
static __always_inline struct lvs_dest *icmp_flow_dest(const struct icmp_error *e)
{
	if (e->ip->daddr != e->inner->saddr)
		return 0;
	struct lvs_conn *c = conn_lookup(&e->quoted);
	if (!c || (c->flags & LVS_CONN_F_REPLY))
		return 0;
	struct lvs_dest *d = conn_dest(c, clock_now());
	if (!d || (d->fwd != LVS_FWD_ROUTE && d->fwd != LVS_FWD_TUNNEL))
		return 0;
	return d;
}

/* Returns the action for an ICMP error about a live DR or TUN flow, -1
 * otherwise (the frame untouched). */
static __always_inline int icmp_fwd(struct xdp_md *ctx, struct lvs_xdp_stats *gs, int tagged)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct icmp_error e;
	if (parse_icmp_error((void *)(long)ctx->data, data_end, &e) < 0)
		return -1;
	__u32 len = icmp_error_len(&e, data_end);
	struct lvs_dest *d = len ? icmp_flow_dest(&e) : 0;
	if (!d)
		return -1;
	if (!dest_ready(ctx, d, tagged))
		return -1; /* not ours to judge: the kernel's */
	if (dropped_absurd_mtu(&e, gs))
		return XDP_DROP;
	if (d->fwd == LVS_FWD_TUNNEL)
		return icmp_to_tunnel(ctx, &e, len, d, gs);
	set_macs(e.eth, d);
	gs->icmp_fwd++;
	return send_to_dest(ctx, d, gs);
}

#endif
