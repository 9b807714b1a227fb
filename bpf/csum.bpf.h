/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksums (RFC 1071) for headers the program writes. Sums are kept
 * unfolded in 64 bits and folded once at the end. */
#ifndef LVS_CSUM_BPF_H
#define LVS_CSUM_BPF_H

#include <linux/types.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include "maps.bpf.h"

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Sum of n 16-bit words in network order, as host numbers; n is a constant. */
static __always_inline __u64 csum_words(const void *p, int n)
{
	const __be16 *w = p;
	__u64 sum = 0;
#pragma unroll
	for (int i = 0; i < n; i++)
		sum += bpf_ntohs(w[i]);
	return sum;
}

static __always_inline __u64 csum_addr4(__be32 a)
{
	__u32 h = bpf_ntohl(a);
	return (h >> 16) + (h & 0xffff);
}

/* Sum of len bytes of the frame from offset off: only for the rare case where
 * no checksum already vouches for the bytes. Copies 512-byte chunks to the
 * stack (bpf_xdp_load_bytes) and sums them with bpf_csum_diff, which wants
 * whole 32-bit words: a short last chunk is padded with zeros. */
#define CSUM_MAX_CHUNKS 18 /* 9216 bytes: jumbo frames */
static __always_inline __u64 csum_frame_bytes(struct xdp_md *ctx, __u32 off, __u32 len)
{
	__u32 zero = 0;
	struct lvs_scratch *scratch = bpf_map_lookup_elem(&lvs_scratch, &zero);
	if (!scratch)
		return 0;
	__u8 *buf = scratch->buf;
	__u64 sum = 0;
	for (int i = 0; i < CSUM_MAX_CHUNKS && len > 0; i++) {
		/* n - 1 masked in asm the compiler must keep: it shows the verifier
		 * that n lies in [1, CSUM_CHUNK] (a no-op for the value). */
		__u32 last = (len < CSUM_CHUNK ? len : CSUM_CHUNK) - 1;
		asm volatile("%[last] &= 511" : [last] "+r"(last));
		__u32 n = last + 1;
		if (bpf_xdp_load_bytes(ctx, off, buf, n) < 0)
			break;
		buf[n] = buf[n + 1] = buf[n + 2] = 0; /* pad to a whole word */
		__u32 partial = bpf_csum_diff(0, 0, (void *)buf, (n + 3) & ~3u, 0);
		/* bpf_csum_diff adds words as the CPU reads them; fold, then turn
		 * the 16-bit result into network order's reading. */
		partial = (partial & 0xffff) + (partial >> 16);
		partial = (partial & 0xffff) + (partial >> 16);
		sum += bpf_ntohs((__u16)partial);
		off += n;
		len -= n;
	}
	return sum;
}

/* Incremental updates (RFC 1624): a delta collects ~old + new for every 16-bit
 * word that changes, and applying it to a checksum is one fold. */
static __always_inline __u64 csum_delta16(__u16 old_host, __u16 new_host)
{
	return (~old_host & 0xffff) + new_host;
}

static __always_inline __u64 csum_delta32(__be32 old_net, __be32 new_net)
{
	__u32 o = bpf_ntohl(old_net), n = bpf_ntohl(new_net);
	return csum_delta16(o >> 16, n >> 16) + csum_delta16(o & 0xffff, n & 0xffff);
}

static __always_inline __be16 csum_apply(__be16 check, __u64 delta)
{
	return bpf_htons(csum_fold((~bpf_ntohs(check) & 0xffff) + delta));
}

/* A 20-byte IPv4 header's checksum field, computed from scratch. */
static __always_inline void ipv4_set_csum(struct iphdr *ip)
{
	ip->check = 0;
	ip->check = bpf_htons(csum_fold(csum_words(ip, 10)));
}

#endif
