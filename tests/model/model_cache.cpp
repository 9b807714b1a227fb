// lblc and lblcr (ip_vs_lblc.c, ip_vs_lblcr.c): a cache from the packet's
// destination address to the server (lblc) or server set (lblcr) it was sent
// to, used while that server is not overloaded in their sense; otherwise wlc's
// pick. Entries unused for the expiration count as gone, as IPVS's garbage
// collection frees them.
#include <algorithm>

#include "ipvs_model.h"

namespace lvs::model {
// is_overloaded() of both files: more active connections than weight while
// some server of the service is under half its weight.
bool Service::lblc_overloaded(ServerId id) const {
    if (servers_[id].active <= servers_[id].weight)
        return false;
    for (ServerId other : list_)
        if (servers_[other].active * 2 < servers_[other].weight)
            return true;
    return false;
}

// ip_vs_lblc_schedule(): the cached server if it is still in the service, has
// weight and is not overloaded; else wlc's pick, which replaces the entry.
ServerId Service::lblc(uint32_t daddr, uint64_t now) {
    auto it = lblc_.find(daddr);
    if (it != lblc_.end() && now >= it->second.lastuse + opts_.lblc_expiration)
        it = lblc_.erase(it), it = lblc_.end();
    if (it != lblc_.end()) {
        it->second.lastuse = now;
        ServerId id = it->second.server;
        if (servers_[id].available && servers_[id].weight > 0 && !lblc_overloaded(id))
            return id;
    }
    ServerId id = weighted_least(false);
    if (id != kNoServer)
        lblc_[daddr] = {id, now};
    return id;
}

// ip_vs_dest_set_min(): the least loaded member by overhead/weight, skipping
// overloaded ones; the first candidate must have weight and be available.
ServerId Service::lblcr_set_min(const std::vector<ServerId>& set) const {
    ServerId least = kNoServer;
    for (ServerId id : set) {
        const Server& d = servers_[id];
        if (d.overload)
            continue;
        if (least == kNoServer) {
            if (d.weight > 0 && d.available)
                least = id;
            continue;
        }
        if (conn_overhead(servers_[least]) * d.weight > conn_overhead(d) * servers_[least].weight && d.available)
            least = id;
    }
    return least;
}

// ip_vs_dest_set_max(): the most loaded member with weight (overload and
// availability not looked at).
ServerId Service::lblcr_set_max(const std::vector<ServerId>& set) const {
    ServerId most = kNoServer;
    for (ServerId id : set) {
        const Server& d = servers_[id];
        if (d.weight <= 0)
            continue;
        if (most == kNoServer ||
            conn_overhead(servers_[most]) * d.weight < conn_overhead(d) * servers_[most].weight)
            most = id;
    }
    return most;
}

// ip_vs_lblcr_schedule(): the set's least loaded member unless it is
// overloaded; a set that has not changed for the expiration loses its most
// loaded member (after the pick); a new pick joins the set at its head.
ServerId Service::lblcr(uint32_t daddr, uint64_t now) {
    auto it = lblcr_.find(daddr);
    if (it != lblcr_.end() && now >= it->second.lastuse + opts_.lblcr_expiration)
        it = lblcr_.erase(it), it = lblcr_.end();
    if (it == lblcr_.end()) {
        ServerId id = weighted_least(false);
        if (id != kNoServer)
            lblcr_[daddr] = {{id}, now, now};
        return id;
    }
    LblcrEntry& en = it->second;
    en.lastuse = now;
    ServerId id = lblcr_set_min(en.set);
    if (en.set.size() > 1 && now > en.lastmod + opts_.lblcr_expiration) {
        ServerId most = lblcr_set_max(en.set);
        if (most != kNoServer) {
            std::erase(en.set, most);
            en.lastmod = now;
        }
    }
    if (id != kNoServer && !lblc_overloaded(id))
        return id;
    id = weighted_least(false);
    if (id != kNoServer && std::find(en.set.begin(), en.set.end(), id) == en.set.end()) {
        en.set.insert(en.set.begin(), id);
        en.lastmod = now;
    }
    return id;
}

}  // namespace lvs::model
