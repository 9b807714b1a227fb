/* SPDX-License-Identifier: GPL-2.0 */
/* 802.1Q-tagged frames (one tag, or a QinQ pair: 802.1ad then 802.1Q) around
 * IPv4 are handled as untagged ones with their tags kept: the tags are taken
 * out before the frame is parsed (the MACs move up over them) and put back
 * behind the MACs of whatever frame leaves, so every parser and rewrite works
 * at fixed offsets and an untagged frame pays one EtherType test. The tags
 * wait in a per-CPU slot: one frame at a time runs on a CPU. Both steps are
 * calls of their own, so their stack is not added to the main program's. */
#ifndef LVS_VLAN_BPF_H
#define LVS_VLAN_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* A tag after the MACs' EtherType field (which said a tag follows): the tag
 * control information, then the next EtherType. */
struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

struct vlan_saved {
	__u32 len;     /* bytes of tags taken out: 4 or 8 */
	__be16 w[4];   /* TPID, TCI (, TPID, TCI) as they were */
};

/* Not pinned: nothing outside the program reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vlan_saved);
} lvs_vlan_saved SEC(".maps");

/* Takes the tags out of a tagged IPv4 frame. Returns 1 when it did (the frame
 * now starts at its MACs followed by the IPv4 EtherType), 0 for any other
 * frame, left as it is. */
static __noinline int vlan_pop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_tag *tag = (void *)(eth + 1);
	if ((void *)(tag + 2) > data_end)
		return 0;
	__u32 len;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) && tag[0].proto == bpf_htons(ETH_P_IP))
		len = 4;
	else if (eth->h_proto == bpf_htons(ETH_P_8021AD) && tag[0].proto == bpf_htons(ETH_P_8021Q) &&
		 tag[1].proto == bpf_htons(ETH_P_IP))
		len = 8;
	else
		return 0;
	__u32 zero = 0;
	struct vlan_saved *s = bpf_map_lookup_elem(&lvs_vlan_saved, &zero);
	if (!s)
		return 0;
	s->len = len;
	__builtin_memcpy(s->w, &eth->h_proto, sizeof(s->w));
	/* The MACs (6 words) move up by len over the tags, top word first: the
	 * ranges overlap. */
	__be16 *w = data;
#pragma unroll
	for (int i = 5; i >= 0; i--) {
		if (len == 4)
			w[i + 2] = w[i];
		else
			w[i + 4] = w[i];
	}
	if (bpf_xdp_adjust_head(ctx, len))
		return 0; /* cannot happen: the frame is longer than its tags and header */
	return 1;
}

/* The VLANs a frame came in on, as dest_vlans (l2.bpf.h) puts a server's: the
 * 802.1Q tag's id, and QinQ's 802.1ad tag's id above it; 0 untagged
 * (tagged: vlan_pop took tags out of this frame). */
static __always_inline __u32 frame_vlans(int tagged)
{
	__u32 zero = 0;
	struct vlan_saved *s = tagged ? bpf_map_lookup_elem(&lvs_vlan_saved, &zero) : 0;
	if (!s)
		return 0;
	if (s->len == 8)
		return (__u32)(bpf_ntohs(s->w[1]) & 0x0fff) << 16 | (bpf_ntohs(s->w[3]) & 0x0fff);
	return bpf_ntohs(s->w[1]) & 0x0fff;
}

/* Puts the tags vlan_pop took out back behind the frame's MACs. -1 when it
 * could not (cannot happen: the room in front was the tags'). */
static __noinline int vlan_push(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct vlan_saved *s = bpf_map_lookup_elem(&lvs_vlan_saved, &zero);
	if (!s)
		return -1;
	__u32 len = s->len == 8 ? 8 : 4;
	if (bpf_xdp_adjust_head(ctx, -(int)len))
		return -1;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 *w = data;
	if ((void *)(w + 10) > data_end)
		return -1;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (len == 4)
			w[i] = w[i + 2];
		else
			w[i] = w[i + 4];
	}
	w[6] = s->w[0];
	w[7] = s->w[1];
	if (len == 8) {
		w[8] = s->w[2];
		w[9] = s->w[3];
	}
	return 0;
}

#endif
