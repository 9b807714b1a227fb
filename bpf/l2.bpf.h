/* SPDX-License-Identifier: GPL-2.0 */
/* Layer 2 towards a real server: its MAC and egress interface are cached in the
 * destination entry. The loader fills them when the server is added; when it
 * could not (no ARP answer yet), the first packet asks the kernel's FIB and
 * neighbour table and caches the answer, so the server is never skipped forever. */
#ifndef LVS_L2_BPF_H
#define LVS_L2_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include "maps.bpf.h"
#include "vlan.bpf.h"

#ifndef AF_INET
#define AF_INET 2
#endif

/* Whether interface ifindex is one a frame can leave by: the ingress, or
 * another interface lvs-xdp is attached to (a devmap entry). */
static __always_inline int port_ok(struct xdp_md *ctx, __u32 ifindex)
{
	return ifindex == ctx->ingress_ifindex || bpf_map_lookup_elem(&lvs_tx_ports, &ifindex);
}

static __always_inline int dest_resolve_l2(struct xdp_md *ctx, struct lvs_dest *d)
{
	if (d->flags & LVS_DEST_F_L2_VALID)
		return 0;
	/* A tunnel also needs its source address and path MTU, which only the
	 * loader knows (from the route); without them nothing can be sent. */
	if (d->fwd == LVS_FWD_TUNNEL && (!d->tun_src.ip4 || !d->mtu))
		return -1;
	struct bpf_fib_lookup fib = {};
	fib.family = AF_INET;
	fib.ifindex = ctx->ingress_ifindex;
	fib.ipv4_dst = d->addr.ip4;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return -1;
	/* Only a port is cached: the FIB names a VLAN device as itself, whose
	 * tags only the loader works out (the daemon asks again). */
	if (!port_ok(ctx, fib.ifindex))
		return -1;
	__builtin_memcpy(d->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(d->smac, fib.smac, ETH_ALEN);
	d->ifindex = fib.ifindex;
	d->vlan_id = 0;
	d->vlan_outer = 0;
	d->flags |= LVS_DEST_F_L2_VALID;
	return 0;
}

/* d's VLANs as frame_vlans gives a frame's. */
static __always_inline __u32 dest_vlans(const struct lvs_dest *d)
{
	return (__u32)d->vlan_outer << 16 | d->vlan_id;
}

/* Whether a frame for d can leave from here: it came in on d's VLANs (the
 * same tags, or none for a server on the untagged segment: frames keep their
 * tags, so another VLAN's would reach the wrong segment; tagged: vlan_pop
 * took tags out of it), and d's egress is a port. Otherwise the frame is
 * left to the kernel, untouched. */
static __always_inline int dest_port_ok(struct xdp_md *ctx, const struct lvs_dest *d, int tagged)
{
	return dest_vlans(d) == frame_vlans(tagged) && port_ok(ctx, d->ifindex);
}

/* d's MACs are known and a frame for it can leave from here. */
static __always_inline int dest_ready(struct xdp_md *ctx, const struct lvs_dest *d, int tagged)
{
	return (d->flags & LVS_DEST_F_L2_VALID) && dest_port_ok(ctx, d, tagged);
}

static __always_inline void set_macs(struct ethhdr *eth, const struct lvs_dest *d)
{
	__builtin_memcpy(eth->h_dest, d->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, d->smac, ETH_ALEN);
}

/* XDP_TX on the ingress interface, a devmap redirect to another attached one. */
static __always_inline int send_to_dest(struct xdp_md *ctx, const struct lvs_dest *d, struct lvs_xdp_stats *gs)
{
	if (d->ifindex == ctx->ingress_ifindex) {
		gs->tx++;
		return XDP_TX;
	}
	gs->redirect++;
	return bpf_redirect_map(&lvs_tx_ports, d->ifindex, 0);
}

/* A frame for the client of a NAT flow whose reply entry is r leaves the way
 * the client's packets came in: to the MAC they came from, from the MAC of
 * the interface they came in on (the frame's own destination when it arrived
 * there too). Passed to the kernel when that interface is no longer ours. */
static __always_inline int send_to_client(struct xdp_md *ctx, struct ethhdr *eth, const struct lvs_conn *r,
					  struct lvs_xdp_stats *gs)
{
	if (r->ifindex == ctx->ingress_ifindex) {
		__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, r->dmac, ETH_ALEN);
		gs->tx++;
		return XDP_TX;
	}
	struct lvs_iface *out = bpf_map_lookup_elem(&lvs_ifaces, &r->ifindex);
	if (!out) {
		gs->pass++;
		return XDP_PASS;
	}
	__builtin_memcpy(eth->h_source, out->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, r->dmac, ETH_ALEN);
	gs->redirect++;
	return bpf_redirect_map(&lvs_tx_ports, r->ifindex, XDP_PASS);
}

#endif
