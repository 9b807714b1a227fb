/* SPDX-License-Identifier: GPL-2.0 */
/* twos (ip_vs_twos.c): two servers drawn at random by weight, the less loaded
 * (by weight) wins. Two walks over the service's list: the first sums the
 * weights of the available servers, the second finds where the two random
 * draws fall. */
#ifndef LVS_SCHED_TWOS_BPF_H
#define LVS_SCHED_TWOS_BPF_H

#include "sched_load.bpf.h"

struct twos_walk {
	__u32 off;
	__u32 choice1;
	__u32 choice2;
	__u32 pad;
	__s64 total;
	__s64 r1, r2;
	__s64 w1, w2;
	__s64 oh1, oh2;
};

static long twos_sum(__u32 i, void *arg)
{
	struct twos_walk *w = arg;
	struct dest_load l;
	if (dest_load_at(w->off + i, &l) == 0 && dest_available(&l))
		w->total += l.weight;
	return 0;
}

static long twos_draw(__u32 i, void *arg)
{
	struct twos_walk *w = arg;
	struct dest_load l;
	if (dest_load_at(w->off + i, &l) < 0 || !dest_available(&l))
		return 0;
	w->r1 -= l.weight;
	w->r2 -= l.weight;
	if (w->r1 <= 0 && w->w1 < 0) {
		w->choice1 = l.id;
		w->w1 = l.weight;
		w->oh1 = conn_overhead(&l);
	}
	if (w->r2 <= 0 && w->w2 < 0) {
		w->choice2 = l.id;
		w->w2 = l.weight;
		w->oh2 = conn_overhead(&l);
	}
	return w->w1 >= 0 && w->w2 >= 0;
}

static __always_inline __u32 sched_twos(const struct lvs_svc *svc)
{
	struct twos_walk w = {
		.off = svc->table_off, .choice1 = LVS_NO_DEST, .choice2 = LVS_NO_DEST, .w1 = -1, .w2 = -1,
	};
	bpf_loop(svc->table_len, twos_sum, &w, 0);
	if (w.total <= 0)
		return LVS_NO_DEST;
	/* Draws in [0, total]: IPVS adds 1 so both ends are included. */
	__u64 range = (__u64)w.total + 1;
	w.r1 = bpf_get_prandom_u32() % range;
	w.r2 = bpf_get_prandom_u32() % range;
	bpf_loop(svc->table_len, twos_draw, &w, 0);
	if (w.choice2 != LVS_NO_DEST && w.w2 * w.oh1 > w.w1 * w.oh2)
		return w.choice2;
	return w.choice1;
}

#endif
