// Real-server setup: what the LVS how-to does by hand on every real server.
//
// DR, `lvs-xdp realserver add|del|list VIP`:
//
//   ip addr add VIP/32 dev lo
//   echo 1 > /proc/sys/net/ipv4/conf/{lo,all}/arp_ignore
//   echo 2 > /proc/sys/net/ipv4/conf/{lo,all}/arp_announce
//
// TUN, `lvs-xdp realserver add|del VIP --tun`: where the kernel has an ipip
// device, the how-to's tunl0 set-up (VIP/32 on tunl0 and up; arp_ignore=1,
// arp_announce=2 on tunl0 and all; rp_filter=0 on tunl0 and all). Where it has
// none (or for GUE), lvs-xdp's decapsulating XDP program rs_decap on the
// interfaces tunnelled packets arrive on, with the VIP in its map, the VIP/32
// on lo with the DR sysctls, and rp_filter=0 on all and those interfaces.
//
// Each sysctl's old value is saved the first time a VIP needs it and restored
// when no VIP needs it any more. The state (VIPs, what was set up, saved
// values) is kept per network namespace in
// /run/lvs-xdp/realserver-<netns inode>.state, so several real servers in
// namespaces of one host don't share it; rs_decap's maps likewise go into a
// directory of their own per namespace under the pin directory. IPv4 VIPs only.
#pragma once

#include <string>

#include "net/addr.h"
#include "realserver/realserver_state.h"

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
// --tun. opts.pin_dir is the pin directory (--pin-dir, LVS_XDP_PIN_DIR or the
// default); rs_decap's maps go into its subdirectory realserver-<netns cookie>.
std::string realserver_tun_add(const Addr& vip, TunOptions opts);
std::string realserver_tun_del(const Addr& vip);
// The configured VIPs, the current sysctls and the values saved for restore.
std::string realserver_status();

}  // namespace lvs
