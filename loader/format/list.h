// The -L listing, laid out byte for byte as ipvsadm 1.31 prints it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "lvs_xdp/abi.h"
#include "maps/dest_conns.h"
#include "model/config.h"

namespace lvs {

struct ListData {
    const Config* cfg = nullptr;
    uint32_t conn_table_size = 0;  // the "(size=N)" of the version line
    // ActiveConn, InActConn and PersistConn of a destination id (IPVS's
    // activeconns, inactconns, persistconns); when empty, all 0.
    std::function<DestConnCounts(uint32_t dest_id)> conn_counts;
    // What --stats shows: the counter totals of a service id and of a
    // destination id; when empty, all 0.
    std::function<lvs_counters(uint32_t svc_id)> service_stats;
    std::function<lvs_counters(uint32_t dest_id)> dest_stats;
    // What --rate shows: the per-second rates of a service id and of a
    // destination id (lvs_svc_rates, lvs_dest_rates); when empty, all 0.
    std::function<lvs_rates(uint32_t svc_id)> service_rates;
    std::function<lvs_rates(uint32_t dest_id)> dest_rates;
    // -L -t VIP:port lists just this service (and no version line).
    std::optional<ServiceKey> only;
    // What -L --timeout shows: lvs_config's TCP ESTABLISHED, TCP FIN_WAIT and UDP
    // timeouts.
    Timeouts timeouts;
};

// The three timeouts ipvsadm shows, out of lvs_config's per-state ones: TCP
// ESTABLISHED, TCP FIN_WAIT and UDP (IPVS's ip_vs_timeout_user).
Timeouts ipvsadm_timeouts(const lvs_config& c);

// ipvsadm's print_largenum: a number in at least 9 columns, abbreviated with
// K/M/G/T from 100,000,000 up unless exact (--exact).
std::string largenum(uint64_t n, bool exact);

// The services format_list shows: `only` alone, or all of them in ipvsadm's
// order (unsorted with --nosort). Throws UserError("No such service") when
// `only` names no service.
std::vector<const Service*> listed_services(const ListData& d, const ListOptions& o);

// Throws UserError("No such service") when `only` names no service.
// -c is format_conns' (format/conns.h); --json is format_list_json's
// (format/list_json.h).
std::string format_list(const ListData& d, const ListOptions& o);

}  // namespace lvs
