// FullNAT's local addresses (`lvs-xdp --laddr add|del|list`): the source
// addresses clients' packets get on their way to FullNAT real servers. They
// must be addresses of the director that the real servers route back to it.
#pragma once

#include <string>
#include <vector>

#include "maps/pinned_maps.h"
#include "net/addr.h"

namespace lvs {

std::vector<Addr> local_addresses(const Maps& maps);
// Each throws UserError and changes nothing when an address is invalid, already
// there (add) or missing (del), or the pool would exceed LVS_MAX_LADDRS.
void add_local_addresses(const Maps& maps, const std::vector<Addr>& addrs);
void delete_local_addresses(const Maps& maps, const std::vector<Addr>& addrs);

}  // namespace lvs
