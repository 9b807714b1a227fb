/* SPDX-License-Identifier: GPL-2.0 */
/* Flow tracking: one connection-table lookup decides the server of an
 * established flow (the entry names the service and server, so the service
 * table is not consulted); only a miss, an expired entry or a server that has
 * gone schedules. */
#ifndef LVS_FLOW_BPF_H
#define LVS_FLOW_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "persist.bpf.h"
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

/* The server for a new flow of svc: a persistent service's client keeps the
 * server of its template; anyone else gets the scheduler's pick. */
static __always_inline __u32 flow_pick(const struct lvs_flow_key *key, const struct lvs_svc *svc,
				       const struct lvs_config *cfg, __u64 now)
{
	if (!(svc->flags & LVS_SVC_F_PERSISTENT))
		return sched_pick(svc, key, cfg, now);
	struct lvs_persist_key pk;
	persist_key(&pk, svc, key);
	__u32 dest_id = persist_lookup(&pk, svc, now);
	if (dest_id != LVS_NO_DEST)
		return dest_id;
	dest_id = sched_pick(svc, key, cfg, now);
	struct lvs_dest *d = dest_id == LVS_NO_DEST ? 0 : bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (d)
		persist_new(&pk, svc, dest_id, d->gen, now);
	return dest_id;
}

/* Schedules a new flow (or one whose entry is dead, already taken out of its
 * server's counts) and records it, counted inactive on its server. Returns 0
 * and fills t, or -1 when no server is available. */
static __always_inline int flow_schedule(const struct lvs_flow_key *key, const struct lvs_svc *svc,
					 const struct lvs_config *cfg, struct lvs_xdp_stats *gs, struct flow_target *t,
					 __u64 now)
{
	__u32 dest_id = flow_pick(key, svc, cfg, now);
	if (dest_id == LVS_NO_DEST)
		return -1;
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (!d || !(d->flags & LVS_DEST_F_IN_USE))
		return -1;
	struct lvs_conn nc = {
		.dest_id = dest_id,
		.dest_gen = d->gen,
		.svc_id = svc->id,
		.flags = svc->flags & LVS_SVC_F_PERSISTENT ? LVS_CONN_F_PERSIST : 0,
		.acct = LVS_ACCT_INACTIVE,
	};
	if (bpf_map_update_elem(&lvs_conns, key, &nc, BPF_ANY))
		return -1;
	acct_bind(dest_id, d);
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
