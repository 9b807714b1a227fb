/* SPDX-License-Identifier: GPL-2.0 */
/* Locality-based schedulers (ip_vs_lblc.c, ip_vs_lblcr.c) for cache clusters:
 * a destination address keeps going to the server (lblc) or one of the set of
 * servers (lblcr) it went to before, unless that server is overloaded; a new
 * server is then chosen as wlc chooses. Cache entries live in LRU maps; one
 * unused for lblc_expiration counts as gone (IPVS's garbage collector frees
 * it), and an lblcr set unchanged for lblcr_expiration sheds its most loaded
 * member. Two CPUs changing one set at the same moment may lose one of the
 * changes (IPVS takes a lock); the set is a cache, so this costs locality,
 * never a connection. */
#ifndef LVS_SCHED_LBLC_BPF_H
#define LVS_SCHED_LBLC_BPF_H

#include "conn_state.bpf.h"
#include "sched_least.bpf.h"

#define LVS_DEFAULT_LBLC_EXPIRATION (24 * 60 * 60)

static __always_inline __u64 expiration(__u32 seconds)
{
	return (__u64)(seconds ? seconds : LVS_DEFAULT_LBLC_EXPIRATION) * LVS_HZ;
}

static __always_inline void lblc_key(struct lvs_lblc_key *k, const struct lvs_svc *svc, const struct lvs_flow_key *flow)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->daddr = flow->dst;
	k->svc_id = svc->id;
}

/* A cached server still usable: in the service, weight > 0, not overloaded. */
static __always_inline int cached_usable(const struct lvs_svc *svc, __u32 dest_id, __u32 gen, struct dest_load *l)
{
	return same_dest(dest_id, gen) && dest_load_of(dest_id, l) == 0 && l->weight > 0 &&
	       !locality_overloaded(svc, l);
}

/* A server for an address the cache can't place: as wlc picks. */
static __always_inline __u32 new_member(const struct lvs_svc *svc, __u32 *gen)
{
	__u32 id = sched_least(svc, LVS_SCHED_WLC);
	struct lvs_dest *d = id == LVS_NO_DEST ? 0 : bpf_map_lookup_elem(&lvs_dests, &id);
	if (!d)
		return LVS_NO_DEST;
	*gen = d->gen;
	return id;
}

static __always_inline __u32 sched_lblc(const struct lvs_svc *svc, const struct lvs_flow_key *flow,
					const struct lvs_config *cfg, __u64 now)
{
	struct lvs_lblc_key k;
	lblc_key(&k, svc, flow);
	struct lvs_lblc *en = bpf_map_lookup_elem(&lvs_lblc, &k);
	struct dest_load l;
	if (en && now < en->lastuse + expiration(cfg->lblc_expiration)) {
		en->lastuse = now;
		if (cached_usable(svc, en->dest_id, en->dest_gen, &l))
			return en->dest_id;
	}
	__u32 gen;
	__u32 id = new_member(svc, &gen);
	if (id == LVS_NO_DEST)
		return LVS_NO_DEST;
	struct lvs_lblc fresh = { .dest_id = id, .dest_gen = gen, .lastuse = now };
	bpf_map_update_elem(&lvs_lblc, &k, &fresh, BPF_ANY);
	return id;
}

/* The least (set_min: as wlc) and most (set_max) loaded live members of an
 * lblcr set, in the set's order (newest first, as IPVS adds at the head).
 * The walk looks the set up again each step: a callback can't be handed a
 * map value. */
struct set_scan {
	struct lvs_lblc_key key;
	__u32 least, most;          /* indexes into the set, or LVS_LBLCR_SET_MAX */
	__s64 least_oh, least_w;
	__s64 most_oh, most_w;
};

static long set_scan_step(__u32 i, void *arg)
{
	struct set_scan *p = arg;
	struct lvs_lblcr *en = bpf_map_lookup_elem(&lvs_lblcr, &p->key);
	struct dest_load l;
	if (!en || i >= en->count)
		return 1;
	__u32 at = i & (LVS_LBLCR_SET_MAX - 1);
	if (!same_dest(en->dest_id[at], en->dest_gen[at]) || dest_load_of(en->dest_id[at], &l) < 0)
		return 0;
	__s64 oh = conn_overhead(&l);
	if (!l.overloaded && (p->least == LVS_LBLCR_SET_MAX ? l.weight > 0 : p->least_oh * l.weight > oh * p->least_w)) {
		p->least = at;
		p->least_oh = oh;
		p->least_w = l.weight;
	}
	if (l.weight > 0 && (p->most == LVS_LBLCR_SET_MAX || p->most_oh * l.weight < oh * p->most_w)) {
		p->most = at;
		p->most_oh = oh;
		p->most_w = l.weight;
	}
	return 0;
}

/* Removes member i, keeping the others' order. */
static __always_inline void set_erase(struct lvs_lblcr *en, __u32 i, __u64 now)
{
	for (__u32 j = 0; j + 1 < LVS_LBLCR_SET_MAX; j++) {
		if (j >= i && j + 1 < en->count) {
			en->dest_id[j] = en->dest_id[j + 1];
			en->dest_gen[j] = en->dest_gen[j + 1];
		}
	}
	if (en->count)
		en->count--;
	en->lastmod = now;
}

/* Adds a server at the head of the set unless it is a member; a full set
 * drops its oldest member. */
static __always_inline void set_insert(struct lvs_lblcr *en, __u32 id, __u32 gen, __u64 now)
{
	for (__u32 i = 0; i < LVS_LBLCR_SET_MAX; i++)
		if (i < en->count && en->dest_id[i] == id && en->dest_gen[i] == gen)
			return;
	for (__u32 j = LVS_LBLCR_SET_MAX - 1; j > 0; j--) {
		if (j <= en->count) {
			en->dest_id[j] = en->dest_id[j - 1];
			en->dest_gen[j] = en->dest_gen[j - 1];
		}
	}
	en->dest_id[0] = id;
	en->dest_gen[0] = gen;
	if (en->count < LVS_LBLCR_SET_MAX)
		en->count++;
	en->lastmod = now;
}

/* A new set starts as this, inserted and then filled in place: an entry is
 * too big to build on the stack (sched_pick's frame counts against the
 * program's 512 bytes). */
static const struct lvs_lblcr lblcr_empty;

/* A member the scan chose, still fit to take the address. */
static __always_inline int member_fit(const struct lvs_svc *svc, __u32 id)
{
	struct dest_load l;
	return id != LVS_NO_DEST && dest_load_of(id, &l) == 0 && !locality_overloaded(svc, &l);
}

static __always_inline __u32 sched_lblcr(const struct lvs_svc *svc, const struct lvs_flow_key *flow,
					 const struct lvs_config *cfg, __u64 now)
{
	/* The scan's key is the lookup's: one copy on the stack, not two. */
	struct set_scan p = { .least = LVS_LBLCR_SET_MAX, .most = LVS_LBLCR_SET_MAX };
	lblc_key(&p.key, svc, flow);
	struct lvs_lblcr *en = bpf_map_lookup_elem(&lvs_lblcr, &p.key);
	__u32 gen;
	if (!en || now >= en->lastuse + expiration(cfg->lblcr_expiration)) {
		__u32 id = new_member(svc, &gen);
		if (id == LVS_NO_DEST)
			return LVS_NO_DEST;
		if (!en) {
			bpf_map_update_elem(&lvs_lblcr, &p.key, &lblcr_empty, BPF_NOEXIST);
			en = bpf_map_lookup_elem(&lvs_lblcr, &p.key);
			if (!en)
				return id;
		}
		en->lastuse = now;
		en->lastmod = now;
		en->count = 1;
		en->dest_id[0] = id;
		en->dest_gen[0] = gen;
		return id;
	}
	en->lastuse = now;
	bpf_loop(LVS_LBLCR_SET_MAX, set_scan_step, &p, 0);
	__u32 least = p.least < LVS_LBLCR_SET_MAX ? en->dest_id[p.least & (LVS_LBLCR_SET_MAX - 1)] : LVS_NO_DEST;
	if (en->count > 1 && now > en->lastmod + expiration(cfg->lblcr_expiration) && p.most < LVS_LBLCR_SET_MAX)
		set_erase(en, p.most, now);
	if (member_fit(svc, least))
		return least;
	__u32 id = new_member(svc, &gen);
	if (id != LVS_NO_DEST)
		set_insert(en, id, gen, now);
	return id;
}

#endif
