/* SPDX-License-Identifier: GPL-2.0 */
/* Persistence (-p, -M), as IPVS's ip_vs_sched_persist: a template per client
 * (network) and service names the server its new connections go to. A port-0
 * service covers every port of its VIP, so one template covers them all. A
 * server at weight 0 keeps its templates' clients (IPVS's default,
 * expire_quiescent_template = 0); a removed one loses them.
 *
 * Lifetime: a template lives until `timeout` seconds after the last packet of
 * any connection it placed, pushed on at most once a second per connection.
 * (IPVS keeps a template while it controls a live connection, even an idle
 * one; here an established connection idle for longer than the persistence
 * timeout no longer holds its template.) */
#ifndef LVS_PERSIST_BPF_H
#define LVS_PERSIST_BPF_H

#include <bpf/bpf_endian.h>
#include "conn_state.bpf.h"
#include "sched_load.bpf.h"

static __always_inline void persist_key(struct lvs_persist_key *k, const struct lvs_svc *svc,
					const struct lvs_flow_key *flow)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->svc_id = svc->id;
	__u32 bits = svc->netmask;
	if (flow->family != LVS_AF_INET || bits >= 32)
		k->client = flow->src; /* IPv6 services take /128 */
	else if (bits)
		k->client.ip4 = flow->src.ip4 & bpf_htonl(~0u << (32 - bits));
}

static __always_inline __u64 persist_expiry(const struct lvs_svc *svc, __u64 now)
{
	return now + (__u64)svc->timeout * LVS_HZ;
}

/* Takes a template out of its server's persistent count, once. */
static __always_inline void persist_unbind(struct lvs_persist *p)
{
	if (!__sync_lock_test_and_set(&p->acct, 0))
		return;
	struct lvs_dest_conns *dc = same_dest(p->dest_id, p->dest_gen) ? dest_conns(p->dest_id) : 0;
	if (dc)
		__sync_fetch_and_sub(&dc->persist, 1);
}

/* A connection the template placed is in use: the template lives on. */
static __always_inline void persist_push(struct lvs_persist *p, const struct lvs_svc *svc, __u64 now)
{
	__u64 expires = persist_expiry(svc, now);
	if (expires > p->expires)
		p->expires = expires;
}

/* The server of k's live template (pushing its expiry on), or LVS_NO_DEST. */
static __always_inline __u32 persist_lookup(const struct lvs_persist_key *k, const struct lvs_svc *svc, __u64 now)
{
	struct lvs_persist *p = bpf_map_lookup_elem(&lvs_persist, k);
	if (!p)
		return LVS_NO_DEST;
	if (p->expires > now && live_dest(p->dest_id, p->dest_gen, svc->id)) {
		persist_push(p, svc, now);
		return p->dest_id;
	}
	persist_unbind(p);
	return LVS_NO_DEST;
}

static __always_inline void persist_new(const struct lvs_persist_key *k, const struct lvs_svc *svc, __u32 dest_id,
					__u32 gen, __u64 now)
{
	struct lvs_persist p = { .dest_id = dest_id, .dest_gen = gen, .expires = persist_expiry(svc, now), .acct = 1 };
	struct lvs_dest_conns *dc = dest_conns(dest_id);
	if (dc && bpf_map_update_elem(&lvs_persist, k, &p, BPF_ANY) == 0)
		__sync_fetch_and_add(&dc->persist, 1);
}

/* A connection the template placed is still in use: keep the template. */
static __always_inline void persist_touch(const struct lvs_svc *svc, const struct lvs_flow_key *flow, __u64 now)
{
	struct lvs_persist_key k;
	persist_key(&k, svc, flow);
	struct lvs_persist *p = bpf_map_lookup_elem(&lvs_persist, &k);
	if (p)
		persist_push(p, svc, now);
}

#endif
