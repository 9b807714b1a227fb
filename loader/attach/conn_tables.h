// What every load of the XDP program must be told about the connection
// tables before it loads: their sizes (the maps are created at the first
// load, and later loads must match the pinned ones) and the IPv4 table's hash
// key, a constant of the program (bpf/maps.bpf.h). All are fixed for the
// tables' lives, so they come from the pins once there are some.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lvs_xdp/abi.h"
#include "maps/pinned_maps.h"

struct lvs_xdp;

namespace lvs {

struct ConnTables {
    uint32_t slots4 = LVS_DEFAULT_CONN_TABLE_SIZE;     // lvs_conn_slots4
    uint32_t entries6 = LVS_DEFAULT_CONN6_TABLE_SIZE;  // lvs_conns6
    uint64_t seed = 0;                                 // lvs_conn_slots4's hash key
};

// Why slots is no size for lvs_conn_slots4 (a power of two from
// LVS_MIN_CONN_TABLE_SIZE to LVS_MAX_CONN_TABLE_SIZE), or "" when it is one.
std::string conn_table_size_error(uint64_t slots);

// New tables: the sizes asked for or the defaults, and a random hash key.
ConnTables new_conn_tables(std::optional<uint32_t> slots4, std::optional<uint32_t> entries6);

// The pins of the maps the tables depend on, those that exist.
struct ConnTablePins {
    std::optional<MapFd> slots4, conns6, config;
};

// A pinned table as it is (a size asked for that differs is an error,
// UserError: a table's size is fixed once it exists), one not pinned yet as
// asked or by default; the hash key the one pinned lvs_config holds, a new
// one while the IPv4 table or its key is not there yet.
ConnTables conn_tables_for(const ConnTablePins& pins, std::optional<uint32_t> slots4,
                           std::optional<uint32_t> entries6, const std::string& pin_dir);

// Gives an opened, not yet loaded, program the tables' sizes and hash key.
void set_conn_tables(lvs_xdp* skel, const ConnTables& t);

// After the first load: the hash key where the loader's other commands read it
// (lvs_config.conn_seed).
void record_conn_seed(const Maps& maps, uint64_t seed);

}  // namespace lvs
