// Direct-routing real-server setup: what the LVS how-to does by hand on every
// real server, as `lvs-xdp realserver add|del|list VIP`:
//
//   ip addr add VIP/32 dev lo
//   echo 1 > /proc/sys/net/ipv4/conf/{lo,all}/arp_ignore
//   echo 2 > /proc/sys/net/ipv4/conf/{lo,all}/arp_announce
//
// The first add saves the four sysctl values it overwrites; removing the last
// VIP restores them. The state (VIPs added, saved values) is kept per network
// namespace in /run/lvs-xdp/realserver-<netns inode>.state, so several real
// servers in namespaces of one host don't share it. Only IPv4 VIPs for now.
#pragma once

#include <string>

#include "net/addr.h"

namespace lvs {

// Each returns a human-readable report of what it did (one or more lines,
// no trailing newline) for the CLI to print; errors are lvs::UserError.
//
// Adds VIP/32 to lo and sets the ARP sysctls. Adding a VIP that is already
// configured is not an error (the message says so).
std::string realserver_add(const Addr& vip);
// Removes VIP from lo; restores the saved sysctls when it was the last VIP.
// UserError when VIP was not configured with realserver_add.
std::string realserver_del(const Addr& vip);
// The configured VIPs, the current ARP sysctls and the values saved for restore.
std::string realserver_status();

}  // namespace lvs
