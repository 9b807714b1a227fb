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
    void commit(const Config& before, const Config& after) const;

private:
    const Maps& maps_;
};

}  // namespace lvs
