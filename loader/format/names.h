// Addresses, ports and netmasks as ipvsadm writes them in -L and -S output.
#pragma once

#include <cstdint>
#include <string>

#include "model/config.h"

namespace lvs {

// "addr:port" ("[addr]:port" for IPv6). Unless numeric, the host's name and the
// port's service name for proto replace the numbers where they are known, as
// ipvsadm does without -n.
std::string addrport_text(const Addr& addr, uint16_t port, Proto proto, bool numeric);

// The persistence netmask as -M takes it (dotted for IPv4, a prefix length for
// IPv6), or "" when it is the default /32 (/128), which ipvsadm leaves out.
std::string netmask_text(const Service& svc);

// The -b flags of svc as ipvsadm's print_sched_flags writes them, comma-joined
// ("sh-fallback,sh-port"; flag-1..3 for schedulers without names for them),
// or "" when none is set.
std::string sched_flags_text(const Service& svc);

// The Forward column: ipvsadm's fwd_name ("Masq", "Local", "Tunnel", "Route"),
// and "FullNat" for FullNAT servers (-m --fullnat), DPVS's name for them.
const char* fwd_name(const Dest& d);

// The TunnelInfo column (ipvsadm's fwd_tun_info): the tunnel type, then GUE's
// port, then for GUE and GRE the checksum option as -c (none), +c (checksum)
// or r+c (remote checksum); "n/a" for servers that are not tunnelled.
std::string tunnel_info(const Dest& d);

}  // namespace lvs
