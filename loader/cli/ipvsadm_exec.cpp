#include "cli/ipvsadm_exec.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/restore.h"
#include "cli/usage.h"
#include "format/conns.h"
#include "format/list.h"
#include "format/list_json.h"
#include "format/save.h"
#include "maps/counters.h"
#include "maps/dest_conns.h"
#include "maps/pin_dir.h"
#include "maps/pinned_maps.h"
#include "store/laddrs.h"
#include "store/settings.h"
#include "store/conn_table.h"
#include "store/store.h"
#include "store/reconcile.h"
#include "store/sweep.h"

namespace lvs {
namespace {

// FullNAT servers take their clients' new source from the --laddr pool; with
// an empty pool the data plane drops their new connections.
void warn_fullnat_without_local_addresses(const Maps& maps, const Config& cfg) {
    for (const Service& svc : cfg.services())
        for (const Dest& d : svc.dests)
            if (d.fullnat) {
                if (local_addresses(maps).empty())
                    spdlog::warn("FullNAT server {}: no local addresses yet, so its new connections are "
                                 "dropped; add some with lvs-xdp --laddr add ADDR",
                                 endpoint_str(d.addr, d.port));
                return;
            }
}

// A command killed while it wrote the maps leaves them half-changed; the next
// one repairs them before it reads them (Store::repair). Hold the lock.
void repair_if_interrupted(const Store& store) {
    if (!store.interrupted())
        return;
    spdlog::warn("an earlier update of the maps was interrupted; repairing");
    store.repair();
}

// The same for commands that read without the lock: the lock is taken only
// when a repair looks needed, and the check made again under it (the marker
// may have been a commit still running).
void repair_before_reading(const Maps& maps, const std::string& pin_dir) {
    Store store(maps);
    if (!store.interrupted())
        return;
    PinDirLock lock(pin_dir);
    repair_if_interrupted(store);
}

// Runs change on a copy of the configuration and commits the result; a change
// that throws leaves the maps as they were.
template <class F>
void change_config(const std::string& pin_dir, F&& change) {
    Maps maps = Maps::open(pin_dir);
    PinDirLock lock(pin_dir);
    Store store(maps);
    repair_if_interrupted(store);
    Config before = store.load();
    Config after = before;
    change(after);
    store.commit(before, after);
    warn_fullnat_without_local_addresses(maps, after);
}

// --set: IPVS's set_timeout, which leaves a timeout given as 0 unchanged.
void set_connection_timeouts(const std::string& pin_dir, const Timeouts& t) {
    Maps maps = Maps::open(pin_dir);
    PinDirLock lock(pin_dir);
    set_timeouts(maps, t.tcp, t.tcpfin, t.udp);
}

// -Z: IPVS's ip_vs_zero_stats resets the estimator too, so the rates restart
// from 0 along with the counters.
void zero_counters(const std::string& pin_dir, const std::optional<Service>& only) {
    Maps maps = Maps::open(pin_dir);
    PinDirLock lock(pin_dir);
    const ZeroTargets targets =
        zero_targets(Store(maps).load(), only ? std::optional<ServiceKey>(only->key) : std::nullopt);
    PerCpuArray<lvs_counters> svc_stats(maps.svc_stats), dest_stats(maps.dest_stats);
    ArrayMap<lvs_rates> svc_rates(maps.svc_rates), dest_rates(maps.dest_rates);
    for (uint32_t id : targets.svc_ids) {
        svc_stats.set_all(id, lvs_counters{});
        svc_rates.put(id, lvs_rates{});
    }
    for (uint32_t id : targets.dest_ids) {
        dest_stats.set_all(id, lvs_counters{});
        dest_rates.put(id, lvs_rates{});
    }
}

void list(const Command& cmd, const std::string& pin_dir) {
    Maps maps = Maps::open(pin_dir);
    {
        // What IPVS's timers would have removed by now is gone before anything
        // is counted or shown, so the listing is exact without a daemon. Under
        // the pin-directory lock: reconcile_counts adds corrections to the
        // counters, and two passes at once (another -L, the daemon) would add
        // the same correction twice. The lock is released before the listing
        // is read and printed; it waits for a holder as every other command does.
        PinDirLock lock(pin_dir);
        Store store(maps);
        repair_if_interrupted(store);
        sweep_expired(maps);
        reconcile_counts(maps);
    }
    Config cfg = Store(maps).load();
    if (cmd.list.connection) {
        const std::vector<ConnRow> rows = conn_rows(live_connections(maps), live_templates(maps), cfg);
        std::cout << (cmd.list.json ? format_conns_json(rows)
                                    : format_conns(rows, cmd.list.numeric, cmd.list.persistent_conn));
        return;
    }
    const DestConns counters(maps.dest_conns);
    const ArrayMap<lvs_rates> svc_rates(maps.svc_rates), dest_rates(maps.dest_rates);
    ListData data{.cfg = &cfg,
                  .conn_table_size = maps.conn_slots4.max_entries(),
                  .conn_counts = [&](uint32_t dest_id) { return counters.read(dest_id); },
                  .service_stats = [&](uint32_t svc_id) { return service_counters(maps, svc_id); },
                  .dest_stats = [&](uint32_t dest_id) { return dest_counters(maps, dest_id); },
                  .service_rates = [&](uint32_t svc_id) { return svc_rates.get(svc_id); },
                  .dest_rates = [&](uint32_t dest_id) { return dest_rates.get(dest_id); },
                  .only = cmd.service ? std::optional<ServiceKey>(cmd.service->key) : std::nullopt,
                  .timeouts = ipvsadm_timeouts(read_settings(maps))};
    std::cout << (cmd.list.json ? format_list_json(data, cmd.list) : format_list(data, cmd.list));
}

}  // namespace

ZeroTargets zero_targets(const Config& cfg, const std::optional<ServiceKey>& only) {
    if (only && !cfg.find(*only))
        throw UserError("No such service", kExitKernel);  // IPVS's zero_service: ESRCH
    ZeroTargets targets;
    for (const Service& svc : cfg.services()) {
        if (only && !(svc.key == *only))
            continue;
        targets.svc_ids.push_back(svc.id);
        for (const Dest& d : svc.dests)
            targets.dest_ids.push_back(d.id);
    }
    return targets;
}

void run_ipvsadm(const Command& cmd, const std::string& pin_dir) {
    switch (cmd.action) {
    case Action::Help:
    case Action::Version:
        std::cout << ipvsadm_help_or_version(cmd.action);
        return;
    case Action::List:
        list(cmd, pin_dir);
        return;
    case Action::Save: {
        Maps maps = Maps::open(pin_dir);
        repair_before_reading(maps, pin_dir);
        std::cout << format_save(Store(maps).load(), cmd.list.numeric);
        return;
    }
    case Action::Restore:
        change_config(pin_dir, [](Config& cfg) { restore_into(cfg, std::cin); });
        return;
    case Action::Zero:
        zero_counters(pin_dir, cmd.service);
        return;
    case Action::SetTimeouts:
        set_connection_timeouts(pin_dir, cmd.timeouts);
        return;
    default:
        change_config(pin_dir, [&](Config& cfg) { apply_command(cfg, cmd); });
        return;
    }
}

}  // namespace lvs
