// A reference model of kernel IPVS's scheduling, in plain C++ (no BPF): one
// virtual service, its servers in IPVS's list order with IPVS's per-server
// counters, the 14 schedulers, the lblc/lblcr caches, persistence templates,
// and the connection events that move the counters (with the -x/-y overload
// rules). The unit tests check it against hand-worked IPVS examples; the
// selftests drive it and the XDP program through the same events and require
// the same picks, so a difference points at the data plane (or at the model,
// whose every rule names the IPVS function it follows).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "lvs_xdp/abi.h"

namespace lvs::model {

// A server id: the model's index of a server, stable for its lifetime.
using ServerId = uint32_t;
inline constexpr ServerId kNoServer = UINT32_MAX;

struct Server {
    std::string name;
    int weight = 1;
    int last_weight = 1;  // the latest non-zero weight
    int u_threshold = 0;  // -x
    int l_threshold = 0;  // -y
    int active = 0;       // IPVS's activeconns
    int inactive = 0;     // inactconns
    int persist = 0;      // persistconns: templates naming the server
    bool overload = false;  // IP_VS_DEST_F_OVERLOAD
    bool available = true;  // IP_VS_DEST_F_AVAILABLE: false once removed
};

// ip_vs_dest_conn_overhead(): an active connection weighs 256 inactive ones
// (a transiently negative count reads as 0).
int64_t conn_overhead(const Server& s);

// What a scheduler sees of a new connection's first packet (host byte order).
struct Packet {
    uint32_t saddr = 0;
    uint16_t sport = 0;
    uint32_t daddr = 0;
    uint16_t dport = 0;
    auto operator<=>(const Packet&) const = default;
};

// twos's two random numbers (IPVS draws them with prandom_u32()).
struct Random {
    uint32_t r1 = 0;
    uint32_t r2 = 0;
};

struct Options {
    uint32_t flags = 0;            // LVS_SVC_F_*: persistent, -b's sh/mh-fallback and sh/mh-port
    uint64_t persist_timeout = 0;  // -p, in the model's time unit
    uint32_t netmask = 32;         // -M as a prefix length
    uint64_t lblc_expiration = 24 * 3600;
    uint64_t lblcr_expiration = 24 * 3600;
};

class Service {
public:
    explicit Service(lvs_sched sched, Options opts = {});

    // Server changes, as ipvsadm -a/-e/-d reach IPVS's __ip_vs_update_dest and
    // __ip_vs_del_dest. A new server goes to the head of the list.
    ServerId add_server(std::string name, int weight, int u_threshold = 0, int l_threshold = 0);
    void edit_server(ServerId id, int weight, int u_threshold = 0, int l_threshold = 0);
    void remove_server(ServerId id);

    // Puts a server's counters in a given state, as hand-worked examples start.
    void set_conns(ServerId id, int active, int inactive);

    const Server& server(ServerId id) const { return servers_.at(id); }
    ServerId find(const std::string& name) const;
    // Servers in IPVS's list order (newest first), the order every loop walks.
    const std::vector<ServerId>& list() const { return list_; }

    // dh, sh, mh: the lookup table as the loader builds it (server ids or
    // kNoServer per bucket).
    void set_table(std::vector<ServerId> table) { table_ = std::move(table); }

    // The scheduler's pick for a new connection, with IPVS's side effects on
    // the scheduler's own state (rr/wrr position, lblc/lblcr caches) but none on
    // the counters. now: the model's clock, in the unit of Options' times.
    ServerId schedule(const Packet& p, uint64_t now, Random r = {});

    // Connection events. connect() is a new connection: the persistence
    // template if the service is persistent, else schedule(); the connection is
    // bound to the pick (inactive++, the -x check). Returns the pick.
    ServerId connect(const Packet& p, uint64_t now, Random r = {});
    void establish(const Packet& p);  // TCP reaches ESTABLISHED: inactive -> active
    void close(const Packet& p);      // TCP leaves ESTABLISHED (FIN, RST): active -> inactive
    void expire(const Packet& p);     // the entry is freed: out of its counter, the -y rule
    // The template of client's network is freed (its timeout passed).
    void expire_template(uint32_t client);
    std::optional<ServerId> connection(const Packet& p) const;

private:
    struct Conn {
        ServerId server;
        bool active;
    };
    struct Template {
        ServerId server;
        uint64_t expires;
    };
    struct LblcEntry {
        ServerId server;
        uint64_t lastuse;
    };
    struct LblcrEntry {
        std::vector<ServerId> set;  // newest member first, as IPVS inserts
        uint64_t lastuse;
        uint64_t lastmod;
    };

    // model_sched.cpp: the schedulers, each as its IPVS *_schedule().
    ServerId rr();
    ServerId wrr();
    void wrr_changed();  // ip_vs_wrr_dest_changed(), after any server change
    ServerId lc() const;
    ServerId weighted_least(bool sed_overhead) const;  // wlc, sed and lblc/lblcr's fallback
    ServerId nq() const;
    ServerId fo() const;
    ServerId ovf() const;
    ServerId twos(Random r) const;
    ServerId hashed(uint32_t addr, uint16_t port, bool fallback) const;  // dh, sh, mh
    // model_cache.cpp
    ServerId lblc(uint32_t daddr, uint64_t now);
    ServerId lblcr(uint32_t daddr, uint64_t now);
    bool lblc_overloaded(ServerId id) const;
    ServerId lblcr_set_min(const std::vector<ServerId>& set) const;
    ServerId lblcr_set_max(const std::vector<ServerId>& set) const;
    // model_servers.cpp: ip_vs_bind_dest / ip_vs_unbind_dest's counter rules.
    void bind(ServerId id, int Server::*counter);
    void unbind(ServerId id, int Server::*counter);
    // model_persist.cpp
    ServerId persistent(const Packet& p, uint64_t now, Random r);

    bool usable(ServerId id) const;  // weight > 0 and not overloaded

    lvs_sched sched_;
    Options opts_;
    std::vector<Server> servers_;
    std::vector<ServerId> list_;
    std::vector<ServerId> table_;
    // rr: the last server picked. wrr: IPVS's mark: the list position the walk
    // goes on from (SIZE_MAX: the list head), the current weight, the weights'
    // gcd and cw's starting value.
    ServerId rr_last_ = kNoServer;
    size_t wrr_pos_ = SIZE_MAX;
    int wrr_cw_ = 0, wrr_di_ = 1, wrr_mw_ = 0;
    std::map<uint32_t, LblcEntry> lblc_;
    std::map<uint32_t, LblcrEntry> lblcr_;
    std::map<uint32_t, Template> templates_;  // client & netmask -> template
    std::map<Packet, Conn> conns_;
};

// A 32-bit address in host order from dotted text ("10.1.0.10").
uint32_t host_addr(const std::string& dotted);

}  // namespace lvs::model
