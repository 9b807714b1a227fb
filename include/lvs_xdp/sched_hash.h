/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hashes of IPVS's table schedulers, shared by the BPF data plane (which
 * hashes a packet's address to find its bucket) and the loader (which fills
 * the buckets, and whose tests check the two agree). Same arithmetic as
 * net/netfilter/ipvs/ip_vs_dh.c, ip_vs_sh.c and ip_vs_mh.c, so a table built
 * here sends an address where kernel IPVS would.
 *
 * Addresses are folded to one 32-bit word as IPVS folds them (IPv6: the XOR
 * of its four words; IPv4: the address), in host byte order.
 */
#ifndef LVS_XDP_SCHED_HASH_H
#define LVS_XDP_SCHED_HASH_H

#include <linux/types.h>
#include "lvs_xdp/abi.h"

/* The host-order word IPVS hashes for addr (network byte order inside). */
static inline __u32 lvs_addr_fold(const struct lvs_addr *addr)
{
	__u32 w = addr->ip6[0] ^ addr->ip6[1] ^ addr->ip6[2] ^ addr->ip6[3];
	return __builtin_bswap32(w); /* ntohl on the little-endian hosts BPF runs on */
}

/* The kernel's hash_32(x, 8): the top 8 bits of x times the 32-bit golden ratio. */
static inline __u32 lvs_hash_32_8(__u32 x)
{
	return x * 0x61C88647u >> (32 - 8);
}

/* dh: bucket of a destination address (ip_vs_dh_hashkey). */
static inline __u32 lvs_dh_bucket(__u32 addr_fold)
{
	return lvs_hash_32_8(addr_fold);
}

/* sh: bucket of a source address and port (host order; 0 without sh-port),
 * offset by the fallback's probe number (ip_vs_sh_hashkey). */
static inline __u32 lvs_sh_bucket(__u32 addr_fold, __u16 port, __u32 offset)
{
	return (offset + lvs_hash_32_8((__u32)port + addr_fold)) & (LVS_SH_TAB_SIZE - 1);
}

/* mh: the kernel's hsiphash (SipHash-1-3 on 64-bit hosts) of one 32-bit word
 * under a 128-bit key, truncated to 32 bits. */
#define LVS_SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define LVS_SIP_ROUND(v0, v1, v2, v3)                                                                  \
	do {                                                                                           \
		v0 += v1; v1 = LVS_SIP_ROTL(v1, 13); v1 ^= v0; v0 = LVS_SIP_ROTL(v0, 32);               \
		v2 += v3; v3 = LVS_SIP_ROTL(v3, 16); v3 ^= v2;                                         \
		v0 += v3; v3 = LVS_SIP_ROTL(v3, 21); v3 ^= v0;                                         \
		v2 += v1; v1 = LVS_SIP_ROTL(v1, 17); v1 ^= v2; v2 = LVS_SIP_ROTL(v2, 32);               \
	} while (0)

static inline __u32 lvs_hsiphash_u32(__u32 word, __u64 k0, __u64 k1)
{
	__u64 v0 = 0x736f6d6570736575ULL ^ k0;
	__u64 v1 = 0x646f72616e646f6dULL ^ k1;
	__u64 v2 = 0x6c7967656e657261ULL ^ k0;
	__u64 v3 = 0x7465646279746573ULL ^ k1;
	__u64 b = ((__u64)4 << 56) | word;
	v3 ^= b;
	LVS_SIP_ROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	LVS_SIP_ROUND(v0, v1, v2, v3);
	LVS_SIP_ROUND(v0, v1, v2, v3);
	LVS_SIP_ROUND(v0, v1, v2, v3);
	return (__u32)((v0 ^ v1) ^ (v2 ^ v3));
}

/* ip_vs_mh.c's two keys: hash1 places a client (and a server's offset), hash2
 * gives a server's skip. */
#define LVS_MH_HASH1_K0 2654435761ULL
#define LVS_MH_HASH1_K1 2654435761ULL
#define LVS_MH_HASH2_K0 2654446892ULL
#define LVS_MH_HASH2_K1 2654446892ULL

/* ip_vs_mh_hashkey under hash1: port host order (0 without mh-port). */
static inline __u32 lvs_mh_hash1(__u32 addr_fold, __u16 port, __u32 offset)
{
	return lvs_hsiphash_u32(offset + port + addr_fold, LVS_MH_HASH1_K0, LVS_MH_HASH1_K1);
}

static inline __u32 lvs_mh_hash2(__u32 addr_fold, __u16 port)
{
	return lvs_hsiphash_u32(port + addr_fold, LVS_MH_HASH2_K0, LVS_MH_HASH2_K1);
}

#endif /* LVS_XDP_SCHED_HASH_H */
