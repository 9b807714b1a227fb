/* SPDX-License-Identifier: GPL-2.0 */
/* Flow tracking: one connection-table lookup decides the server of an
 * established flow; only a miss (or a server that has gone) schedules. */
#ifndef LVS_FLOW_BPF_H
#define LVS_FLOW_BPF_H

#include "maps.bpf.h"
#include "sched.bpf.h"
#include "stats.bpf.h"

struct flow_target {
	struct lvs_dest *dest;
	__u32 dest_id;
	int new_conn;
};

static __always_inline struct lvs_dest *live_dest(__u32 dest_id, __u32 gen, __u32 svc_id)
{
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (!d || !(d->flags & LVS_DEST_F_IN_USE) || d->gen != gen || d->svc_id != svc_id)
		return 0;
	return d;
}

/* Finds the server of this flow, scheduling it when the flow is new or its
 * server was removed. Returns 0 and fills t, or -1 when no server is available. */
static __always_inline int flow_target(const struct lvs_flow_key *key, const struct lvs_svc *svc,
				       struct lvs_xdp_stats *gs, struct flow_target *t)
{
	struct lvs_conn *c = bpf_map_lookup_elem(&lvs_conns, key);
	if (c) {
		t->dest = live_dest(c->dest_id, c->dest_gen, svc->id);
		if (t->dest) {
			t->dest_id = c->dest_id;
			t->new_conn = 0;
			return 0;
		}
		gs->resched++;
	}

	__u32 dest_id = sched_pick(svc);
	if (dest_id == LVS_NO_DEST)
		return -1;
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (!d || !(d->flags & LVS_DEST_F_IN_USE))
		return -1;
	struct lvs_conn nc = { .dest_id = dest_id, .dest_gen = d->gen };
	bpf_map_update_elem(&lvs_conns, key, &nc, BPF_ANY);
	gs->new_conns++;
	t->dest = d;
	t->dest_id = dest_id;
	t->new_conn = 1;
	return 0;
}

#endif
