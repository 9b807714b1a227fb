/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an IPv4 flow lives in lvs_conn_slots4 and which slot a new flow
 * takes: one definition for the XDP program (bpf/conn_table.bpf.h) and the
 * loader (loader/maps/conn_slots.cpp), which must agree on both.
 *
 * A flow's 64-bit hash (keyed by lvs_config.conn_seed) names two groups of
 * LVS_CONN_WAYS slots (its low and high 32 bits, each masked to a group); the
 * flow is in one of their eight slots or nowhere. Both groups are read at
 * once, so a lookup costs about one memory access's time however full the
 * table is. A new flow takes, in this order
 * (lvs_conn_slot_rank): a free slot, preferring the group with more of them
 * (two choices keep every group from filling while about half the table is
 * free: with 2^20 flows in 2^21 slots, about 1 in 100,000 finds both full),
 * a slot whose entry has expired, then a live entry that never saw a second
 * packet (a SYN flood's), and only then one that did; among live ones, the
 * one that expires first. The table never grows and nothing is allocated.
 */
#ifndef LVS_XDP_CONN_SLOTS_H
#define LVS_XDP_CONN_SLOTS_H

#include "lvs_xdp/abi.h"

/* The key as two words, compared and hashed as such (copied, not cast: the
 * compilers may assume a __u64 read does not alias the key's fields). */
static inline __u64 lvs_key4_word(const struct lvs_flow_key4 *k, int i)
{
	__u64 w;
	__builtin_memcpy(&w, (const char *)k + 8 * i, sizeof(w));
	return w;
}

/* A 64-bit mix of the key's two words and the seed (multiply-xorshift
 * rounds: each input bit reaches every output bit). */
static inline __u64 lvs_conn_hash4(const struct lvs_flow_key4 *k, __u64 seed)
{
	__u64 h = (lvs_key4_word(k, 0) ^ seed) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	h = (h ^ lvs_key4_word(k, 1)) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	h *= 0x165667b19e3779f9ULL;
	h ^= h >> 32;
	return h;
}

/* The first slot of each of the flow's two groups; group_mask is the number
 * of groups (slots / LVS_CONN_WAYS, a power of two) minus one. */
static inline void lvs_conn_groups4(const struct lvs_flow_key4 *k, __u64 seed, __u32 group_mask, __u32 *first_a,
				    __u32 *first_b)
{
	__u64 h = lvs_conn_hash4(k, seed);
	__u32 a = (__u32)h & group_mask;
	__u32 b = (__u32)(h >> 32) & group_mask;
	if (b == a)
		b = a ^ 1; /* two distinct groups (the table has at least two) */
	*first_a = a * LVS_CONN_WAYS;
	*first_b = b * LVS_CONN_WAYS;
}

static inline int lvs_conn_slot_free(const struct lvs_conn_slot4 *s)
{
	return lvs_key4_word(&s->key, 0) == 0 && lvs_key4_word(&s->key, 1) == 0;
}

/* A slot being written has this bit in its key's pad (the last byte, bit 7):
 * no lookup key has it, so nobody matches the slot until the writer is done. */
#define LVS_SLOT_BUSY (1ULL << 63)

/* How willing a new flow is to take slot s (lowest first): free 0, ended 1,
 * live and never used (2 << 60) + expiry, used (3 << 60) + expiry; a slot
 * being written is never taken. */
#define LVS_RANK_NEVER (~0ULL)
static inline __u64 lvs_conn_slot_rank(const struct lvs_conn_slot4 *s, __u64 now)
{
	if (lvs_key4_word(&s->key, 1) & LVS_SLOT_BUSY)
		return LVS_RANK_NEVER;
	if (lvs_conn_slot_free(s))
		return 0;
	__u64 expires = s->conn.expires;
	if (expires <= now)
		return 1;
	if (expires >= (1ULL << 60))
		expires = (1ULL << 60) - 1;
	return ((s->conn.flags & LVS_CONN_F_USED) ? 3ULL << 60 : 2ULL << 60) + expires;
}

/* Ranks from 2 << 60 on are live entries: taking one evicts a connection. */
static inline int lvs_conn_rank_live(__u64 rank)
{
	return rank >= (2ULL << 60) && rank != LVS_RANK_NEVER;
}

#endif /* LVS_XDP_CONN_SLOTS_H */
