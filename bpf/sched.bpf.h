/* SPDX-License-Identifier: GPL-2.0 */
/* Scheduling a new flow: the scheduler of the service picks a server. Every
 * IPVS scheduler is here; tables that need computing (rr/wrr sequences, dh/sh
 * buckets, mh's Maglev table) come from the loader and are only indexed, the
 * others read the servers' live connection counts. */
#ifndef LVS_SCHED_BPF_H
#define LVS_SCHED_BPF_H

#include "sched_hash.bpf.h"
#include "sched_lblc.bpf.h"
#include "sched_least.bpf.h"
#include "sched_rr.bpf.h"
#include "sched_twos.bpf.h"

/* A global function: the verifier checks it once, on its own, not once for
 * every way of reaching it (address family, persistence, tags...), which keeps
 * the program well inside the verifier's budget of a million instructions.
 * The price: its pointers are checked here, and it returns only a number. */
__noinline __u32 sched_pick(const struct lvs_svc *svc, const struct lvs_flow_key *flow,
			    const struct lvs_config *cfg, __u64 now)
{
	if (!svc || !flow || !cfg || !svc->table_len)
		return LVS_NO_DEST;
	switch (svc->sched) {
	case LVS_SCHED_RR:
	case LVS_SCHED_WRR:
		return sched_rr(svc);
	case LVS_SCHED_LC:
	case LVS_SCHED_WLC:
	case LVS_SCHED_SED:
	case LVS_SCHED_NQ:
	case LVS_SCHED_FO:
	case LVS_SCHED_OVF:
		return sched_least(svc, svc->sched);
	case LVS_SCHED_TWOS:
		return sched_twos(svc);
	case LVS_SCHED_LBLC:
		return sched_lblc(svc, flow, cfg, now);
	case LVS_SCHED_LBLCR:
		return sched_lblcr(svc, flow, cfg, now);
	case LVS_SCHED_DH:
		return sched_dh(svc, flow);
	case LVS_SCHED_SH:
		return sched_hashed(svc, flow, HASH_SH);
	case LVS_SCHED_MH:
		return sched_hashed(svc, flow, HASH_MH);
	default:
		return LVS_NO_DEST;
	}
}

#endif
