// ip_vs_mh's hash of an address and port for C++ callers: the mh table here
// and the tests' reference models. The arithmetic itself (the kernel's 64-bit
// hsiphash and ip_vs_mh's keys) is defined once, in lvs_xdp/sched_hash.h, which
// the XDP program hashes clients with, so the table and the lookups agree.
#pragma once

#include <cstdint>

#include "net/addr.h"

namespace lvs {

// ip_vs_mh's two keys: Hash1 places a server's first slot and hashes clients
// at lookup time; Hash2 gives a server's skip.
enum class MhKey { Hash1, Hash2 };

// ip_vs_mh_hashkey: hsiphash of the 32-bit value offset + port + address (host
// order; an IPv6 address folded by XOR of its four words) under key. The
// caller takes it modulo the table size.
uint32_t mh_hash(const Addr& addr, uint16_t port_host_order, uint32_t offset, MhKey key);

}  // namespace lvs
