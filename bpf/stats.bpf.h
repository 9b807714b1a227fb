/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU counters: plain increments, no atomics, summed by the loader. */
#ifndef LVS_STATS_BPF_H
#define LVS_STATS_BPF_H

#include "maps.bpf.h"

static __always_inline struct lvs_xdp_stats *xdp_stats(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&lvs_xdp_stats, &zero);
}

static __always_inline void count_in(void *map, __u32 id, __u32 bytes, int new_conn)
{
	struct lvs_counters *c = bpf_map_lookup_elem(map, &id);
	if (!c)
		return;
	c->conns += new_conn;
	c->inpkts++;
	c->inbytes += bytes;
}

static __always_inline void count_out(void *map, __u32 id, __u32 bytes)
{
	struct lvs_counters *c = bpf_map_lookup_elem(map, &id);
	if (!c)
		return;
	c->outpkts++;
	c->outbytes += bytes;
}

#endif
