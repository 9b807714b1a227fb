#include "daemon/mac_refresh.h"

#include <arpa/inet.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "maps/bpf_map.h"
#include "maps/pin_dir.h"
#include "net/addr.h"
#include "store/l2.h"

namespace lvs {
namespace {

bool unresolved(const lvs_dest& d) { return (d.flags & LVS_DEST_F_IN_USE) && !(d.flags & LVS_DEST_F_L2_VALID); }

// The fields resolve_l2 fills. Copying only these back leaves whatever else a
// concurrent writer changed in the entry alone.
bool copy_l2(lvs_dest& to, const lvs_dest& from) {
    lvs_dest before = to;
    to.flags = (to.flags & ~LVS_DEST_F_L2_VALID) | (from.flags & LVS_DEST_F_L2_VALID);
    to.ifindex = from.ifindex;
    to.vlan_id = from.vlan_id;
    to.vlan_outer = from.vlan_outer;
    std::memcpy(to.dmac, from.dmac, sizeof(to.dmac));
    std::memcpy(to.smac, from.smac, sizeof(to.smac));
    to.mtu = from.mtu;
    to.tun_src = from.tun_src;
    return std::memcmp(&before, &to, sizeof(to)) != 0;
}

// attach --tun-src, which resolve_l2 must keep for tunnel servers.
std::optional<Addr> configured_tun_src(const Maps& maps) {
    const lvs_config c = ArrayMap<lvs_config>(maps.config).get(0);
    if (!c.tun_src.ip4)
        return std::nullopt;
    return Addr::from_abi(c.tun_src, LVS_AF_INET);
}

std::string name_of(const lvs_dest& d) { return endpoint_str(Addr::from_abi(d.addr, d.family), ntohs(d.port)); }

}  // namespace

void MacRefresher::pass(const Maps& maps) {
    const ArrayMap<lvs_dest> dest_map(maps.dests);
    std::vector<uint32_t> ids;
    {
        const std::vector<lvs_dest> all = dest_map.all();  // without the lock: usually nothing to do
        for (uint32_t id = 0; id < all.size(); ++id)
            if (unresolved(all[id]))
                ids.push_back(id);
    }
    std::erase_if(waiting_, [&](uint32_t id) { return !std::binary_search(ids.begin(), ids.end(), id); });
    if (ids.empty())
        return;

    // Under the lock the configuration commands take, so no command removes or
    // replaces a server between the read and the write below.
    const PinDirLock lock(pin_dir_);
    std::vector<lvs_dest> copies;
    std::vector<uint32_t> copy_ids;
    for (uint32_t id : ids)
        if (lvs_dest d = dest_map.get(id); unresolved(d)) {
            copies.push_back(d);
            copy_ids.push_back(id);
        }
    std::vector<lvs_dest*> targets;
    for (lvs_dest& d : copies)
        targets.push_back(&d);
    {
        // resolve_l2 warns about every server that has not answered yet, which
        // every pass would repeat; the daemon says it once per server below.
        const auto level = spdlog::get_level();
        spdlog::set_level(spdlog::level::err);
        resolve_l2(targets, configured_tun_src(maps), std::chrono::milliseconds(0));
        spdlog::set_level(level);
    }
    for (size_t i = 0; i < copies.size(); ++i) {
        const uint32_t id = copy_ids[i];
        // Read again: the XDP program may have learnt the MAC meanwhile.
        lvs_dest now = dest_map.get(id);
        if (!unresolved(now))
            continue;
        if (copy_l2(now, copies[i]))
            dest_map.put(id, now);
        if (copies[i].flags & LVS_DEST_F_L2_VALID) {
            spdlog::info("real server {}: MAC known now; forwarding to it", name_of(now));
            waiting_.erase(id);
        } else if (waiting_.insert(id).second) {
            spdlog::warn("real server {}: MAC not known yet (no ARP answer, or no route to it); its share of "
                         "new connections goes to the kernel until it answers; asking again every pass",
                         name_of(now));
        }
    }
}

}  // namespace lvs
