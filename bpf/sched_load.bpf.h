/* SPDX-License-Identifier: GPL-2.0 */
/* What the schedulers read of a server: its weight and connection counts, as
 * IPVS's schedulers read struct ip_vs_dest. */
#ifndef LVS_SCHED_LOAD_BPF_H
#define LVS_SCHED_LOAD_BPF_H

#include "dest_conns.bpf.h"
#include "maps.bpf.h"

#define LVS_NO_DEST ((__u32)-1)

struct dest_load {
	__u32 id;
	int overloaded;
	__s64 weight;
	__s64 active;
	__s64 inactive;
};

/* The server with id dest_id; -1 when the slot holds none. */
static __always_inline int dest_load_of(__u32 dest_id, struct dest_load *l)
{
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	struct lvs_dest_conns *dc = bpf_map_lookup_elem(&lvs_dest_conns, &dest_id);
	if (!d || !dc || !(d->flags & LVS_DEST_F_IN_USE))
		return -1;
	l->id = dest_id;
	l->overloaded = dest_overloaded(dc);
	l->weight = d->weight;
	l->active = count_of(dc->active);
	l->inactive = count_of(dc->inactive);
	return 0;
}

/* The server in a slot of lvs_sched_table. */
static __always_inline int dest_load_at(__u32 slot, struct dest_load *l)
{
	__u32 *id = bpf_map_lookup_elem(&lvs_sched_table, &slot);
	if (!id || *id == LVS_TABLE_NO_DEST)
		return -1;
	return dest_load_of(*id, l);
}

/* IPVS's ip_vs_dest_conn_overhead: an active connection weighs 256 inactive ones. */
static __always_inline __s64 conn_overhead(const struct dest_load *l)
{
	return (l->active << 8) + l->inactive;
}

/* dh, sh and mh's test: a server takes no new connections at weight 0 or
 * overloaded. */
static __always_inline int dest_available(const struct dest_load *l)
{
	return l->weight > 0 && !l->overloaded;
}

#endif
