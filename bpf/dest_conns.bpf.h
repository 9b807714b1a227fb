/* SPDX-License-Identifier: GPL-2.0 */
/* IPVS's per-server connection counters (activeconns, inactconns,
 * persistconns and the overload flag of -x/-y), kept as IPVS keeps them in
 * ip_vs_bind_dest, ip_vs_unbind_dest and the TCP state hook. Every CPU
 * schedules against the same counts, so they are shared and changed with
 * atomic operations; an entry records in acct which counter holds it, and
 * the one who swaps acct away is the one who decrements. */
#ifndef LVS_DEST_CONNS_BPF_H
#define LVS_DEST_CONNS_BPF_H

#include <linux/in.h>
#include "maps.bpf.h"

static __always_inline struct lvs_dest_conns *dest_conns(__u32 dest_id)
{
	return bpf_map_lookup_elem(&lvs_dest_conns, &dest_id);
}

/* A count read while another CPU is between its two updates may dip below 0. */
static __always_inline __s64 count_of(__s32 v)
{
	return v < 0 ? 0 : v;
}

static __always_inline int dest_overloaded(const struct lvs_dest_conns *dc)
{
	return dc->flags & LVS_DEST_CONNS_F_OVERLOAD;
}

/* The counter a connection belongs in: TCP ESTABLISHED is active, everything
 * else (UDP always) inactive. */
static __always_inline __u32 acct_of(__u8 proto, __u8 state)
{
	return proto == IPPROTO_TCP && state == LVS_TCP_S_ESTABLISHED ? LVS_ACCT_ACTIVE : LVS_ACCT_INACTIVE;
}

/* A new connection on the server: counted inactive (IPVS binds it with
 * IP_VS_CONN_F_INACTIVE); reaching the upper threshold overloads the server. */
static __always_inline void acct_bind(__u32 dest_id, const struct lvs_dest *d)
{
	struct lvs_dest_conns *dc = dest_conns(dest_id);
	if (!dc)
		return;
	__sync_fetch_and_add(&dc->inactive, 1);
	if (d->u_threshold && count_of(dc->active) + count_of(dc->inactive) >= d->u_threshold)
		__sync_fetch_and_or(&dc->flags, LVS_DEST_CONNS_F_OVERLOAD);
}

/* IPVS's rule for leaving overload once connections end: below the lower
 * threshold, or without one below 3/4 of the upper. */
static __always_inline void overload_relax(struct lvs_dest_conns *dc, const struct lvs_dest *d)
{
	if (!dest_overloaded(dc))
		return;
	__s64 total = count_of(dc->active) + count_of(dc->inactive);
	int clear = d->l_threshold ? total < d->l_threshold : d->u_threshold ? total * 4 < (__s64)d->u_threshold * 3 : 1;
	if (clear)
		__sync_fetch_and_and(&dc->flags, ~LVS_DEST_CONNS_F_OVERLOAD);
}

/* The server slot an entry names, while it is still that server's. */
static __always_inline struct lvs_dest *same_dest(__u32 dest_id, __u32 gen)
{
	struct lvs_dest *d = bpf_map_lookup_elem(&lvs_dests, &dest_id);
	if (!d || !(d->flags & LVS_DEST_F_IN_USE) || d->gen != gen)
		return 0;
	return d;
}

/* The same, and still a server of service svc_id. */
static __always_inline struct lvs_dest *live_dest(__u32 dest_id, __u32 gen, __u32 svc_id)
{
	struct lvs_dest *d = same_dest(dest_id, gen);
	return d && d->svc_id == svc_id ? d : 0;
}

/* Takes a connection entry out of its server's counters (it expired, or is
 * about to be replaced): at most once, whoever gets there first. */
static __always_inline void acct_unbind(struct lvs_conn *c)
{
	__u32 was = __sync_lock_test_and_set(&c->acct, LVS_ACCT_NONE);
	if (was == LVS_ACCT_NONE)
		return;
	struct lvs_dest *d = same_dest(c->dest_id, c->dest_gen);
	struct lvs_dest_conns *dc = d ? dest_conns(c->dest_id) : 0;
	if (!dc)
		return; /* the server was removed: its counters went with it */
	if (was == LVS_ACCT_ACTIVE)
		__sync_fetch_and_sub(&dc->active, 1);
	else
		__sync_fetch_and_sub(&dc->inactive, 1);
	overload_relax(dc, d);
}

/* A connection's TCP state changed: move it between active and inactive. */
static __always_inline void acct_state(struct lvs_conn *c, __u8 proto, __u8 state)
{
	__u32 want = acct_of(proto, state);
	__u32 was = c->acct;
	if (was == LVS_ACCT_NONE || was == want)
		return;
	if (__sync_val_compare_and_swap(&c->acct, was, want) != was)
		return;
	struct lvs_dest_conns *dc = dest_conns(c->dest_id);
	if (!dc)
		return;
	if (want == LVS_ACCT_ACTIVE) {
		__sync_fetch_and_add(&dc->active, 1);
		__sync_fetch_and_sub(&dc->inactive, 1);
	} else {
		__sync_fetch_and_sub(&dc->active, 1);
		__sync_fetch_and_add(&dc->inactive, 1);
	}
}

#endif
