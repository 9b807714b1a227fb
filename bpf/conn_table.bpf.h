/* SPDX-License-Identifier: GPL-2.0 */
/* The connection table's only doors: every lookup, insert and delete of a
 * flow's entry goes through here, so how entries are keyed and stored is
 * decided in one place. IPv4 flows live in lvs_conns4 under a 16-byte key
 * (a scattered lookup in a big table is mostly cache misses, and a shorter
 * element misses less), IPv6 flows in lvs_conns6 under the whole key. */
#ifndef LVS_CONN_TABLE_BPF_H
#define LVS_CONN_TABLE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"
#include "maps.bpf.h"

/* The entry of an IPv4 flow by its compact key (NAT, IPv4 only, builds it
 * directly: the full key would take 40 bytes of a tight stack). */
static __always_inline struct lvs_conn *conn_lookup4(const struct lvs_flow_key4 *k4)
{
	return bpf_map_lookup_elem(&lvs_conns4, k4);
}

static __always_inline struct lvs_conn *conn_lookup(const struct lvs_flow_key *k)
{
	if (k->family == LVS_AF_INET) {
		struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
		return conn_lookup4(&k4);
	}
	return bpf_map_lookup_elem(&lvs_conns6, k);
}

/* 0, or a negative error when the entry could not be stored. */
static __always_inline int conn_insert(const struct lvs_flow_key *k, const struct lvs_conn *c)
{
	if (k->family == LVS_AF_INET) {
		struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
		return bpf_map_update_elem(&lvs_conns4, &k4, c, BPF_ANY);
	}
	return bpf_map_update_elem(&lvs_conns6, k, c, BPF_ANY);
}

/* A new flow's entry is drafted here and stored by conn_insert once its first
 * packet has been handled, never inserted and then looked up: a lookup sets
 * the LRU's reference bit, and entries that have it are kept over those that
 * don't. So a flow's entry counts as used from its second packet on, and a
 * flood of SYNs that never send another (new 5-tuples, spoofed sources) has
 * its own entries evicted, oldest first, before any connection that talked
 * (docs/robustness.md, "SYN floods"). Per CPU: one packet at a time; not
 * pinned: nothing outside the program reads it. */
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

/* Removes the entry of flow k (absent already: nothing to do). */
static __always_inline void conn_delete(const struct lvs_flow_key *k)
{
	if (k->family == LVS_AF_INET) {
		struct lvs_flow_key4 k4 = lvs_flow_key4_of(k);
		bpf_map_delete_elem(&lvs_conns4, &k4);
		return;
	}
	bpf_map_delete_elem(&lvs_conns6, k);
}

#endif
