/* SPDX-License-Identifier: GPL-2.0 */
/* Connection states and timeouts, as IPVS keeps them (ip_vs_proto_tcp.c):
 * each TCP packet moves its connection through IPVS's state table, and every
 * packet pushes the connection's expiry to now + the state's timeout. */
#ifndef LVS_CONN_STATE_BPF_H
#define LVS_CONN_STATE_BPF_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include "dest_conns.bpf.h"
#include "maps.bpf.h"
#include "parse.bpf.h"

/* The table's three parts: client to server where the server's packets are
 * seen too (NAT), server to client (NAT), and client to server where they
 * are not (DR, TUN). */
enum conn_dir { DIR_INPUT = 0, DIR_OUTPUT = 1, DIR_INPUT_ONLY = 2 };

#define sNO LVS_TCP_S_NONE
#define sES LVS_TCP_S_ESTABLISHED
#define sSS LVS_TCP_S_SYN_SENT
#define sSR LVS_TCP_S_SYN_RECV
#define sFW LVS_TCP_S_FIN_WAIT
#define sTW LVS_TCP_S_TIME_WAIT
#define sCL LVS_TCP_S_CLOSE
#define sCW LVS_TCP_S_CLOSE_WAIT
#define sLA LVS_TCP_S_LAST_ACK
#define sLI LVS_TCP_S_LISTEN
#define sSA LVS_TCP_S_SYNACK

/* [direction][event: syn, fin, ack, rst][current state] -> next state.
 * Not static: clang 14 emits BTF the kernel rejects for static const arrays. */
const __u8 lvs_tcp_next[3][4][LVS_TCP_S_SLOTS] = {
	[DIR_INPUT] = {
		/*        sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA */
		/*syn*/ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
		/*fin*/ {sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW},
		/*ack*/ {sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
		/*rst*/ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR},
	},
	[DIR_OUTPUT] = {
		/*syn*/ {sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR},
		/*fin*/ {sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW},
		/*ack*/ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES},
		/*rst*/ {sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL},
	},
	[DIR_INPUT_ONLY] = {
		/*syn*/ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
		/*fin*/ {sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW},
		/*ack*/ {sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
		/*rst*/ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL},
	},
};

/* The clock is jiffies: bpf_jiffies64() is inlined by the verifier, where
 * the ns clocks cost a helper call. libbpf fills CONFIG_HZ from the kernel's
 * config; 250 (the most common) stands in where no config can be read. */
extern unsigned int CONFIG_HZ __kconfig __weak;
#define LVS_HZ (CONFIG_HZ ? CONFIG_HZ : 250)

static __always_inline __u64 clock_now(void)
{
	return bpf_jiffies64();
}

/* IPVS's event index of a TCP header: rst before syn before fin before ack;
 * -1 for a segment with none of them (IPVS then moves to CLOSE). */
static __always_inline int tcp_event(const struct tcphdr *th)
{
	if (th->rst)
		return 3;
	if (th->syn)
		return 0;
	if (th->fin)
		return 1;
	if (th->ack)
		return 2;
	return -1;
}

static __always_inline __u64 state_timeout(const struct lvs_config *cfg, __u8 proto, __u8 state)
{
	if (proto != IPPROTO_TCP)
		return (__u64)cfg->udp_timeout * LVS_HZ;
	return (__u64)cfg->tcp_timeout[state & LVS_TCP_S_MASK] * LVS_HZ;
}

/* Moves c through pkt in direction dir (TCP: IPVS's state table, keeping
 * the server's active/inactive counts in step) and refreshes its expiry.
 * Returns 1 when the expiry was pushed on. */
static __always_inline int conn_update(struct lvs_conn *c, const struct lvs_config *cfg, const struct packet *pkt,
					void *data_end, enum conn_dir dir, __u64 now)
{
	__u8 proto = pkt->flow.proto;
	__u8 state = c->state;
	int changed = 0;
	if (proto == IPPROTO_TCP) {
		const struct tcphdr *th = pkt->l4;
		if ((void *)(th + 1) > data_end)
			return 0;
		int ev = tcp_event(th);
		__u8 next = LVS_TCP_S_CLOSE;
		if (ev >= 0)
			next = lvs_tcp_next[dir & 3][ev & 3][state & LVS_TCP_S_MASK];
		if (next != state) {
			c->state = next;
			state = next;
			changed = 1; /* a new state: its own timeout, from now */
			acct_state(c, proto, state);
		}
	}
	/* Pushed forward at most once a second, so an established flow's packets
	 * mostly read its entry without writing it. One store only: another CPU
	 * may be reading the entry (a cleared expiry would make it look dead). */
	__u64 expires = now + state_timeout(cfg, proto, state);
	__u64 old = c->expires;
	if (!changed && expires <= old + LVS_HZ && expires >= old)
		return 0;
	c->expires = expires;
	return 1;
}

#endif
