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
 * [table_off, table_off + table_len). Room for 1,024 mh services (4,093 slots
 * each), or far more of the others (one slot per server; wrr: its cycle). */
#define LVS_SCHED_SLOTS (1u << 22)
/* Longest table one service may have; wrr sequences above it are scaled down. */
#define LVS_MAX_TABLE_LEN 65536
#define LVS_MAX_IFACES 256
#define LVS_MAX_LADDRS 64 /* FullNAT local addresses (lvs_laddrs, an array) */
/* lvs_conn_slots4: IPv4 flows, slots (a power of two); at most about half
 * of them live keeps every flow's two groups from filling up (see below). */
#define LVS_DEFAULT_CONN_TABLE_SIZE (1u << 21)
#define LVS_MIN_CONN_TABLE_SIZE (2u * LVS_CONN_WAYS)
#define LVS_MAX_CONN_TABLE_SIZE (1u << 26) /* 4 GiB of slots */
#define LVS_DEFAULT_CONN6_TABLE_SIZE (1u << 16) /* lvs_conns6: IPv6 flows */
#define LVS_MAX_PERSIST (1u << 18) /* persistence templates */
#define LVS_MAX_LBLC (1u << 16)    /* lblc / lblcr cache entries */
#define LVS_MAX_FRAGS 8192          /* fragmented datagrams followed at once (lvs_frags, LRU) */

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

/* Scheduler ids stored in lvs_svc.sched; the loader maps names to these.
 * What each one's table (the service's slice of lvs_sched_table) holds:
 * - RR, WRR: the pick sequence, walked one step per new flow;
 * - LC, WLC, SED, NQ, FO, OVF, TWOS, LBLC, LBLCR: every server of the service
 *   once, in IPVS's list order (newest first: IPVS adds at the list head),
 *   which is the order its loops visit them and so breaks ties;
 * - DH, SH: LVS_SH_TAB_SIZE buckets, filled as IPVS fills them;
 * - MH: LVS_MH_TAB_SIZE Maglev lookup entries.
 * An empty table (table_len 0) means no server takes new connections. */
enum lvs_sched {
	LVS_SCHED_RR = 1,
	LVS_SCHED_WRR = 2,
	LVS_SCHED_LC = 3,
	LVS_SCHED_WLC = 4,
	LVS_SCHED_LBLC = 5,
	LVS_SCHED_LBLCR = 6,
	LVS_SCHED_DH = 7,
	LVS_SCHED_SH = 8,
	LVS_SCHED_SED = 9,
	LVS_SCHED_NQ = 10,
	LVS_SCHED_FO = 11,
	LVS_SCHED_OVF = 12,
	LVS_SCHED_MH = 13,
	LVS_SCHED_TWOS = 14,
};

#define LVS_SH_TAB_SIZE 256  /* IP_VS_SH_TAB_SIZE; dh's table has the same size */
#define LVS_MH_TAB_SIZE 4093 /* IP_VS_MH_TAB_SIZE at the default CONFIG_IP_VS_MH_TAB_INDEX 12 */
/* A table entry of DH, SH and MH that names no server. */
#define LVS_TABLE_NO_DEST 0xffffffffu

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
 * a hash lookup. Both sides compute the bit with this function. It also holds
 * the bit of every NAT server's address (port 0, protocol
 * LVS_FILTER_NAT_SERVER, which no service has): only a packet from one of
 * those may be a NAT reply, so no other packet for no service pays for the
 * connection-table lookup that finds replies. */
#define LVS_FILTER_NAT_SERVER 0
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
#define LVS_SVC_F_SCHED1 0x0008 /* sh-fallback, mh-fallback (-b) */
#define LVS_SVC_F_SCHED2 0x0010 /* sh-port, mh-port */
#define LVS_SVC_F_SCHED3 0x0020

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
/* Not in use: a server removed from a service that still exists, kept with its
 * address, generation and counters, so that adding it back to that service
 * resumes its connections, as IPVS takes a destination back from its trash.
 * The slot goes to another server only when no other is free. */
#define LVS_DEST_F_REMOVED 0x0008

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
	__u32 last_weight; /* the latest non-zero weight (IPVS's last_weight; mh's table uses it) */
	/* The VLAN ifindex reaches it on (with the L2 fields): vlan_id the
	 * 802.1Q tag's id, vlan_outer QinQ's 802.1ad tag's id; 0 for none. */
	__u16 vlan_id;
	__u16 vlan_outer;
};

/* lvs_dest_conns: array indexed by destination id, IPVS's per-server
 * connection counters, which lc, wlc, sed, nq, ovf, twos, lblc and lblcr read.
 * The XDP program changes them with atomic adds as connections start, change
 * state and end; the loader's expiry sweep takes expired entries out through
 * the same memory (the map is mmapable), so both sides stay exact. Signed:
 * a reader treats a transiently negative count as 0. */
#define LVS_DEST_CONNS_F_OVERLOAD 0x1 /* IPVS's IP_VS_DEST_F_OVERLOAD (-x/-y thresholds) */

struct lvs_dest_conns {
	__s32 active;   /* TCP connections in ESTABLISHED */
	__s32 inactive; /* every other connection (UDP always) */
	__s32 persist;  /* persistence templates naming this server */
	__u32 flags;    /* LVS_DEST_CONNS_F_* */
};

/* A flow (client to virtual service, or a NAT reply) as the packet path sees
 * it, either family. The connection table stores IPv4 flows in
 * lvs_conn_slots4 under lvs_flow_key4 and IPv6 flows in lvs_conns6, an LRU
 * hash keyed by this whole struct. */
struct lvs_flow_key {
	struct lvs_addr src;
	struct lvs_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/* lvs_conn_slots4's key. pad is always zero (it is compared as two 64-bit
 * words); proto is never 0 for a flow, so a zero key marks a free slot. */
struct lvs_flow_key4 {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
} __attribute__((aligned(8)));

/* The IPv4 key of an IPv4 flow, for both sides of the ABI. */
static inline struct lvs_flow_key4 lvs_flow_key4_of(const struct lvs_flow_key *k)
{
	struct lvs_flow_key4 k4 = {0};
	k4.saddr = k->src.ip4;
	k4.daddr = k->dst.ip4;
	k4.sport = k->sport;
	k4.dport = k->dport;
	k4.proto = k->proto;
	return k4;
}

/* lvs_frags: LRU hash from an IPv4 datagram (addresses, IP id, protocol) whose
 * first fragment was forwarded to that fragment's flow key (conn_lookup's key),
 * so the later fragments, which carry no ports, follow the same flow. */
struct lvs_frag_key {
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	__u8 proto;
	__u8 pad;
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
#define LVS_CONN_F_PERSIST 0x08 /* scheduled through a persistence template (keeps it alive) */
#define LVS_CONN_F_NAT_READY 0x10 /* NAT client entry: its reply entry (and FullNAT local port) exist */
#define LVS_CONN_F_USED 0x20 /* a packet after the first found the entry: a flood's one-packet
			      * flows never have it, and are evicted first (conn_slots.h) */

/* lvs_conn.acct: which counter of lvs_dest_conns the entry is counted in. Whoever
 * takes an entry out (the XDP program rescheduling it, the sweep expiring it)
 * swaps acct to LVS_ACCT_NONE first and decrements only if it was counted, so
 * an entry is never taken out twice. */
enum lvs_acct {
	LVS_ACCT_NONE = 0,
	LVS_ACCT_ACTIVE = 1,
	LVS_ACCT_INACTIVE = 2,
};

/* 48 bytes, so that key and entry fill one 64-byte slot of lvs_conn_slots4:
 * an established flow costs one cache line. NAT is IPv4 only, so its
 * addresses are IPv4 ones. */
struct lvs_conn {
	__u32 dest_id;
	__u32 dest_gen;
	__u32 svc_id;
	__u8 state;   /* enum lvs_tcp_state */
	__u8 flags;   /* LVS_CONN_F_* */
	/* NAT rewrites, as the flags say. A client-side entry's destination comes
	 * from its server (lvs_dests); FullNAT adds a source rewrite. */
	__be16 nat_sport;
	__u64 expires; /* jiffies (bpf_jiffies64()) after which the entry is dead */
	__u32 acct;    /* enum lvs_acct; a whole word, for the atomic swap */
	/* Reply entries: the way the client's packets came in, so replies leave
	 * the same way without a route lookup: the interface and the MAC they
	 * came from (the source MAC is that interface's own). */
	__u32 ifindex;
	__be32 nat_saddr;
	__be32 nat_daddr;
	__be16 nat_dport;
	__u8 dmac[6];
};

/* lvs_conn_slots4: the IPv4 connection table, an array of slots the program
 * manages itself (bpf/conn_table.bpf.h; loader/maps/conn_slots.cpp), because
 * the kernel's hash maps cost two or more cache misses per lookup in a big
 * table (bucket, then element) where this costs one. The slots form groups
 * of LVS_CONN_WAYS; a flow may live in either of two groups its hash names
 * (include/lvs_xdp/conn_slots.h), both read at once. */
#define LVS_CONN_WAYS 4
struct lvs_conn_slot4 {
	struct lvs_flow_key4 key; /* all zero: free */
	struct lvs_conn conn;
};

/* lvs_persist: LRU hash, IPVS's persistence templates: a client (network, -M)
 * of a persistent service (-p) and the server it sticks to. Port-0 services
 * (all ports of the VIP) have one template for all ports, as in IPVS. */
struct lvs_persist_key {
	struct lvs_addr client; /* the client's address under the service's netmask */
	__u32 svc_id;
	__u32 pad;
};

struct lvs_persist {
	__u32 dest_id;
	__u32 dest_gen;
	__u64 expires; /* jiffies; pushed on by every connection it controls */
	__u32 acct;    /* 1 while counted in lvs_dest_conns.persist */
	__u32 pad;
};

/* lvs_lblc / lvs_lblcr: LRU hashes from (service, destination address) to the
 * server (lblc) or server set (lblcr) that address is cached on. Entries unused
 * for lvs_config.lblc_expiration seconds count as absent (IPVS frees them);
 * lblcr drops the most loaded member of a set that has not changed for
 * lvs_config.lblcr_expiration seconds. */
struct lvs_lblc_key {
	struct lvs_addr daddr;
	__u32 svc_id;
	__u32 pad;
};

struct lvs_lblc {
	__u32 dest_id;
	__u32 dest_gen;
	__u64 lastuse; /* jiffies */
};

#define LVS_LBLCR_SET_MAX 16 /* members of one lblcr set */

struct lvs_lblcr {
	__u64 lastuse; /* jiffies */
	__u64 lastmod; /* jiffies the set last changed */
	__u32 count;   /* members in use */
	__u32 pad;
	__u32 dest_id[LVS_LBLCR_SET_MAX];
	__u32 dest_gen[LVS_LBLCR_SET_MAX];
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

/* lvs_svc_rates / lvs_dest_rates: arrays indexed by service / destination id,
 * written by `lvs-xdp daemon`'s rate estimator (IPVS's ip_vs_estimator: a
 * 2-second sample, smoothed) and read by -L --rate. Per second, as ipvsadm
 * shows them; the XDP program never touches them. */
struct lvs_rates {
	__u64 cps;
	__u64 inpps;
	__u64 outpps;
	__u64 inbps;
	__u64 outbps;
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
	__u64 drop_error;  /* dropped: a rewrite could not be finished (no room for a
			    * NAT reply entry, encapsulation or ICMP answer failed) */
	__u64 icmp_fwd;    /* ICMP errors about DR/TUN flows forwarded to the flow's server */
	__u64 icmp_bad_mtu; /* dropped: "fragmentation needed" about one of our flows (any
			     * mode) with an MTU below 576 */
	__u64 frag_first;  /* first fragments forwarded; their datagram's later fragments follow */
	__u64 frag_fwd;    /* later fragments forwarded after their first fragment */
	__u64 frag_pass;   /* passed: later fragments of no datagram whose first was forwarded */
	__u64 nodest_drop; /* dropped: a live connection's server was removed and
			    * expire_nodest_conn is 0 (IPVS's default) */
	__u64 conn_evicted; /* live IPv4 connections whose slot a new flow took (both of its
			     * groups full): the table is too small or flooded */
	__u64 conn_store_fail; /* IPv4 entries not stored: the flow's slots were being written
				* by other CPUs, twice (a new flow's next packet is scheduled anew) */
	__u64 nat_reply_restored; /* NAT flows whose reply entry a full table evicted, set up again
				   * by the client's next packet */
	__u64 sched_not_syn; /* TCP flows scheduled on a packet other than a SYN: their entry was
			      * lost (evicted, idle past its timeout), as IPVS's sloppy_tcp=1 */
};
/* Every frame is counted once in pass, tx, redirect, no_dest, fullnat_no_port,
 * drop_error, icmp_bad_mtu or nodest_drop; the others are details of those. */

/* lvs_config: array of one, settings of the attach that the loader needs when it
 * fills destinations. */
#define LVS_CFG_F_NAT 0x1   /* some server is NAT: look for replies in the conn table */
#define LVS_CFG_F_PORT0 0x2 /* some service has port 0 (all ports): look for it on a miss */
/* IPVS's net.ipv4.vs.expire_nodest_conn (`lvs-xdp sysctl`): a packet of a live
 * connection whose server was removed expires the connection and is scheduled
 * anew (without it the packet is dropped until the connection expires), and a
 * SYN onto a connection whose server has weight 0 is scheduled anew. */
#define LVS_CFG_F_EXPIRE_NODEST 0x4
/* Set by the loader before it starts writing a configuration and cleared when
 * it is done: still set, an update was interrupted (killed) and the next one
 * repairs what it left (loader/store/repair.cpp). The XDP program ignores it. */
#define LVS_CFG_F_COMMIT_OPEN 0x8
/* IPVS's net.ipv4.vs.conn_reuse_mode (`lvs-xdp sysctl`), a bitmap, default 1,
 * kept as two flags so that a configuration without either is the default:
 * REUSE_OFF is bit 1 clear, REUSE_FIN_WAIT bit 2 set. Any bit set: a SYN onto
 * a TCP connection in TIME_WAIT or CLOSE is scheduled anew; bit 2: also onto
 * a DR or TUN connection in FIN_WAIT (the last state a director sees when
 * the server's replies bypass it). */
#define LVS_CFG_F_REUSE_OFF 0x10
#define LVS_CFG_F_REUSE_FIN_WAIT 0x20

struct lvs_config {
	struct lvs_addr tun_src; /* --tun-src; all zero: the egress interface's address */
	__u32 flags;             /* LVS_CFG_F_* */
	__u32 laddr_count;       /* FullNAT: lvs_laddrs[0 .. laddr_count) are in use */
	__u32 hz;                /* jiffies a second (the kernel's CONFIG_HZ), for readers of expiries */
	/* Seconds a connection lives in each state after its last packet: IPVS's
	 * defaults, written by the first attach; --set changes them. */
	__u32 tcp_timeout[LVS_TCP_S_SLOTS]; /* [0, LVS_TCP_S_LAST) used */
	__u32 udp_timeout;
	/* IPVS's sysctls net.ipv4.vs.lblc_expiration / lblcr_expiration, seconds
	 * (default 24 h). */
	__u32 lblc_expiration;
	__u32 lblcr_expiration;
	/* lvs_conn_slots4's hash key: random, chosen with the table (so that
	 * nobody can aim flows at one group), kept for its life. */
	__u64 conn_seed;
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
