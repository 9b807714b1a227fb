/* SPDX-License-Identifier: GPL-2.0 */
/* Flow tracking: one connection-table lookup decides the server of an
 * established flow (the entry names the service and server, so the service
 * table is not consulted); only a miss, an expired entry or a server that has
 * gone schedules. */
#ifndef LVS_FLOW_BPF_H
#define LVS_FLOW_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "sched.bpf.h"
#include "stats.bpf.h"

struct flow_target {
	struct lvs_conn *conn;
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

/* The server of an established flow whose entry c is live, or NULL when the
 * entry expired or its server has gone. */
static __always_inline struct lvs_dest *conn_dest(const struct lvs_conn *c, __u64 now)
{
	if (c->expires <= now)
		return 0;
	return live_dest(c->dest_id, c->dest_gen, c->svc_id);
}

/* A client reusing its port for a new connection (a SYN onto an entry in
 * TIME_WAIT) gets a new scheduling decision, as IPVS's conn_reuse_mode 1. */
static __always_inline int conn_reused(const struct lvs_conn *c, const struct packet *pkt)
{
	return pkt->tcp_syn_only && c->state == LVS_TCP_S_TIME_WAIT;
}

/* Schedules a new flow (or one whose entry is dead) and records it. Returns 0
 * and fills t, or -1 when no server is available. */
static __always_inline int flow_schedule(const struct lvs_flow_key *key, const struct lvs_svc *svc,
					 struct lvs_xdp_stats *gs, struct flow_target *t)
{
	__u32 dest_id = sched_pick(svc);
	if (dest_id == LVS_NO_DEST)
		return -1;
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (!d || !(d->flags & LVS_DEST_F_IN_USE))
		return -1;
	struct lvs_conn nc = { .dest_id = dest_id, .dest_gen = d->gen, .svc_id = svc->id };
	if (bpf_map_update_elem(&lvs_conns, key, &nc, BPF_ANY))
		return -1;
	t->conn = bpf_map_lookup_elem(&lvs_conns, key);
	if (!t->conn)
		return -1;
	gs->new_conns++;
	t->dest = d;
	t->dest_id = dest_id;
	t->new_conn = 1;
	return 0;
}

#endif
