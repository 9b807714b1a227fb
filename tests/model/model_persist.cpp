// Persistence (-p, -M): ip_vs_sched_persist() and ip_vs_check_template(). A
// client network keeps the server its template names while the template lives
// and the server is still in the service; a server set to weight 0 keeps its
// templates (net.ipv4.vs.expire_quiescent_template defaults to 0). One
// template per client network serves every port of a port-0 service too.
#include "ipvs_model.h"

namespace lvs::model {
namespace {

uint32_t masked(uint32_t addr, uint32_t prefix) {
    return prefix == 0 ? 0 : addr & (prefix >= 32 ? UINT32_MAX : ~(UINT32_MAX >> prefix));
}

}  // namespace

ServerId Service::persistent(const Packet& p, uint64_t now, Random r) {
    uint32_t client = masked(p.saddr, opts_.netmask);
    auto it = templates_.find(client);
    if (it != templates_.end() && (now >= it->second.expires || !servers_[it->second.server].available))
        expire_template(client), it = templates_.end();
    if (it == templates_.end()) {
        ServerId id = schedule(p, now, r);
        if (id == kNoServer)
            return kNoServer;
        it = templates_.emplace(client, Template{id, 0}).first;
        bind(id, &Server::persist);
    }
    it->second.expires = now + opts_.persist_timeout;  // every connection it controls pushes it on
    return it->second.server;
}

void Service::expire_template(uint32_t client) {
    auto it = templates_.find(masked(client, opts_.netmask));
    if (it == templates_.end())
        return;
    ServerId id = it->second.server;
    templates_.erase(it);
    unbind(id, &Server::persist);
}

}  // namespace lvs::model
