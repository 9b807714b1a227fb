// --json: what the -L listings show, as one JSON document for scripts. Every
// listing variant (plain, --stats, --rate, --thresholds, --persistent-conn,
// --tun-info, -t one service) gives the same full record of each service and
// server, so a script needs one schema; -c and --timeout give their own data.
// Addresses and ports are always numbers: names are for people.
#pragma once

#include <string>
#include <vector>

#include "format/conns.h"
#include "format/list.h"

namespace lvs {

// {"ipvs_version", "conn_table_size", "services": [...]}, or {"timeout": {...}}
// with --timeout. Throws UserError("No such service") as format_list does.
std::string format_list_json(const ListData& d, const ListOptions& o);

// {"connections": [...]}: -c's rows, templates marked as such.
std::string format_conns_json(const std::vector<ConnRow>& rows);

}  // namespace lvs
