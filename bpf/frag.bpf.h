/* SPDX-License-Identifier: GPL-2.0 */
/* IPv4 fragments: only a datagram's first fragment carries the ports, so it is
 * scheduled and forwarded as any packet of its flow, and the datagram is
 * remembered here (addresses, IP id, protocol -> the flow's key, as Cilium
 * tracks fragments); its later fragments look the flow up through that and go
 * the same way with IP-level work only. A later fragment that arrives before
 * its first one, or of a datagram that was not forwarded, goes to the kernel. */
#ifndef LVS_FRAG_BPF_H
#define LVS_FRAG_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"
#include "parse.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LVS_MAX_FRAGS);
	__type(key, struct lvs_frag_key);
	__type(value, struct lvs_flow_key);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_frags SEC(".maps");

static __always_inline void frag_key(struct lvs_frag_key *k, const struct packet *pkt)
{
	k->saddr = pkt->flow.src.ip4;
	k->daddr = pkt->flow.dst.ip4;
	k->id = pkt->frag_id;
	k->proto = pkt->flow.proto;
	k->pad = 0;
}

/* pkt, a first fragment, was forwarded: its datagram's later fragments follow. */
static __always_inline void frag_remember(const struct packet *pkt, struct lvs_xdp_stats *gs)
{
	struct lvs_frag_key k;
	frag_key(&k, pkt);
	if (bpf_map_update_elem(&lvs_frags, &k, &pkt->flow, BPF_ANY) == 0)
		gs->frag_first++;
}

/* For pkt, a later fragment: the key of the flow its first fragment belonged
 * to, copied into pkt->flow. -1 when no first fragment of its datagram was
 * forwarded (or its entry was evicted). */
static __always_inline int frag_flow(struct packet *pkt)
{
	struct lvs_frag_key k;
	frag_key(&k, pkt);
	struct lvs_flow_key *flow = bpf_map_lookup_elem(&lvs_frags, &k);
	if (!flow)
		return -1;
	pkt->flow = *flow;
	return 0;
}

#endif
