/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the data plane. All are pinned by name under the pin directory so
 * short-lived lvs-xdp commands find them and the state outlives any process. */
#ifndef LVS_MAPS_BPF_H
#define LVS_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lvs_xdp/abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LVS_MAX_SERVICES);
	__type(key, struct lvs_svc_key);
	__type(value, struct lvs_svc);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_VIP_FILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_vip_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_MAX_DESTS);
	__type(key, __u32);
	__type(value, struct lvs_dest);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_dests SEC(".maps");

/* Scheduler tables computed by the loader: destination ids, one slice per service. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_SCHED_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_sched_table SEC(".maps");

/* Per-CPU position of each service in its table (rr, wrr). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LVS_MAX_SERVICES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_sched_pos SEC(".maps");

/* The connection table, one map per family (conn_table.bpf.h picks); their
 * sizes are set by the loader on first attach. IPv4: slots managed by the
 * program (abi.h, lvs_conn_slot4), mmapable so that the loader reads and
 * sweeps them in place, and so page-aligned: every slot is one cache line. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_DEFAULT_CONN_TABLE_SIZE);
	__type(key, __u32);
	__type(value, struct lvs_conn_slot4);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_conn_slots4 SEC(".maps");

/* lvs_conn_slots4's hash key and number of groups minus one, fixed with the
 * table and set by the loader before every load (loader/attach/conn_tables.h):
 * constants to the JIT. The key is in lvs_config.conn_seed too, for the
 * loader's other commands. */
const volatile __u64 lvs_conn_seed = 0;
const volatile __u32 lvs_conn_group_mask = LVS_DEFAULT_CONN_TABLE_SIZE / LVS_CONN_WAYS - 1;

/* IPv6: the kernel's LRU hash; the per-CPU LRU lists keep eviction off the
 * shared lock. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LVS_DEFAULT_CONN6_TABLE_SIZE);
	__type(key, struct lvs_flow_key);
	__type(value, struct lvs_conn);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_conns6 SEC(".maps");

/* IPVS's per-server connection counters (see abi.h): shared by all CPUs,
 * changed with atomic adds, mmapable so the loader's sweep can do the same. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_MAX_DESTS);
	__type(key, __u32);
	__type(value, struct lvs_dest_conns);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_dest_conns SEC(".maps");

/* Persistence templates (-p). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LVS_MAX_PERSIST);
	__type(key, struct lvs_persist_key);
	__type(value, struct lvs_persist);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_persist SEC(".maps");

/* lblc and lblcr: destination address -> server / server set. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LVS_MAX_LBLC);
	__type(key, struct lvs_lblc_key);
	__type(value, struct lvs_lblc);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_lblc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LVS_MAX_LBLC);
	__type(key, struct lvs_lblc_key);
	__type(value, struct lvs_lblcr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_lblcr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LVS_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct lvs_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LVS_MAX_DESTS);
	__type(key, __u32);
	__type(value, struct lvs_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_dest_stats SEC(".maps");

/* The daemon's rate estimates (-L --rate). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct lvs_rates);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_svc_rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_MAX_DESTS);
	__type(key, __u32);
	__type(value, struct lvs_rates);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_dest_rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lvs_xdp_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_xdp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lvs_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_config SEC(".maps");

static __always_inline struct lvs_config *config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&lvs_config, &zero);
}

/* FullNAT's local addresses (--laddr), the first lvs_config.laddr_count used. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LVS_MAX_LADDRS);
	__type(key, __u32);
	__type(value, struct lvs_addr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_laddrs SEC(".maps");

/* Attached interfaces: their MACs, and the devmap used to forward between them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LVS_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct lvs_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, LVS_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lvs_tx_ports SEC(".maps");

/* Per-CPU scratch space for what does not fit the 512-byte BPF stack. Not
 * pinned: nothing outside the program reads it. */
#define CSUM_CHUNK 512
struct lvs_scratch {
	__u8 buf[CSUM_CHUNK + 4]; /* + rounding a chunk up to whole words */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lvs_scratch);
} lvs_scratch SEC(".maps");

/* Test-only builds (CMake's lvs-xdp-next, made for the upgrade test) are
 * compiled with -DLVS_XDP_BUILD_TAG=N: lvs_xdp_main then has one instruction
 * more (r0 = N, overwritten before it is read), so its tag differs while the
 * maps are the same. Without the define (every other build) it is nothing,
 * and the object is byte for byte what it was without this. */
#ifdef LVS_XDP_BUILD_TAG
#define LVS_XDP_BUILD_MARK() asm volatile("r0 = %0" ::"i"(LVS_XDP_BUILD_TAG) : "r0")
#else
#define LVS_XDP_BUILD_MARK() do {} while (0)
#endif

#endif
