// Director-wide settings kept in lvs_config: connection timeouts per state
// (IPVS's defaults until `--set` changes them), the NAT flag the XDP program
// checks before looking for replies, and the FullNAT local addresses.
#pragma once

#include <array>
#include <cstdint>

#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"
#include "model/config.h"

namespace lvs {

// IPVS's default timeouts in seconds (ip_vs_proto_tcp.c, ip_vs_proto_udp.c).
extern const std::array<uint32_t, LVS_TCP_S_LAST> kDefaultTcpTimeouts;
inline constexpr uint32_t kDefaultUdpTimeout = 300;
// IPVS's net.ipv4.vs.lblc_expiration and lblcr_expiration: 24 hours.
inline constexpr uint32_t kDefaultLblcExpiration = 24 * 60 * 60;

// Writes the default timeouts where none are set yet (a fresh pin directory).
void ensure_default_settings(const Maps& maps);

// ipvsadm's --set tcp tcpfin udp: the TCP ESTABLISHED, TCP FIN_WAIT and UDP
// timeouts in seconds, each left as it is when 0 (as IPVS's ip_vs_set_timeout).
// The first changes c only; the second writes lvs_config (hold the pin-dir lock).
void set_timeouts(lvs_config& c, uint32_t tcp, uint32_t tcpfin, uint32_t udp);
void set_timeouts(const Maps& maps, uint32_t tcp, uint32_t tcpfin, uint32_t udp);

// lvs_config as the maps hold it: the timeouts -L --timeout shows, the flags.
lvs_config read_settings(const Maps& maps);

// Writes c back as lvs_config (hold the pin-dir lock).
void write_settings(const Maps& maps, const lvs_config& c);

// Records the kernel's HZ as the loaded program sees it (0: unknown, where the
// program assumes 250), so expiries in jiffies can be shown in seconds.
void record_hz(const Maps& maps, unsigned config_hz);

// Sets LVS_CFG_F_NAT when cfg has a NAT server and LVS_CFG_F_PORT0 when it
// has a port-0 service, clearing them otherwise, so the XDP program only looks
// for NAT replies, or for a VIP's all-ports service, when there can be some.
void update_service_flags(const Maps& maps, const Config& cfg);

}  // namespace lvs
