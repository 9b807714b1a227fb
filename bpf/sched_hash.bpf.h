/* SPDX-License-Identifier: GPL-2.0 */
/* The hashing schedulers (ip_vs_dh.c, ip_vs_sh.c, ip_vs_mh.c): the loader
 * fills each service's buckets exactly as IPVS fills them; here an address
 * (and with sh-port / mh-port the client's port) is hashed to its bucket with
 * IPVS's own hash (lvs_xdp/sched_hash.h). With sh-fallback / mh-fallback an
 * unavailable server's clients probe further buckets as IPVS does; only then
 * does a new connection loop. */
#ifndef LVS_SCHED_HASH_BPF_H
#define LVS_SCHED_HASH_BPF_H

#include <bpf/bpf_endian.h>
#include "lvs_xdp/sched_hash.h"
#include "sched_load.bpf.h"

enum hash_kind { HASH_SH, HASH_MH };

struct hash_probe {
	__u32 off;
	__u32 kind;  /* enum hash_kind */
	__u32 fold;  /* the address, folded */
	__u32 ihash; /* the client's own bucket */
	__u16 port;
	__u16 pad;
	__u32 found;
};

/* The bucket of the probe's client at offset (0: its own). */
static __always_inline __u32 probe_bucket(const struct hash_probe *p, __u32 offset)
{
	if (p->kind == HASH_SH)
		return lvs_sh_bucket(p->fold, p->port, offset);
	return lvs_mh_hash1(p->fold, p->port, offset) % LVS_MH_TAB_SIZE;
}

static __always_inline int bucket_available(const struct hash_probe *p, __u32 bucket, struct dest_load *l)
{
	return dest_load_at(p->off + bucket, l) == 0 && dest_available(l);
}

/* The fallback's probe number i: IPVS starts the offsets at the client's own
 * bucket and wraps around the table. */
static long hash_fallback_step(__u32 i, void *arg)
{
	struct hash_probe *p = arg;
	__u32 size = p->kind == HASH_SH ? LVS_SH_TAB_SIZE : LVS_MH_TAB_SIZE;
	__u32 roffset = (i + p->ihash) % size;
	struct dest_load l;
	if (!bucket_available(p, probe_bucket(p, roffset), &l))
		return 0;
	p->found = l.id;
	return 1;
}

/* sh (source address) and mh (Maglev on the source address). */
static __always_inline __u32 sched_hashed(const struct lvs_svc *svc, const struct lvs_flow_key *flow, enum hash_kind kind)
{
	__u32 size = kind == HASH_SH ? LVS_SH_TAB_SIZE : LVS_MH_TAB_SIZE;
	if (svc->table_len != size)
		return LVS_NO_DEST; /* no server has a bucket */
	struct hash_probe p = {
		.off = svc->table_off,
		.kind = kind,
		.fold = lvs_addr_fold(&flow->src),
		.port = svc->flags & LVS_SVC_F_SCHED2 ? bpf_ntohs(flow->sport) : 0,
		.found = LVS_NO_DEST,
	};
	p.ihash = probe_bucket(&p, 0);
	struct dest_load l;
	if (bucket_available(&p, p.ihash, &l))
		return l.id;
	if (!(svc->flags & LVS_SVC_F_SCHED1))
		return LVS_NO_DEST;
	bpf_loop(size, hash_fallback_step, &p, 0);
	return p.found;
}

/* dh: the bucket of the destination address; no fallback. */
static __always_inline __u32 sched_dh(const struct lvs_svc *svc, const struct lvs_flow_key *flow)
{
	if (svc->table_len != LVS_SH_TAB_SIZE)
		return LVS_NO_DEST;
	struct dest_load l;
	__u32 bucket = lvs_dh_bucket(lvs_addr_fold(&flow->dst));
	if (dest_load_at(svc->table_off + bucket, &l) < 0 || !dest_available(&l))
		return LVS_NO_DEST;
	return l.id;
}

#endif
