/* SPDX-License-Identifier: GPL-2.0 */
/* Packet parsing: Ethernet, IPv4, TCP/UDP ports. Anything unusual is reported as
 * "not ours" so the caller passes it to the kernel untouched. */
#ifndef LVS_PARSE_BPF_H
#define LVS_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "lvs_xdp/abi.h"

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;
	void *l4;
	__u32 l3_len;   /* IP total length: what IPVS counts as bytes */
	__u16 l4_check; /* TCP/UDP checksum as sent (0: a UDP datagram without one) */
	int tcp_syn_only; /* a TCP SYN without ACK: a client opening a connection */
	struct lvs_flow_key flow;
};

/* The IPv4 header of an Ethernet frame, when it is a sane, unfragmented one
 * (fragments carry no ports, or not the whole datagram); NULL otherwise. */
static __always_inline struct iphdr *parse_ipv4(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->version != 4 ||
	    ip->ihl < 5 || (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return 0;
	return ip;
}

/* Returns 0 when pkt describes a complete, unfragmented IPv4 TCP/UDP packet. */
static __always_inline int parse_packet(void *data, void *data_end, struct packet *pkt)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = parse_ipv4(data, data_end);
	if (!ip)
		return -1;
	__u32 ihl = ip->ihl * 4;
	__u32 tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl || (void *)ip + tot_len > data_end)
		return -1;

	void *l4 = (void *)ip + ihl;
	__be16 *ports = l4; /* source and destination port lead TCP and UDP alike */
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end || ihl + sizeof(*th) > tot_len)
			return -1;
		pkt->l4_check = th->check;
		pkt->tcp_syn_only = th->syn && !th->ack;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end || ihl + sizeof(*uh) > tot_len)
			return -1;
		pkt->l4_check = uh->check;
		pkt->tcp_syn_only = 0;
	} else {
		return -1;
	}

	pkt->eth = eth;
	pkt->ip = ip;
	pkt->l4 = l4;
	pkt->l3_len = tot_len;
	__builtin_memset(&pkt->flow, 0, sizeof(pkt->flow));
	pkt->flow.src.ip4 = ip->saddr;
	pkt->flow.dst.ip4 = ip->daddr;
	pkt->flow.sport = ports[0];
	pkt->flow.dport = ports[1];
	pkt->flow.proto = ip->protocol;
	pkt->flow.family = LVS_AF_INET;
	return 0;
}

#endif
