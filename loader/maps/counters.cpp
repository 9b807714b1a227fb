#include "maps/counters.h"

namespace lvs {

lvs_counters total(const std::vector<lvs_counters>& per_cpu) {
    lvs_counters s{};
    for (const auto& c : per_cpu) {
        s.conns += c.conns;
        s.inpkts += c.inpkts;
        s.outpkts += c.outpkts;
        s.inbytes += c.inbytes;
        s.outbytes += c.outbytes;
    }
    return s;
}

lvs_xdp_stats total(const std::vector<lvs_xdp_stats>& per_cpu) {
    lvs_xdp_stats s{};
    for (const auto& c : per_cpu) {
        s.rx += c.rx;
        s.pass += c.pass;
        s.tx += c.tx;
        s.redirect += c.redirect;
        s.new_conns += c.new_conns;
        s.no_dest += c.no_dest;
        s.no_neigh += c.no_neigh;
        s.resched += c.resched;
    }
    return s;
}

lvs_counters service_counters(const Maps& maps, uint32_t svc_id) {
    return total(PerCpuArray<lvs_counters>(maps.svc_stats).per_cpu(svc_id));
}

lvs_counters dest_counters(const Maps& maps, uint32_t dest_id) {
    return total(PerCpuArray<lvs_counters>(maps.dest_stats).per_cpu(dest_id));
}

lvs_xdp_stats xdp_counters(const Maps& maps) { return total(PerCpuArray<lvs_xdp_stats>(maps.xdp_stats).per_cpu(0)); }

}  // namespace lvs
