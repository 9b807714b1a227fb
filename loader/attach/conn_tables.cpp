#include "attach/conn_tables.h"

#include <random>

#include "error.h"
#include "lvs_xdp.skel.h"
#include "store/settings.h"

namespace lvs {
namespace {

uint32_t fixed_size(const MapFd& pinned, std::optional<uint32_t> wanted, const char* option,
                    const std::string& pin_dir) {
    const uint32_t existing = pinned.max_entries();
    if (wanted && *wanted != existing)
        throw UserError(std::string(option) + ": the table in " + pin_dir + " already has " +
                        std::to_string(existing) + " entries; detach every interface and remove " + pin_dir +
                        " to change its size");
    return existing;
}

}  // namespace

std::string conn_table_size_error(uint64_t slots) {
    if (slots < LVS_MIN_CONN_TABLE_SIZE || slots > LVS_MAX_CONN_TABLE_SIZE || (slots & (slots - 1)) != 0)
        return "the IPv4 connection table's size must be a power of two from " +
               std::to_string(LVS_MIN_CONN_TABLE_SIZE) + " to " + std::to_string(LVS_MAX_CONN_TABLE_SIZE) +
               " (slots; about half of them hold connections without evicting any)";
    return "";
}

ConnTables new_conn_tables(std::optional<uint32_t> slots4, std::optional<uint32_t> entries6) {
    ConnTables t;
    t.slots4 = slots4.value_or(LVS_DEFAULT_CONN_TABLE_SIZE);
    if (const std::string err = conn_table_size_error(t.slots4); !err.empty())
        throw UserError("--conn-table-size: " + err);
    t.entries6 = entries6.value_or(LVS_DEFAULT_CONN6_TABLE_SIZE);
    std::random_device rd;
    t.seed = (uint64_t{rd()} << 32 | rd()) | 1;  // never 0, which would mean "no key yet"
    return t;
}

ConnTables conn_tables_for(const ConnTablePins& pins, std::optional<uint32_t> slots4,
                           std::optional<uint32_t> entries6, const std::string& pin_dir) {
    ConnTables t = new_conn_tables(pins.slots4 ? std::nullopt : slots4, pins.conns6 ? std::nullopt : entries6);
    if (pins.slots4)
        t.slots4 = fixed_size(*pins.slots4, slots4, "--conn-table-size", pin_dir);
    if (pins.conns6)
        t.entries6 = fixed_size(*pins.conns6, entries6, "--conn6-table-size", pin_dir);
    if (pins.slots4 && pins.config)
        if (const uint64_t seed = ArrayMap<lvs_config>(*pins.config).get(0).conn_seed)
            t.seed = seed;
    return t;
}

void set_conn_tables(lvs_xdp* skel, const ConnTables& t) {
    if (bpf_map__set_max_entries(skel->maps.lvs_conn_slots4, t.slots4) != 0 ||
        bpf_map__set_max_entries(skel->maps.lvs_conns6, t.entries6) != 0)
        throw UserError("cannot size the connection tables of the BPF object");
    skel->rodata->lvs_conn_seed = t.seed;
    skel->rodata->lvs_conn_group_mask = t.slots4 / LVS_CONN_WAYS - 1;
}

void record_conn_seed(const Maps& maps, uint64_t seed) {
    lvs_config c = read_settings(maps);
    if (c.conn_seed == seed)
        return;
    c.conn_seed = seed;
    write_settings(maps, c);
}

}  // namespace lvs
