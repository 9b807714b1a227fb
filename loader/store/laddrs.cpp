#include "store/laddrs.h"

#include <algorithm>

#include "error.h"

namespace lvs {
namespace {

// Writes the pool: the addresses first, then the count, so the XDP program
// never indexes an entry not yet written. Shrinking writes the count first.
void write_pool(const Maps& maps, const std::vector<Addr>& pool) {
    ArrayMap<lvs_config> config(maps.config);
    ArrayMap<lvs_addr> laddrs(maps.laddrs);
    lvs_config c = config.get(0);
    if (pool.size() < c.laddr_count) {
        c.laddr_count = pool.size();
        config.put(0, c);
    }
    for (uint32_t i = 0; i < pool.size(); ++i)
        laddrs.put(i, pool[i].to_abi());
    c.laddr_count = pool.size();
    config.put(0, c);
}

void check_usable(const Addr& a) {
    if (a.is_v6())
        throw UserError("local address " + a.str() + ": IPv6 is not available in this version of lvs-xdp");
}

}  // namespace

std::vector<Addr> local_addresses(const Maps& maps) {
    uint32_t count = ArrayMap<lvs_config>(maps.config).get(0).laddr_count;
    ArrayMap<lvs_addr> laddrs(maps.laddrs);
    std::vector<Addr> out;
    for (uint32_t i = 0; i < count && i < LVS_MAX_LADDRS; ++i)
        out.push_back(Addr::from_abi(laddrs.get(i), LVS_AF_INET));
    return out;
}

void add_local_addresses(const Maps& maps, const std::vector<Addr>& addrs) {
    std::vector<Addr> pool = local_addresses(maps);
    for (const Addr& a : addrs) {
        check_usable(a);
        if (std::find(pool.begin(), pool.end(), a) != pool.end())
            throw UserError("local address " + a.str() + " is already in the pool");
        pool.push_back(a);
    }
    if (pool.size() > LVS_MAX_LADDRS)
        throw UserError("at most " + std::to_string(LVS_MAX_LADDRS) + " local addresses");
    write_pool(maps, pool);
}

void delete_local_addresses(const Maps& maps, const std::vector<Addr>& addrs) {
    std::vector<Addr> pool = local_addresses(maps);
    for (const Addr& a : addrs) {
        auto it = std::find(pool.begin(), pool.end(), a);
        if (it == pool.end())
            throw UserError("local address " + a.str() + " is not in the pool (see lvs-xdp --laddr list)");
        pool.erase(it);
    }
    write_pool(maps, pool);
}

}  // namespace lvs
