// Servers and connections: the list (IPVS adds at the head), ipvsadm -a/-e/-d,
// and the per-server counters as ip_vs_bind_dest(), ip_vs_unbind_dest() and
// the TCP state changes move them, with the -x/-y overload flag.
#include <algorithm>
#include <arpa/inet.h>
#include <stdexcept>

#include "ipvs_model.h"

namespace lvs::model {

Service::Service(lvs_sched sched, Options opts) : sched_(sched), opts_(opts) {}

ServerId Service::add_server(std::string name, int weight, int u_threshold, int l_threshold) {
    Server s;
    s.name = std::move(name);
    s.weight = weight;
    s.last_weight = weight;
    s.u_threshold = u_threshold;
    s.l_threshold = l_threshold;
    servers_.push_back(s);
    ServerId id = servers_.size() - 1;
    list_.insert(list_.begin(), id);
    wrr_changed();
    return id;
}

// __ip_vs_update_dest(): a threshold lowered to below the current one keeps
// the overload flag, anything else clears it; last_weight keeps the latest
// non-zero weight.
void Service::edit_server(ServerId id, int weight, int u_threshold, int l_threshold) {
    Server& s = servers_.at(id);
    if (u_threshold == 0 || u_threshold > s.u_threshold)
        s.overload = false;
    s.weight = weight;
    if (weight != 0)
        s.last_weight = weight;
    s.u_threshold = u_threshold;
    s.l_threshold = l_threshold;
    wrr_changed();
}

// __ip_vs_unlink_dest(): out of the list, no longer available; its
// connections stay counted until they end. rr's position moves back to the
// server before it (ip_vs_rr_del_dest), so the walk goes on after it.
void Service::remove_server(ServerId id) {
    auto at = std::find(list_.begin(), list_.end(), id);
    if (rr_last_ == id)
        rr_last_ = at == list_.begin() ? kNoServer : *(at - 1);
    list_.erase(at);
    servers_.at(id).available = false;
    wrr_changed();
}

void Service::set_conns(ServerId id, int active, int inactive) {
    servers_.at(id).active = active;
    servers_.at(id).inactive = inactive;
}

ServerId Service::find(const std::string& name) const {
    for (ServerId id = 0; id < servers_.size(); ++id)
        if (servers_[id].name == name && servers_[id].available)
            return id;
    throw std::out_of_range("no server " + name);
}

// ip_vs_bind_dest(): counted, then overloaded once active + inactive reaches
// the upper threshold (templates count in persist but not in that sum).
void Service::bind(ServerId id, int Server::*counter) {
    Server& s = servers_[id];
    ++(s.*counter);
    if (s.u_threshold != 0 && s.active + s.inactive >= s.u_threshold)
        s.overload = true;
}

// ip_vs_unbind_dest(): uncounted, then the flag clears below the lower
// threshold, or below 3/4 of the upper one when there is no lower one, or at
// once when there is neither.
void Service::unbind(ServerId id, int Server::*counter) {
    Server& s = servers_[id];
    --(s.*counter);
    int total = s.active + s.inactive;
    if (s.l_threshold != 0) {
        if (total < s.l_threshold)
            s.overload = false;
    } else if (s.u_threshold != 0) {
        if (total * 4 < s.u_threshold * 3)
            s.overload = false;
    } else {
        s.overload = false;
    }
}

ServerId Service::connect(const Packet& p, uint64_t now, Random r) {
    if (conns_.contains(p))
        expire(p);  // a dead entry scheduled anew is taken out first
    ServerId id = (opts_.flags & LVS_SVC_F_PERSISTENT) ? persistent(p, now, r) : schedule(p, now, r);
    if (id != kNoServer) {
        conns_[p] = {id, false};
        bind(id, &Server::inactive);
    }
    return id;
}

// set_tcp_state(): only the move in or out of ESTABLISHED changes counters,
// and it never touches the overload flag.
void Service::establish(const Packet& p) {
    Conn& c = conns_.at(p);
    if (!c.active) {
        --servers_[c.server].inactive;
        ++servers_[c.server].active;
        c.active = true;
    }
}

void Service::close(const Packet& p) {
    Conn& c = conns_.at(p);
    if (c.active) {
        --servers_[c.server].active;
        ++servers_[c.server].inactive;
        c.active = false;
    }
}

void Service::expire(const Packet& p) {
    Conn c = conns_.at(p);
    conns_.erase(p);
    unbind(c.server, c.active ? &Server::active : &Server::inactive);
}

std::optional<ServerId> Service::connection(const Packet& p) const {
    auto it = conns_.find(p);
    if (it == conns_.end())
        return std::nullopt;
    return it->second.server;
}

uint32_t host_addr(const std::string& dotted) {
    in_addr a{};
    if (inet_pton(AF_INET, dotted.c_str(), &a) != 1)
        throw std::invalid_argument("not an IPv4 address: " + dotted);
    return ntohl(a.s_addr);
}

}  // namespace lvs::model
