// A small rtnetlink helper: interfaces, addresses, routes and neighbours of the
// network namespace the calling process is in, over raw NETLINK_ROUTE sockets.
// Every function opens its own socket, so they are safe to call after setns().
// Errors the kernel reports are thrown as lvs::UserError with the kernel's
// reason (and its extended-ack message when it gives one).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/addr.h"

struct nlmsghdr;

namespace lvs {

using Mac = std::array<uint8_t, 6>;

// The index of the interface called name; UserError "no such interface: NAME".
int ifindex_of(const std::string& name);
// The name of interface ifindex; UserError "no such interface: #N".
std::string ifname_of(int ifindex);
// The hardware address of interface ifindex (all zeros for lo).
Mac iface_mac(int ifindex);
// The MTU of interface ifindex.
uint32_t iface_mtu(int ifindex);
// The IFF_* flags of interface ifindex (IFF_UP, IFF_LOOPBACK, ...).
unsigned iface_flags(int ifindex);
// A VLAN device (`ip link add link LOWER name LOWER.ID type vlan id ID`).
struct VlanLink {
    int lower = 0;       // the device its frames leave through, tagged
    uint16_t id = 0;     // the VLAN id
    uint16_t proto = 0;  // ETH_P_8021Q or ETH_P_8021AD, host order
};
// What interface ifindex is a VLAN of, or nullopt when it is no VLAN device
// (or one whose lower device is in another network namespace).
std::optional<VlanLink> vlan_of(int ifindex);
// The same from an RTM_NEWLINK message (vlan_of's parser).
std::optional<VlanLink> vlan_of_message(const nlmsghdr* nh);
// The index of the interface called name, or nullopt when there is none.
std::optional<int> find_ifindex(const std::string& name);

struct LinkSummary {
    int ifindex = 0;
    std::string name;
    unsigned flags = 0;  // IFF_*
};
// Every interface of the namespace, in index order.
std::vector<LinkSummary> list_links();

enum class LinkCreated { Created, Exists, Unsupported };
// Creates an interface of the given kind (`ip link add NAME type KIND`, no
// further parameters). Exists: an interface with that name is there already
// (for tunnel kinds the kernel may have made it while loading the module);
// Unsupported: the kernel does not know the kind ("Unknown device type").
LinkCreated create_link(const std::string& name, const std::string& kind);
// Removes interface ifindex (`ip link del`).
void delete_link(int ifindex);
// Sets interface ifindex administratively up or down.
void set_link_up(int ifindex, bool up);

// Adds a/prefixlen to the interface (like `ip addr add`). UserError when the
// address is already there or the kernel refuses it.
void add_address(int ifindex, const Addr& a, int prefixlen);
// Removes a from the interface. prefixlen < 0 means whatever prefix it has.
// UserError when the interface does not hold the address.
void del_address(int ifindex, const Addr& a, int prefixlen = -1);
// Whether the interface holds the address (any prefix length).
bool has_address(int ifindex, const Addr& a);

struct InterfaceAddress {
    Addr addr;
    int prefixlen = 0;
};
// The addresses of one family (LVS_AF_INET / LVS_AF_INET6) on the interface.
std::vector<InterfaceAddress> addresses_of(int ifindex, int family);

struct Route {
    int oif = 0;                  // egress interface
    std::optional<Addr> gateway;  // next hop, when not directly connected
    bool local = false;           // dst is an address of this host (RTN_LOCAL)
    std::optional<Addr> prefsrc;  // the source address the kernel would use
    uint32_t mtu = 0;             // the route's own MTU (0: the interface's)
};
// The route the kernel would use to send to dst (RTM_GETROUTE, like
// `ip route get`); nullopt when dst is unreachable.
std::optional<Route> route_to(const Addr& dst);

// The neighbour states a MAC may be used in: REACHABLE, STALE, DELAY, PROBE,
// PERMANENT and NOARP.
bool neighbour_state_usable(uint16_t nud_state);
// a's MAC on ifindex if the kernel's neighbour table has it in a usable state.
std::optional<Mac> neighbour_mac(int ifindex, const Addr& a);
// Makes the kernel start resolving a on ifindex (ARP / neighbour solicitation):
// RTM_NEWNEIGH with NTF_USE, which creates the entry if needed and kicks the
// state machine as if a packet were queued to a. Returns at once.
void probe_neighbour(int ifindex, const Addr& a);
// neighbour_mac(), probing and polling until the entry is usable or wait has
// passed; nullopt when it did not resolve in time.
std::optional<Mac> resolve_neighbour(int ifindex, const Addr& a, std::chrono::milliseconds wait);

// "02:00:0a:4d:00:0b".
std::string mac_str(const Mac& mac);

}  // namespace lvs
