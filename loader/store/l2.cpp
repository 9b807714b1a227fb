#include "store/l2.h"

#include <linux/if_ether.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <thread>

#include "net/addr.h"
#include "net/netlink.h"

namespace lvs {
namespace {

struct Pending {
    lvs_dest* dest;
    int oif;
    Addr next_hop;
};

void fill(lvs_dest* d, int oif, const std::array<uint8_t, 6>& mac) {
    Egress out = egress_of(oif);
    if (out.unsupported)
        spdlog::warn("real server {}: reached through {}, a stack of VLAN devices lvs-xdp cannot take apart "
                     "(one 802.1Q VLAN, or 802.1Q inside 802.1ad, can be); its packets go to the kernel",
                     Addr::from_abi(d->addr, d->family).str(), ifname_of(oif));
    d->ifindex = out.ifindex;
    d->vlan_id = out.vlan_id;
    d->vlan_outer = out.vlan_outer;
    std::memcpy(d->dmac, mac.data(), 6);
    auto smac = iface_mac(oif);
    std::memcpy(d->smac, smac.data(), 6);
    d->flags |= LVS_DEST_F_L2_VALID;
}

}  // namespace

Egress egress_of(int oif, const std::function<std::optional<VlanLink>(int)>& vlan_of_iface) {
    const auto inner = vlan_of_iface(oif);
    if (!inner)
        return Egress{.ifindex = oif};
    const Egress unsupported{.ifindex = oif, .unsupported = true};
    if (inner->proto != ETH_P_8021Q)
        return unsupported;
    const auto outer = vlan_of_iface(inner->lower);
    if (!outer)
        return Egress{.ifindex = inner->lower, .vlan_id = inner->id};
    if (outer->proto != ETH_P_8021AD || vlan_of_iface(outer->lower))
        return unsupported;
    return Egress{.ifindex = outer->lower, .vlan_id = inner->id, .vlan_outer = outer->id};
}

void resolve_l2(const std::vector<lvs_dest*>& dests, const std::optional<Addr>& tun_src_override,
                std::chrono::milliseconds wait) {
    std::vector<Pending> pending;
    for (lvs_dest* d : dests) {
        Addr addr = Addr::from_abi(d->addr, d->family);
        auto route = route_to(addr);
        if (!route) {
            spdlog::warn("real server {}: no route to it; add one so packets can reach it", addr.str());
            continue;
        }
        d->mtu = route->mtu ? route->mtu : iface_mtu(route->oif);
        if (d->fwd == LVS_FWD_TUNNEL) {
            std::optional<Addr> src = tun_src_override ? tun_src_override : route->prefsrc;
            if (!src)
                spdlog::warn("real server {}: no source address for the tunnel; give one with "
                             "'lvs-xdp attach IFACE --tun-src ADDR'", addr.str());
            else
                d->tun_src = src->to_abi();
        }
        Addr hop = route->gateway ? *route->gateway : addr;
        if (auto mac = neighbour_mac(route->oif, hop))
            fill(d, route->oif, *mac);
        else {
            probe_neighbour(route->oif, hop);
            pending.push_back({d, route->oif, hop});
        }
    }
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::erase_if(pending, [](const Pending& p) {
            auto mac = neighbour_mac(p.oif, p.next_hop);
            if (mac)
                fill(p.dest, p.oif, *mac);
            return mac.has_value();
        });
    }
    for (const Pending& p : pending)
        spdlog::warn("real server {}: no ARP answer yet; its share of new connections goes to the kernel "
                     "until it answers",
                     Addr::from_abi(p.dest->addr, p.dest->family).str());
}

}  // namespace lvs
