/* SPDX-License-Identifier: GPL-2.0 */
/* Flow tracking: one connection-table lookup decides the server of an
 * established flow (the entry names the service and server, so the service
 * table is not consulted); only a miss, an expired entry or a server that has
 * gone schedules. */
#ifndef LVS_FLOW_BPF_H
#define LVS_FLOW_BPF_H

#include "conn_table.bpf.h"
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

/* The server of an established flow whose entry c is live, or NULL when the
 * entry expired or its server has gone. */
static __always_inline struct lvs_dest *conn_dest(const struct lvs_conn *c, __u64 now)
{
	if (c->expires <= now)
		return 0;
	return live_dest(c->dest_id, c->dest_gen, c->svc_id);
}

/* A packet of a live connection whose server was removed (conn_dest gave
 * none, the entry has not expired), as IPVS's ip_vs_in_hook treats a
 * connection whose dest is no longer available: with expire_nodest_conn the
 * connection is expired now (taken out of its counter once, its entry
 * deleted) and the packet goes on to be scheduled as a new flow's, as IPVS
 * does without conntrack; returns 0. By default the packet is dropped and the
 * entry left to expire on its own, or to go on if the server is added back to
 * its service (it takes its slot back: loader/store/store.cpp); returns 1.
 * A SYN is the exception (a deviation: IPVS drops it too): it opens a new
 * connection, one a client started on a port it used before for a connection
 * to the removed server (whose DR entry sits in FIN_WAIT for minutes), or
 * one whose first SYN went to that server just before its removal. Nothing
 * could resume on it, and dropping it fails the client's connect after its
 * retries (seen in test_changes_under_load), so it is scheduled like the
 * setting's packets. After a 0 the caller's entry must not be touched: its
 * memory may already hold another flow. */
static __always_inline int nodest_conn_drop(const struct packet *pkt, const struct lvs_config *cfg)
{
	if (!(cfg->flags & LVS_CFG_F_EXPIRE_NODEST) && !pkt->tcp_syn_only)
		return 1;
	conn_end(&pkt->flow);
	return 0;
}

/* Whether a port-reusing SYN may start a new connection on entry c under
 * IPVS's conn_reuse_mode (is_new_conn_expected): mode 0 never; otherwise in
 * TIME_WAIT or CLOSE, and with bit 2 in FIN_WAIT when the server's replies
 * bypass the director (DR, TUN). */
static __always_inline int conn_reuse_expected(const struct lvs_conn *c, const struct lvs_config *cfg)
{
	__u32 mode = cfg->flags & (LVS_CFG_F_REUSE_OFF | LVS_CFG_F_REUSE_FIN_WAIT);
	if (mode == LVS_CFG_F_REUSE_OFF)
		return 0;
	if (c->state == LVS_TCP_S_TIME_WAIT || c->state == LVS_TCP_S_CLOSE)
		return 1;
	if (!(mode & LVS_CFG_F_REUSE_FIN_WAIT) || c->state != LVS_TCP_S_FIN_WAIT)
		return 0;
	struct lvs_dest *d = same_dest(c->dest_id, c->dest_gen);
	return d && d->fwd != LVS_FWD_MASQ;
}

/* A client opening a new connection (a SYN) on the key of an existing entry
 * gets a new scheduling decision, as IPVS's ip_vs_in_hook gives it: with
 * expire_nodest_conn when its server has weight 0 and no persistence
 * template placed it, else when conn_reuse_mode expects a new connection. */
static __always_inline int conn_reused(const struct lvs_conn *c, const struct packet *pkt,
				       const struct lvs_config *cfg)
{
	if (!pkt->tcp_syn_only)
		return 0;
	if ((cfg->flags & LVS_CFG_F_EXPIRE_NODEST) && !(c->flags & LVS_CONN_F_PERSIST)) {
		struct lvs_dest *d = same_dest(c->dest_id, c->dest_gen);
		if (d && d->weight == 0)
			return 1;
	}
	return conn_reuse_expected(c, cfg);
}

/* Schedules a new flow (or one whose entry is dead, already taken out of its
 * server's counts) and drafts its entry (conn_draft), counted inactive on its
 * server; flow_record stores it once the packet has been handled. A
 * persistent service's client keeps the server of its live template; anyone
 * else gets the scheduler's pick (and, persistent, a new template). Returns 0
 * and fills t, or -1 when no server is available. */
static __always_inline int flow_schedule(const struct lvs_flow_key *key, const struct lvs_svc *svc,
					 const struct lvs_config *cfg, struct lvs_xdp_stats *gs, struct flow_target *t,
					 __u64 now)
{
	int persistent = svc->flags & LVS_SVC_F_PERSISTENT;
	struct lvs_persist_key pk = {};
	__u32 dest_id = LVS_NO_DEST;
	if (persistent) {
		persist_key(&pk, svc, key);
		dest_id = persist_lookup(&pk, svc, now);
	}
	int new_template = persistent && dest_id == LVS_NO_DEST;
	if (dest_id == LVS_NO_DEST)
		dest_id = sched_pick(svc, key, cfg, now);
	if (dest_id == LVS_NO_DEST)
		return -1;
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (!d || !(d->flags & LVS_DEST_F_IN_USE))
		return -1;
	if (new_template)
		persist_new(&pk, svc, dest_id, d->gen, now);
	struct lvs_conn *nc = conn_draft();
	if (!nc)
		return -1;
	nc->dest_id = dest_id;
	nc->dest_gen = d->gen;
	nc->svc_id = svc->id;
	nc->flags = persistent ? LVS_CONN_F_PERSIST : 0;
	nc->acct = LVS_ACCT_INACTIVE;
	acct_bind(dest_id, d);
	t->conn = nc;
	gs->new_conns++;
	t->dest = d;
	t->dest_id = dest_id;
	t->new_conn = 1;
	return 0;
}

/* Stores the entry flow_schedule drafted for flow key (over a dead entry of
 * the same key). When it cannot be stored the flow is taken out of its
 * server's counts again and its next packet is scheduled anew. */
static __always_inline void flow_record(const struct lvs_flow_key *key, struct flow_target *t, __u64 now)
{
	if (conn_insert(key, t->conn, now))
		acct_unbind(t->conn);
}

#endif
