/* SPDX-License-Identifier: GPL-2.0 */
/* The schedulers that compare servers' loads: lc, wlc, sed, nq, fo, ovf
 * (ip_vs_lc.c ... ip_vs_ovf.c). Their table is the service's servers in
 * IPVS's list order, walked once per new connection as IPVS walks its list,
 * so ties go to the same server. Loads are compared by cross-multiplying
 * with the weights, never by dividing. Only new connections pay for the walk;
 * established ones never get here. */
#ifndef LVS_SCHED_LEAST_BPF_H
#define LVS_SCHED_LEAST_BPF_H

#include "sched_load.bpf.h"

struct least_walk {
	__u32 off;
	__u32 sched;
	__u32 best;
	__u32 pad;
	__s64 best_oh;
	__s64 best_w;
};

static __always_inline void least_take(struct least_walk *w, const struct dest_load *l, __s64 oh)
{
	w->best = l->id;
	w->best_oh = oh;
	w->best_w = l->weight;
}

/* One server of the list; returns 1 to stop (nq found an idle server). */
static long least_step(__u32 i, void *arg)
{
	struct least_walk *w = arg;
	struct dest_load l;
	if (dest_load_at(w->off + i, &l) < 0 || l.overloaded)
		return 0;
	int first = w->best == LVS_NO_DEST;
	__s64 oh;
	switch (w->sched) {
	case LVS_SCHED_LC: /* weight only excludes (0) */
		oh = conn_overhead(&l);
		if (l.weight > 0 && (first || oh < w->best_oh))
			least_take(w, &l, oh);
		return 0;
	case LVS_SCHED_NQ: /* an idle server at once, else as sed */
		if (l.weight <= 0)
			return 0;
		oh = l.active + 1;
		if (!l.active) {
			least_take(w, &l, oh);
			return 1;
		}
		if (first || w->best_oh * l.weight > oh * w->best_w)
			least_take(w, &l, oh);
		return 0;
	case LVS_SCHED_FO: /* the highest weight (best_w starts at 0) */
		if (l.weight > w->best_w)
			least_take(w, &l, 0);
		return 0;
	case LVS_SCHED_OVF: /* the highest weight among those not over it */
		if (l.weight > 0 && l.active <= l.weight && (first || l.weight > w->best_w))
			least_take(w, &l, 0);
		return 0;
	default: /* wlc and sed (also lblc's and lblcr's choice of a new server) */
		oh = w->sched == LVS_SCHED_SED ? l.active + 1 : conn_overhead(&l);
		if (first ? l.weight > 0 : w->best_oh * l.weight > oh * w->best_w)
			least_take(w, &l, oh);
		return 0;
	}
}

/* The pick of the load-comparing scheduler sched over svc's servers. */
static __always_inline __u32 sched_least(const struct lvs_svc *svc, __u32 sched)
{
	struct least_walk w = { .off = svc->table_off, .sched = sched, .best = LVS_NO_DEST };
	bpf_loop(svc->table_len, least_step, &w, 0);
	return w.best;
}

struct underload_walk {
	__u32 off;
	int found;
};

static long underload_step(__u32 i, void *arg)
{
	struct underload_walk *w = arg;
	struct dest_load l;
	if (dest_load_at(w->off + i, &l) == 0 && l.active * 2 < l.weight) {
		w->found = 1;
		return 1;
	}
	return 0;
}

/* lblc and lblcr's is_overloaded: more active connections than its weight
 * while some server of the service is below half of its own. */
static __always_inline int locality_overloaded(const struct lvs_svc *svc, const struct dest_load *l)
{
	if (l->active <= l->weight)
		return 0;
	struct underload_walk w = { .off = svc->table_off };
	bpf_loop(svc->table_len, underload_step, &w, 0);
	return w.found;
}

#endif
