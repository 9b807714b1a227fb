/* SPDX-License-Identifier: GPL-2.0 */
/* Path MTU for tunnels: a packet that no longer fits once encapsulated, with DF
 * set, is answered as IPVS answers it: ICMP "fragmentation needed" to the
 * client, carrying the MTU minus the tunnel's overhead, built in place from the
 * packet itself (its IP header and first 8 bytes of payload, RFC 792). */
#ifndef LVS_ICMP_BPF_H
#define LVS_ICMP_BPF_H

#include <linux/bpf.h>
#include "icmp_hdr.bpf.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include "csum.bpf.h"
#include "parse.bpf.h"

#define ICMP_TTL 64
#define ICMP_ORIG_MAX (60 + 8) /* longest IP header + 8 bytes of payload */

static __always_inline int send_frag_needed(struct xdp_md *ctx, __u32 next_hop_mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return -1;
	__u32 quoted = ip->ihl * 4 + 8;
	if (quoted > ICMP_ORIG_MAX || (void *)ip + ICMP_ORIG_MAX > data_end)
		return -1; /* too big for the tunnel means far longer than this */
	/* The quoted bytes, summed before anything moves. */
	__u64 quoted_sum = 0;
	__be16 *w = (void *)ip;
#pragma unroll
	for (int i = 0; i < ICMP_ORIG_MAX / 2; i++)
		if (i < quoted / 2)
			quoted_sum += bpf_ntohs(w[i]);
	__u8 client_mac[ETH_ALEN], our_mac[ETH_ALEN];
	__builtin_memcpy(client_mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(our_mac, eth->h_dest, ETH_ALEN);
	__be32 client = ip->saddr, vip = ip->daddr;
	__u8 tos = ip->tos;

	const int hdrs = sizeof(struct iphdr) + sizeof(struct icmphdr);
	if (bpf_xdp_adjust_head(ctx, -hdrs))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	/* Keep the new headers and the quoted part, drop the rest. */
	__u32 keep = sizeof(struct ethhdr) + hdrs + quoted;
	__u64 frame_len = (long)data_end - (long)data;
	asm volatile("" : "+r"(frame_len)); /* a 64-bit scalar: no 32-bit pointer arithmetic */
	if (bpf_xdp_adjust_tail(ctx, (int)keep - (int)frame_len))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	struct iphdr *rip = (void *)(eth + 1);
	struct icmphdr *icmp = (void *)(rip + 1);
	if ((void *)(icmp + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, client_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, our_mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	rip->version = 4;
	rip->ihl = 5;
	rip->tos = tos;
	rip->tot_len = bpf_htons(hdrs + quoted);
	rip->id = 0;
	rip->frag_off = 0;
	rip->ttl = ICMP_TTL;
	rip->protocol = IPPROTO_ICMP;
	rip->saddr = vip;
	rip->daddr = client;
	ipv4_set_csum(rip);

	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->un.frag.__unused = 0;
	icmp->un.frag.mtu = bpf_htons(next_hop_mtu);
	icmp->checksum = bpf_htons(csum_fold(csum_words(icmp, 4) + quoted_sum));
	return 0;
}

#endif
