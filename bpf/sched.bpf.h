/* SPDX-License-Identifier: GPL-2.0 */
/* Scheduling a new flow. The loader computes each service's table (the rr order,
 * the wrr interleaving); here it is only indexed, so picking a server costs the
 * same whatever the number of servers. */
#ifndef LVS_SCHED_BPF_H
#define LVS_SCHED_BPF_H

#include "maps.bpf.h"

#define LVS_NO_DEST ((__u32)-1)

/* rr and wrr: walk the table one step per new flow. The position is per CPU, so
 * each CPU runs its own copy of the sequence (documented deviation from IPVS,
 * which shares one position under a lock). */
static __always_inline __u32 sched_next_in_table(const struct lvs_svc *svc)
{
	__u32 len = svc->table_len;
	if (!len)
		return LVS_NO_DEST;
	__u32 id = svc->id;
	__u32 *pos = bpf_map_lookup_elem(&lvs_sched_pos, &id);
	if (!pos)
		return LVS_NO_DEST;
	__u32 p = *pos;
	if (p >= len)
		p = 0; /* the table shrank since the last pick */
	*pos = p + 1 == len ? 0 : p + 1;
	__u32 slot = svc->table_off + p;
	__u32 *dest_id = bpf_map_lookup_elem(&lvs_sched_table, &slot);
	return dest_id ? *dest_id : LVS_NO_DEST;
}

static __always_inline __u32 sched_pick(const struct lvs_svc *svc)
{
	switch (svc->sched) {
	case LVS_SCHED_RR:
	case LVS_SCHED_WRR:
		return sched_next_in_table(svc);
	default:
		return LVS_NO_DEST;
	}
}

#endif
