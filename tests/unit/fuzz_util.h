// Helpers the fuzz tests share: the seed (LVS_FUZZ_SEED replays a run) and a
// snapshot of a configuration that shows any change.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "model/config.h"
#include "net/addr.h"

namespace lvs::test {

inline uint64_t fuzz_seed(uint64_t default_seed) {
    const char* env = std::getenv("LVS_FUZZ_SEED");
    return env ? std::strtoull(env, nullptr, 0) : default_seed;
}

// Every field of a configuration, ids included, so any change shows.
inline std::string snapshot(const Config& cfg) {
    std::ostringstream o;
    for (const Service& s : cfg.services()) {
        o << proto_name(s.key.proto) << endpoint_str(s.key.addr, s.key.port) << ' ' << s.sched << ' '
          << s.flags << ' ' << s.timeout << ' ' << s.netmask << ' ' << s.id << '\n';
        for (const Dest& d : s.dests)
            o << ' ' << endpoint_str(d.addr, d.port) << ' ' << int(d.fwd) << ' ' << d.weight << ' '
              << d.last_weight << ' ' << d.u_threshold << ' ' << d.l_threshold << ' ' << int(d.tun_type)
              << ' ' << d.tun_port << ' ' << int(d.tun_csum) << ' ' << d.fullnat << ' ' << d.id << '\n';
    }
    return o.str();
}

}  // namespace lvs::test
