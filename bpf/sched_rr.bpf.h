/* SPDX-License-Identifier: GPL-2.0 */
/* rr and wrr (ip_vs_rr.c, ip_vs_wrr.c): the loader computes the sequence (the
 * wrr interleaving); here a position walks it one step per new flow, passing
 * over overloaded servers and (rr keeps them in its table) servers at weight 0
 * as IPVS does. The position is per CPU, so each CPU
 * runs its own copy of the sequence (documented deviation from IPVS, which
 * shares one position under a lock). */
#ifndef LVS_SCHED_RR_BPF_H
#define LVS_SCHED_RR_BPF_H

#include "sched_load.bpf.h"

struct rr_walk {
	__u32 off;
	__u32 len;
	__u32 start;
	__u32 found;
	__u32 at;
};

static long rr_step(__u32 i, void *arg)
{
	struct rr_walk *w = arg;
	__u32 p = w->start + i;
	if (p >= w->len)
		p -= w->len;
	struct dest_load l;
	if (dest_load_at(w->off + p, &l) < 0 || !dest_available(&l))
		return 0;
	w->found = l.id;
	w->at = p;
	return 1;
}

static __always_inline __u32 sched_rr(const struct lvs_svc *svc)
{
	__u32 len = svc->table_len;
	__u32 id = svc->id;
	__u32 *pos = bpf_map_lookup_elem(&lvs_sched_pos, &id);
	if (!len || !pos)
		return LVS_NO_DEST;
	struct rr_walk w = { .off = svc->table_off, .len = len, .start = *pos, .found = LVS_NO_DEST };
	if (w.start >= len)
		w.start = 0; /* the table shrank since the last pick */
	bpf_loop(len, rr_step, &w, 0);
	if (w.found != LVS_NO_DEST)
		*pos = w.at + 1 == len ? 0 : w.at + 1;
	return w.found;
}

#endif
