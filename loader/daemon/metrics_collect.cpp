// collect_metrics: the maps' side of metrics.h, apart from the rendering so
// that the rendering stays a pure function.
#include <utility>

#include "daemon/metrics.h"
#include "format/ipvsadm_order.h"
#include "maps/counters.h"
#include "store/store.h"

namespace lvs {

MetricsSnapshot collect_metrics(const Maps& maps) {
    MetricsSnapshot snap;
    const Config cfg = Store(maps).load();
    const ArrayMap<lvs_rates> svc_rates(maps.svc_rates), dest_rates(maps.dest_rates);
    const DestConns conns(maps.dest_conns);
    for (const Service* svc : ordered_services(cfg, true)) {
        ServiceMetrics s{.service = proto_name(svc->key.proto) + " " + endpoint_str(svc->key.addr, svc->key.port),
                         .counters = service_counters(maps, svc->id),
                         .rates = svc_rates.get(svc->id)};
        for (const Dest* d : ordered_dests(*svc, true))
            s.servers.push_back({.server = endpoint_str(d->addr, d->port),
                                 .weight = d->weight,
                                 .counters = dest_counters(maps, d->id),
                                 .rates = dest_rates.get(d->id),
                                 .conns = conns.read(d->id)});
        snap.services.push_back(std::move(s));
    }
    snap.xdp = xdp_counters(maps);
    return snap;
}

}  // namespace lvs
