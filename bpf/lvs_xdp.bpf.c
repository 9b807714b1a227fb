// SPDX-License-Identifier: GPL-2.0
/* The director's XDP program: packets to a virtual service are sent to a real
 * server; everything else goes to the kernel untouched. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "flow.bpf.h"
#include "l2.bpf.h"
#include "stats.bpf.h"

static __always_inline struct lvs_svc *find_service(const struct lvs_flow_key *flow)
{
	struct lvs_svc_key key = {
		.addr = flow->dst,
		.port = flow->dport,
		.proto = flow->proto,
		.family = flow->family,
	};
	return bpf_map_lookup_elem(&lvs_services, &key);
}

SEC("xdp")
int lvs_xdp_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct lvs_xdp_stats *gs = xdp_stats();
	if (!gs)
		return XDP_PASS;
	gs->rx++;

	struct packet pkt;
	struct lvs_svc *svc;
	if (parse_packet(data, data_end, &pkt) < 0 || !(svc = find_service(&pkt.flow))) {
		gs->pass++;
		return XDP_PASS;
	}

	struct flow_target t;
	if (flow_target(&pkt.flow, svc, gs, &t) < 0) {
		gs->no_dest++;
		return XDP_DROP;
	}
	if (t.dest->fwd != LVS_FWD_ROUTE || dest_resolve_l2(ctx, t.dest) < 0) {
		gs->no_neigh += t.dest->fwd == LVS_FWD_ROUTE;
		gs->pass++;
		return XDP_PASS;
	}
	int action = emit_to_dest(ctx, pkt.eth, t.dest, gs);
	if (action != XDP_PASS) {
		count_in(&lvs_svc_stats, svc->id, pkt.l3_len, t.new_conn);
		count_in(&lvs_dest_stats, t.dest_id, pkt.l3_len, t.new_conn);
	}
	return action;
}

char LICENSE[] SEC("license") = "GPL";
