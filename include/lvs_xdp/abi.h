/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI shared by the BPF data plane (bpf/) and the C++ control plane (loader/):
 * every map key and value is defined here once. Both sides include this file, so
 * only fixed-width kernel types (__u8 .. __u64) and no pointers may appear.
 *
 * Addresses are 16 bytes wide everywhere so IPv6 fits the same maps; an IPv4
 * address is stored in ip4 (network byte order) with the other 12 bytes zero.
 */
#ifndef LVS_XDP_ABI_H
#define LVS_XDP_ABI_H

#include <linux/types.h>

/* Map sizes. Services and destinations are addressed by small integer ids that
 * the loader allocates, so per-CPU counters and scheduler state are plain arrays
 * (one inlined lookup on the packet path instead of a hash). */
#define LVS_MAX_SERVICES 16384
#define LVS_MAX_DESTS 131072
/* Scheduler tables of all services live in one array; a service owns the slice
 * [table_off, table_off + table_len). */
#define LVS_SCHED_SLOTS (1u << 20)
/* Longest table one service may have; wrr sequences above it are scaled down. */
#define LVS_MAX_TABLE_LEN 65536
#define LVS_MAX_IFACES 256
#define LVS_MAX_LADDRS 64 /* FullNAT local addresses (lvs_laddrs, an array) */
#define LVS_DEFAULT_CONN_TABLE_SIZE (1u << 20)

/* The name of each pinned map is its BPF map name (all prefixed lvs_ because map
 * names are global across network namespaces). */

enum lvs_family {
	LVS_AF_INET = 2,  /* AF_INET */
	LVS_AF_INET6 = 10, /* AF_INET6 */
};

/* Forwarding methods, numbered as IPVS numbers them (IP_VS_CONN_F_*). */
enum lvs_fwd {
	LVS_FWD_MASQ = 0,
	LVS_FWD_LOCAL = 1,
	LVS_FWD_TUNNEL = 2,
	LVS_FWD_ROUTE = 3,
};

/* Scheduler ids stored in lvs_svc.sched; the loader maps names to these. */
enum lvs_sched {
	LVS_SCHED_RR = 1,
	LVS_SCHED_WRR = 2,
};

struct lvs_addr {
	union {
		__u32 ip4;
		__u32 ip6[4];
		__u8 bytes[16];
	};
};

/* lvs_vip_filter: a bitmap of LVS_VIP_FILTER_BITS bits (an array of __u64
 * words) with the bit of every service's (VIP, port, protocol) set, so a
 * packet for no service is recognised with one inlined array read instead of
 * a hash lookup. Both sides compute the bit with this function. */
#define LVS_VIP_FILTER_BITS 65536
#define LVS_VIP_FILTER_WORDS (LVS_VIP_FILTER_BITS / 64)

static inline __u32 lvs_vip_filter_bit(const struct lvs_addr *addr, __be16 port, __u8 proto)
{
	__u32 h = addr->ip6[0] ^ addr->ip6[1] ^ addr->ip6[2] ^ addr->ip6[3];
	h ^= ((__u32)port << 16) ^ proto;
	h *= 0x9e3779b1u;
	return h >> 16; /* the top bits mix best */
}

/* lvs_services: hash from (VIP, port, protocol) to the service. */
struct lvs_svc_key {
	struct lvs_addr addr;
	__be16 port;
	__u8 proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family; /* enum lvs_family */
};

/* Service flags, as IPVS's IP_VS_SVC_F_* where they share a meaning. */
#define LVS_SVC_F_PERSISTENT 0x0001

struct lvs_svc {
	__u32 id;        /* index into lvs_svc_stats and lvs_sched_pos */
	__u32 sched;     /* enum lvs_sched */
	__u32 flags;     /* LVS_SVC_F_* */
	__u32 timeout;   /* persistence timeout in seconds (-p) */
	__u32 netmask;   /* persistence netmask (-M), prefix length */
	__u32 table_off; /* scheduler table slice in lvs_sched_table */
	__u32 table_len; /* 0: no server available for new connections */
	__u32 pad;
};

/* Tunnel types and checksum options of -i servers, numbered as IPVS numbers
 * them (IP_VS_CONN_F_TUNNEL_TYPE_*, IP_VS_TUNNEL_ENCAP_FLAG_*). */
enum lvs_tun_type {
	LVS_TUN_IPIP = 0,
	LVS_TUN_GUE = 1,
	LVS_TUN_GRE = 2,
};

enum lvs_tun_csum {
	LVS_TUN_NOCSUM = 0,
	LVS_TUN_CSUM = 1,
	LVS_TUN_REMCSUM = 2,
};

/* lvs_dests: array indexed by destination id. A destination belongs to exactly
 * one service (svc_id); gen changes whenever the slot is reused, so a
 * connection that still names an old id is recognised and rescheduled. */
#define LVS_DEST_F_IN_USE 0x0001
#define LVS_DEST_F_L2_VALID 0x0002 /* dmac/smac/ifindex are known */
#define LVS_DEST_F_FULLNAT 0x0004  /* NAT server whose clients' source is rewritten too */

struct lvs_dest {
	struct lvs_addr addr;
	__be16 port;
	__u8 family;
	__u8 fwd;        /* enum lvs_fwd */
	__u32 svc_id;
	__u32 order;     /* position in the service's list (ipvsadm's order) */
	__u32 gen;
	__u32 flags;     /* LVS_DEST_F_* */
	__u32 weight;
	__u32 u_threshold;
	__u32 l_threshold;
	__u32 ifindex;   /* egress interface towards the destination */
	__u8 dmac[6];    /* the destination's (or next hop's) MAC */
	__u8 smac[6];    /* the director's MAC on ifindex */
	/* Tunnel servers (fwd == LVS_FWD_TUNNEL) */
	__u8 tun_type;   /* enum lvs_tun_type */
	__u8 tun_csum;   /* enum lvs_tun_csum */
	__be16 tun_port; /* GUE: the server's UDP port */
	__u32 mtu;       /* egress MTU towards the server (with the L2 fields) */
	struct lvs_addr tun_src; /* outer source address (with the L2 fields) */
};

/* lvs_conns: LRU hash, one entry per flow (client to virtual service). */
struct lvs_flow_key {
	struct lvs_addr src;
	struct lvs_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/* Connection states: IPVS's TCP states (IP_VS_TCP_S_*, same numbers); a UDP
 * connection stays in LVS_TCP_S_NONE, which IPVS calls UDP's "NORMAL". */
enum lvs_tcp_state {
	LVS_TCP_S_NONE = 0,
	LVS_TCP_S_ESTABLISHED,
	LVS_TCP_S_SYN_SENT,
	LVS_TCP_S_SYN_RECV,
	LVS_TCP_S_FIN_WAIT,
	LVS_TCP_S_TIME_WAIT,
	LVS_TCP_S_CLOSE,
	LVS_TCP_S_CLOSE_WAIT,
	LVS_TCP_S_LAST_ACK,
	LVS_TCP_S_LISTEN,
	LVS_TCP_S_SYNACK,
	LVS_TCP_S_LAST,
};
/* Tables indexed by state have this many slots, so the XDP program can index
 * them with (state & LVS_TCP_S_MASK) and the verifier sees the bound. */
#define LVS_TCP_S_SLOTS 16
#define LVS_TCP_S_MASK (LVS_TCP_S_SLOTS - 1)

/* lvs_conn.flags */
#define LVS_CONN_F_REPLY 0x01 /* NAT: keyed by the server's reply, leads back to the client */
#define LVS_CONN_F_SNAT 0x02  /* rewrite the source to nat_saddr:nat_sport */
#define LVS_CONN_F_DNAT 0x04  /* rewrite the destination to nat_daddr:nat_dport */

struct lvs_conn {
	__u32 dest_id;
	__u32 dest_gen;
	__u32 svc_id;
	__u8 state;   /* enum lvs_tcp_state */
	__u8 flags;   /* LVS_CONN_F_* */
	__u16 pad;
	__u64 expires; /* jiffies (bpf_jiffies64()) after which the entry is dead */
	/* NAT rewrites, as the flags say. A client-side entry's destination comes
	 * from its server (lvs_dests); FullNAT adds a source rewrite. */
	struct lvs_addr nat_saddr;
	struct lvs_addr nat_daddr;
	__be16 nat_sport;
	__be16 nat_dport;
	/* Reply entries: the way the client's packets came in, so replies leave the
	 * same way (MACs swapped) without a route lookup. */
	__u32 ifindex;
	__u8 dmac[6];
	__u8 smac[6];
};

/* lvs_svc_stats / lvs_dest_stats: per-CPU, indexed by service / destination id.
 * Field meanings follow IPVS's struct ip_vs_kstats. */
struct lvs_counters {
	__u64 conns;
	__u64 inpkts;
	__u64 outpkts;
	__u64 inbytes;
	__u64 outbytes;
};

/* lvs_xdp_stats: per-CPU, one entry: what the program did with every frame. */
struct lvs_xdp_stats {
	__u64 rx;          /* frames seen */
	__u64 pass;        /* not ours: handed to the kernel untouched */
	__u64 tx;          /* forwarded out of the ingress interface */
	__u64 redirect;    /* forwarded out of another attached interface */
	__u64 new_conns;   /* flows scheduled */
	__u64 no_dest;     /* dropped: service has no available server */
	__u64 no_neigh;    /* passed: the server's MAC is not known yet */
	__u64 resched;     /* flows whose entry was dead (expired, server removed) scheduled anew */
	__u64 pmtu_icmp;   /* too big for the tunnel, DF set: ICMP "fragmentation needed" sent */
	__u64 pmtu_pass;   /* too big for the tunnel, DF clear: handed to the kernel */
	__u64 fullnat_no_port; /* dropped: no free FullNAT local port for a new flow */
	__u64 icmp_nat;    /* ICMP errors about NAT flows translated and forwarded */
};

/* lvs_config: array of one, settings of the attach that the loader needs when it
 * fills destinations. */
#define LVS_CFG_F_NAT 0x1 /* some server is NAT: look for replies in lvs_conns */

struct lvs_config {
	struct lvs_addr tun_src; /* --tun-src; all zero: the egress interface's address */
	__u32 flags;             /* LVS_CFG_F_* */
	__u32 laddr_count;       /* FullNAT: lvs_laddrs[0 .. laddr_count) are in use */
	__u32 hz;                /* jiffies a second (the kernel's CONFIG_HZ), for readers of expiries */
	/* Seconds a connection lives in each state after its last packet: IPVS's
	 * defaults, written by the first attach; --set changes them. */
	__u32 tcp_timeout[LVS_TCP_S_SLOTS]; /* [0, LVS_TCP_S_LAST) used */
	__u32 udp_timeout;
};

/* lvs_ifaces: hash from ifindex to an attached interface. */
struct lvs_iface {
	__u8 mac[6];
	__u16 pad;
	__u32 mode; /* enum xdp_attach_mode the program was attached with */
};

/* Real-server side of TUN (rs_decap.bpf.c), where the kernel has no tunnel
 * devices: lvs_rs_vips holds the VIPs whose tunnelled packets are unwrapped
 * (key: struct lvs_addr, value: __u8 1), lvs_rs_gue_ports the UDP ports GUE
 * arrives on (key: __be16 port, value: __u8 1). */
#define LVS_RS_MAX_VIPS 1024
#define LVS_RS_MAX_GUE_PORTS 64

#endif /* LVS_XDP_ABI_H */
