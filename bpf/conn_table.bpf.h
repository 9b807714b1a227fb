/* SPDX-License-Identifier: GPL-2.0 */
/* The connection table's only doors: every lookup, insert and delete of a
 * flow's entry goes through here, so how entries are keyed and stored is
 * decided in one place. IPv4 flows live in lvs_conn_slots4, slots this file
 * manages (where a flow lives and which slot a new one takes:
 * include/lvs_xdp/conn_slots.h); IPv6 flows in lvs_conns6, an LRU hash. */
#ifndef LVS_CONN_TABLE_BPF_H
#define LVS_CONN_TABLE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"
#include "lvs_xdp/conn_slots.h"
#include "dest_conns.bpf.h"
#include "maps.bpf.h"
#include "stats.bpf.h"

static __always_inline struct lvs_conn_slot4 *conn_slot4(__u32 idx)
{
	return bpf_map_lookup_elem(&lvs_conn_slots4, &idx);
}

/* Slot i (0 .. 2 * LVS_CONN_WAYS - 1) of the groups starting at a and b. */
static __always_inline __u32 conn_way(__u32 a, __u32 b, int i)
{
	return (i < LVS_CONN_WAYS ? a : b) + i % LVS_CONN_WAYS;
}

static __always_inline int slot_holds(const struct lvs_conn_slot4 *s, __u64 w0, __u64 w1)
{
	return lvs_key4_word(&s->key, 0) == w0 && lvs_key4_word(&s->key, 1) == w1;
}

/* The slot index of an IPv4 flow, or -1. The eight slots are read in one
 * unrolled pass: the CPU fetches both groups at once. */
static __always_inline int conn_find4_inline(const struct lvs_flow_key4 *k4)
{
	__u32 a, b;
	lvs_conn_groups4(k4, lvs_conn_seed, lvs_conn_group_mask, &a, &b);
	__u64 w0 = lvs_key4_word(k4, 0), w1 = lvs_key4_word(k4, 1);
#pragma unroll
	for (int i = 0; i < 2 * LVS_CONN_WAYS; i++) {
		struct lvs_conn_slot4 *s = conn_slot4(conn_way(a, b, i));
		if (s && slot_holds(s, w0, w1))
			return conn_way(a, b, i);
	}
	return -1;
}

/* The same as a global function: the verifier checks it once, not at each of
 * the program's lookups (all inlined, they took it past its limit). */
__noinline int conn_find4(const struct lvs_flow_key4 *k4)
{
	return k4 ? conn_find4_inline(k4) : -1;
}

static __always_inline struct lvs_conn_slot4 *slot_lookup4(const struct lvs_flow_key4 *k4)
{
	int idx = conn_find4(k4);
	return idx < 0 ? 0 : conn_slot4(idx);
}

/* The entry in slot idx (-1: none). */
static __always_inline struct lvs_conn *slot_conn(int idx)
{
	struct lvs_conn_slot4 *s = idx < 0 ? 0 : conn_slot4(idx);
	if (!s)
		return 0;
	barrier_var(s); /* clang would add the offset before the check, which the verifier refuses */
	return &s->conn;
}

/* The entry of an IPv4 flow by its compact key (NAT, IPv4 only, builds it
 * directly: the full key would take 40 bytes of a tight stack). */
static __always_inline struct lvs_conn *conn_lookup4(const struct lvs_flow_key4 *k4)
{
	return slot_conn(conn_find4(k4));
}

/* A packet's own flow, its one lookup on the established path: inlined
 * there, as a call and its return cost more than the lookup itself where
 * returns are mitigated (AMD's SRSO "safe RET"). */
static __always_inline struct lvs_conn *conn_lookup_packet(const struct lvs_flow_key *k)
{
	if (k->family == LVS_AF_INET) {
		struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
		return slot_conn(conn_find4_inline(&k4));
	}
	return bpf_map_lookup_elem(&lvs_conns6, k);
}

static __always_inline struct lvs_conn *conn_lookup(const struct lvs_flow_key *k)
{
	if (k->family == LVS_AF_INET) {
		struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
		return conn_lookup4(&k4);
	}
	return bpf_map_lookup_elem(&lvs_conns6, k);
}

/* Takes slot s, whose key word 1 was seen (not busy): marks it busy with one
 * compare-and-swap, so that of two CPUs taking it at once one wins and the
 * other fails. -1 when another CPU changed it meanwhile. */
static __always_inline int slot_claim(struct lvs_conn_slot4 *s, __u64 seen)
{
	__u64 *w1 = (__u64 *)&s->key + 1;
	return __sync_val_compare_and_swap(w1, seen, seen | LVS_SLOT_BUSY) == seen ? 0 : -1;
}

/* Ends a claim: the key's word 1 is written last, with a full barrier, so
 * nobody matches the slot before the rest of it is written. */
static __always_inline void slot_publish(struct lvs_conn_slot4 *s, __u64 w1)
{
	__sync_lock_test_and_set((__u64 *)&s->key + 1, w1);
}

/* Whether slot s is being written (by another CPU) with flow w0:w1 as its
 * key, the old one or the new. */
static __always_inline int slot_busy_with(const struct lvs_conn_slot4 *s, __u64 w0, __u64 w1)
{
	return lvs_key4_word(&s->key, 0) == w0 && lvs_key4_word(&s->key, 1) == (w1 | LVS_SLOT_BUSY);
}

/* One try of conn_insert4: 0 stored; -1 lost a race for the slot it chose
 * (another CPU took or changed it after the ranking); -2 no slot to take
 * (all eight being written, or the flow's own slot is: the writer decides
 * it, and a second copy of the key in another slot would shadow one of
 * them). */
static __always_inline int conn_insert4_try(__u32 a, __u32 b, __u64 w0, __u64 w1, const struct lvs_conn *c,
					    __u64 now)
{
	/* Its own slot, or the best to take, looking first in the group with
	 * more free slots (ties: the first group). */
	__u32 best = 0;
	__u64 best_rank = LVS_RANK_NEVER;
	/* The key of the slot as ranked: the claim must find it unchanged, or
	 * another CPU stored a flow there since (taking it would overwrite it). */
	__u64 best_w0 = w0, best_w1 = w1;
	int free_a = 0, free_b = 0;
	for (int i = 0; i < 2 * LVS_CONN_WAYS; i++) {
		struct lvs_conn_slot4 *s = conn_slot4(conn_way(a, b, i));
		if (!s)
			return -2;
		if (slot_holds(s, w0, w1)) {
			best = conn_way(a, b, i);
			best_rank = 1; /* its own: ended or being replaced */
			break;
		}
		if (slot_busy_with(s, w0, w1))
			return -2;
		if (lvs_conn_slot_free(s)) {
			if (i < LVS_CONN_WAYS)
				free_a++;
			else
				free_b++;
		}
	}
	if (best_rank == LVS_RANK_NEVER) {
		__u32 first = free_b > free_a ? b : a, second = free_b > free_a ? a : b;
		for (int i = 0; i < 2 * LVS_CONN_WAYS; i++) {
			__u32 idx = conn_way(first, second, i);
			struct lvs_conn_slot4 *s = conn_slot4(idx);
			if (!s)
				return -2;
			__u64 rank = lvs_conn_slot_rank(s, now);
			if (rank < best_rank) {
				best_rank = rank;
				best = idx;
				best_w0 = lvs_key4_word(&s->key, 0);
				best_w1 = lvs_key4_word(&s->key, 1);
			}
		}
	}
	struct lvs_conn_slot4 *s = conn_slot4(best);
	if (!s || best_rank == LVS_RANK_NEVER)
		return -2;
	__u64 seen = best_w1;
	if ((seen & LVS_SLOT_BUSY) || slot_claim(s, seen) < 0)
		return -1;
	if (lvs_key4_word(&s->key, 0) != best_w0) { /* same second word, another flow */
		slot_publish(s, seen);
		return -1;
	}
	if (seen) { /* the slot held a flow: it ends here */
		if (lvs_conn_rank_live(best_rank)) {
			struct lvs_xdp_stats *gs = xdp_stats();
			if (gs)
				gs->conn_evicted++;
		}
		acct_unbind(&s->conn);
	}
	s->conn = *c;
	*(__u64 *)&s->key = w0;
	slot_publish(s, w1);
	return 0;
}

/* Stores flow k4's entry: over its old one if it has one, else in the slot
 * conn_slots.h ranks first. The entry a new flow displaces is taken out of
 * its server's counters (it ended or is evicted; an eviction of a live one is
 * counted). A race lost to another CPU for the chosen slot is tried once
 * more, ranked anew. 0, or -1 (counted in conn_store_fail) when no slot
 * could be taken. A global function: the verifier checks its loops once. */
__noinline int conn_insert4(const struct lvs_flow_key4 *k4, const struct lvs_conn *c, __u64 now)
{
	if (!k4 || !c)
		return -1;
	__u32 a, b;
	lvs_conn_groups4(k4, lvs_conn_seed, lvs_conn_group_mask, &a, &b);
	__u64 w0 = lvs_key4_word(k4, 0), w1 = lvs_key4_word(k4, 1);
	int err = conn_insert4_try(a, b, w0, w1, c, now);
	if (err == -1)
		err = conn_insert4_try(a, b, w0, w1, c, now);
	if (!err)
		return 0;
	struct lvs_xdp_stats *gs = xdp_stats();
	if (gs)
		gs->conn_store_fail++;
	return -1;
}

/* 0, or a negative error when the entry could not be stored. */
static __always_inline int conn_insert(const struct lvs_flow_key *k, const struct lvs_conn *c, __u64 now)
{
	if (k->family == LVS_AF_INET) {
		struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
		return conn_insert4(&k4, c, now);
	}
	return bpf_map_update_elem(&lvs_conns6, k, c, BPF_ANY);
}

/* A new flow's entry is drafted here and stored by conn_insert once its first
 * packet has been handled. Its second packet marks it used (conn_touch): a
 * flood of SYNs that never send another (new 5-tuples, spoofed sources) never
 * is, and a full group gives such entries up first, soonest-expiring first,
 * before any connection that talked (docs/robustness.md, "SYN floods"). IPv6
 * flows are in the kernel's LRU hash, where the lookup that follows an insert
 * would set the reference bit the same way; drafting first avoids it. Per
 * CPU: one packet at a time; not pinned: nothing outside the program reads
 * it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lvs_conn);
} lvs_conn_draft SEC(".maps");

/* This CPU's draft, zeroed. */
static __always_inline struct lvs_conn *conn_draft(void)
{
	__u32 zero = 0;
	struct lvs_conn *c = bpf_map_lookup_elem(&lvs_conn_draft, &zero);
	if (c)
		__builtin_memset(c, 0, sizeof(*c));
	return c;
}

/* A packet after the flow's first found its entry: one write in its life. */
static __always_inline void conn_touch(struct lvs_conn *c)
{
	if (!(c->flags & LVS_CONN_F_USED))
		c->flags |= LVS_CONN_F_USED;
}

/* Ends flow k's entry: out of its server's counters, and deleted. An IPv4
 * slot is claimed first, so that a flow another CPU stored in it since the
 * caller's lookup is left alone (that CPU took the old entry out of its
 * counters itself); the kernel's IPv6 LRU hash offers no such claim. A
 * global function: the verifier checks it once. */
__noinline int conn_end(const struct lvs_flow_key *k)
{
	if (!k)
		return -1;
	if (k->family != LVS_AF_INET) {
		struct lvs_conn *c = bpf_map_lookup_elem(&lvs_conns6, k);
		if (c)
			acct_unbind(c);
		return bpf_map_delete_elem(&lvs_conns6, k);
	}
	struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
	struct lvs_conn_slot4 *s = slot_lookup4(&k4);
	if (!s)
		return -1;
	__u64 seen = lvs_key4_word(&k4, 1);
	if (slot_claim(s, seen) < 0)
		return -1; /* another CPU is replacing it: gone either way */
	if (lvs_key4_word(&s->key, 0) != lvs_key4_word(&k4, 0)) {
		slot_publish(s, seen); /* since taken by a flow with the same ports */
		return -1;
	}
	acct_unbind(&s->conn);
	*(__u64 *)&s->key = 0;
	slot_publish(s, 0);
	return 0;
}

#endif
