// The Prometheus text format (version 0.0.4) of the daemon's /metrics: what
// the maps hold at one moment, gathered by collect_metrics, and rendered by a
// pure function so the exact text is unit-tested.
#pragma once

#include <string>
#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/dest_conns.h"
#include "maps/pinned_maps.h"

namespace lvs {

struct ServerMetrics {
    std::string server;  // "10.0.0.11:80", as ipvsadm -Ln names it
    uint32_t weight = 0;
    lvs_counters counters{};
    lvs_rates rates{};
    DestConnCounts conns;
};

struct ServiceMetrics {
    std::string service;  // "TCP 10.0.0.1:80"
    lvs_counters counters{};
    lvs_rates rates{};
    std::vector<ServerMetrics> servers;
};

struct MetricsSnapshot {
    std::vector<ServiceMetrics> services;  // in ipvsadm's order
    lvs_xdp_stats xdp{};
};

// Every service and server of the maps with its counters (summed over CPUs),
// the rates the estimator last wrote and the servers' connection counters.
MetricsSnapshot collect_metrics(const Maps& maps);

// The Prometheus exposition text: every family with its HELP and TYPE lines,
// services labelled service="TCP 10.0.0.1:80", servers additionally
// server="10.0.0.11:80" (a server may belong to several services).
std::string render_metrics(const MetricsSnapshot& snap);

}  // namespace lvs
