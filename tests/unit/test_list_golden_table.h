// The table the golden listing tests share, and how they list it (test_list_golden.cpp,
// test_json_format.cpp): counters, rates and connection counts that cross
// print_largenum's thresholds, servers forwarding every way, one service
// persistent with a mask and -b flags.
#pragma once

#include <map>

#include "cli/command.h"
#include "config_of.h"
#include "format/list.h"

namespace lvs::test {

inline Config golden_table() {
    Config cfg = config_of({
        {"-A", "-t", "192.168.88.250:80", "-s", "wrr"},
        {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.50:80", "-g", "-w", "3", "-x", "100", "-y", "10"},
        {"-a", "-t", "192.168.88.250:80", "-r", "192.168.88.51:80", "-i", "--tun-type", "gue", "--tun-port", "6080",
         "--tun-csum"},
        {"-A", "-t", "192.168.88.250:443", "-s", "sh", "-b", "sh-port", "-p", "600", "-M", "255.255.255.0"},
        {"-a", "-t", "192.168.88.250:443", "-r", "10.0.1.11:443", "-m", "-w", "2"},
        {"-A", "-u", "192.168.88.250:53", "-s", "rr"},
        {"-a", "-u", "192.168.88.250:53", "-r", "10.0.1.12:5353", "-m"},
    });
    // Ids as the store would give them: services 1..3, servers 11..14.
    uint32_t svc_id = 1, dest_id = 11;
    for (Service& svc : cfg.services()) {
        svc.id = svc_id++;
        for (Dest& d : svc.dests)
            d.id = dest_id++;
    }
    return cfg;
}

inline const std::map<uint32_t, lvs_counters> kStats = {
    {1, {99999999, 100000000, 999999999, 1000000000, 99999999999ULL}},
    {2, {5, 6, 7, 8, 9}},
    {11, {100000000000ULL, 99999999999999ULL, 100000000000000ULL, 0, 7}},
    {12, {1, 2, 3, 4, 5}},
    {14, {10, 20, 30, 40, 50}},
};

inline const std::map<uint32_t, lvs_rates> kRates = {
    {1, {99999999, 100000000, 5, 1000000000, 100000000000000ULL}},
    {2, {1, 2, 3, 4, 5}},
    {11, {123456789, 42, 0, 99999999, 100000000}},
    {12, {7, 8, 9, 10, 11}},
    {14, {1, 1, 1, 100, 100}},
};

template <class T>
T lookup(const std::map<uint32_t, T>& m, uint32_t id) {
    auto it = m.find(id);
    return it == m.end() ? T{} : it->second;
}

inline ListData golden_data(const Config& cfg) {
    return ListData{
        .cfg = &cfg,
        .conn_table_size = 4096,
        .conn_counts = [](uint32_t id) { return DestConnCounts{.active = id, .inactive = 2 * id, .persist = id % 3}; },
        .service_stats = [](uint32_t id) { return lookup(kStats, id); },
        .dest_stats = [](uint32_t id) { return lookup(kStats, id); },
        .service_rates = [](uint32_t id) { return lookup(kRates, id); },
        .dest_rates = [](uint32_t id) { return lookup(kRates, id); },
        .timeouts = {.tcp = 900, .tcpfin = 120, .udp = 300}};
}

// What a listing formatter (format_list, format_list_json) prints for the -L
// command line args over data, whose `only` is -t/-u's service.
template <class Format>
std::string list_by_args(ListData data, const std::vector<std::string>& args, Format format) {
    const Command cmd = parse_ipvsadm(args);
    if (cmd.service)
        data.only = cmd.service->key;
    return format(data, cmd.list);
}

}  // namespace lvs::test
