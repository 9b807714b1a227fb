// Reads the configuration out of the BPF maps and writes a changed one back.
// The maps are the only copy of the configuration: no file, no daemon.
#pragma once

#include "maps/pinned_maps.h"
#include "model/config.h"

namespace lvs {

class Store {
public:
    explicit Store(const Maps& maps) : maps_(maps) {}

    // Services ordered by id (creation order), servers in their list order.
    Config load() const;

    // Makes the maps hold `after`, where `before` is what load() returned.
    // Services and servers that stay keep their ids (and so their counters and
    // connections); new ones get free ids. Order of writes: servers, tables, then
    // services, then removals, so a packet never meets a half-written service.
    // The writes are bracketed by LVS_CFG_F_COMMIT_OPEN, so a commit killed
    // half-way is seen by the next command (interrupted()).
    void commit(const Config& before, const Config& after) const { commit(before, after, false); }

    // Rewrites the VIP filter from the configuration the maps hold: a program
    // of this build reads bits (NAT servers', abi.h) an older build's loader
    // never set.
    void rewrite_vip_filter() const;

    // Whether a commit was killed before it finished (hold the pin-dir lock,
    // or a running commit looks interrupted).
    bool interrupted() const;
    // Makes the maps consistent after an interrupted commit: a server belongs
    // to the service its entry names (what load() shows) or, naming none, is
    // cleared; every service's table is rewritten where the map's differs
    // from its servers'; the VIP filter and the flags hold the services there
    // are. Each service thus has the old or the new configuration of the
    // interrupted command, never half. Hold the pin-dir lock.
    void repair() const;

private:
    // verify_tables: compare each kept service's table with the map's slice,
    // not with the table its old configuration gives (repair).
    void commit(const Config& before, const Config& after, bool verify_tables) const;
    void set_commit_open(bool open) const;

    const Maps& maps_;
};

}  // namespace lvs
