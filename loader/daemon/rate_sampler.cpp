#include "daemon/rate_sampler.h"

#include <functional>
#include <string_view>
#include <vector>

#include "maps/bpf_map.h"
#include "maps/counters.h"

namespace lvs {

void RateSampler::sample(const Maps& maps) {
    const ArrayMap<lvs_rates> svc_rates(maps.svc_rates), dest_rates(maps.dest_rates);

    std::vector<uint32_t> ids;
    for (const auto& [key, svc] : HashMap<lvs_svc_key, lvs_svc>(maps.services).entries()) {
        // A service id freed and taken again names another service: the key
        // tells the two apart, as lvs_dest.gen does for servers.
        const uint64_t generation =
            std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(&key), sizeof(key)));
        services_.sample(svc.id, generation, service_counters(maps, svc.id));
        svc_rates.put(svc.id, services_.rates(svc.id));
        ids.push_back(svc.id);
    }
    services_.keep_only(ids);

    ids.clear();
    const std::vector<lvs_dest> dests = ArrayMap<lvs_dest>(maps.dests).all();
    for (uint32_t id = 0; id < dests.size(); ++id) {
        if (!(dests[id].flags & LVS_DEST_F_IN_USE))
            continue;
        dests_.sample(id, dests[id].gen, dest_counters(maps, id));
        dest_rates.put(id, dests_.rates(id));
        ids.push_back(id);
    }
    dests_.keep_only(ids);
}

}  // namespace lvs
