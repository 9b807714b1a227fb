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

/* packet.frag: where a packet sits in its datagram. */
#define PKT_FRAG_FIRST 1 /* MF set, offset 0: the ports are here, the rest follows */
#define PKT_FRAG_LATER 2 /* offset > 0: no ports */

struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;
	void *l4;
	__u32 l3_len;   /* IP total length: what IPVS counts as bytes */
	__u16 l4_check; /* TCP/UDP checksum as sent (0: a UDP datagram without one) */
	int tcp_syn_only; /* a TCP SYN without ACK: a client opening a connection */
	__u8 frag;        /* 0 (a whole datagram) or PKT_FRAG_* */
	__u8 vlan_popped; /* its VLAN tags were taken out (vlan.bpf.h); set before parsing,
			   * in what would be padding, so it costs no stack */
	__be16 frag_id;   /* the IP id, when frag is set */
	struct lvs_flow_key flow; /* a later fragment's: addresses and protocol only */
};

/* The IPv4 header of an Ethernet frame, when it is a sane one; NULL otherwise. */
static __always_inline struct iphdr *parse_ipv4_frag(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->version != 4 ||
	    ip->ihl < 5)
		return 0;
	return ip;
}

/* The same, unfragmented only (fragments carry no ports, or not the whole
 * datagram). */
static __always_inline struct iphdr *parse_ipv4(void *data, void *data_end)
{
	struct iphdr *ip = parse_ipv4_frag(data, data_end);
	if (ip && (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return 0;
	return ip;
}

static __always_inline void parsed_l3(struct packet *pkt, struct ethhdr *eth, struct iphdr *ip, void *l4,
				      __u32 tot_len)
{
	pkt->eth = eth;
	pkt->ip = ip;
	pkt->l4 = l4;
	pkt->l3_len = tot_len;
	__builtin_memset(&pkt->flow, 0, sizeof(pkt->flow));
	pkt->flow.src.ip4 = ip->saddr;
	pkt->flow.dst.ip4 = ip->daddr;
	pkt->flow.proto = ip->protocol;
	pkt->flow.family = LVS_AF_INET;
}

/* Returns 0 when pkt describes an IPv4 TCP/UDP packet with its ports: a whole
 * datagram or its first fragment (pkt->frag says which); 1 for a later
 * fragment of a TCP/UDP datagram (no ports: pkt->l4 is where its payload
 * starts, pkt->flow holds addresses and protocol only); -1 for anything else. */
static __always_inline int parse_packet(void *data, void *data_end, struct packet *pkt)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = parse_ipv4_frag(data, data_end);
	if (!ip)
		return -1;
	__u32 ihl = ip->ihl * 4;
	__u32 tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl || (void *)ip + tot_len > data_end)
		return -1;

	void *l4 = (void *)ip + ihl;
	pkt->frag = 0;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		pkt->frag_id = ip->id;
		if (ip->frag_off & bpf_htons(IP_OFFSET)) {
			if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
				return -1;
			pkt->frag = PKT_FRAG_LATER;
			pkt->l4_check = 0;
			pkt->tcp_syn_only = 0;
			parsed_l3(pkt, eth, ip, l4, tot_len);
			return 1;
		}
		pkt->frag = PKT_FRAG_FIRST;
	}
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

	parsed_l3(pkt, eth, ip, l4, tot_len);
	pkt->flow.sport = ports[0];
	pkt->flow.dport = ports[1];
	return 0;
}

#endif
