// The order in which ipvsadm lists (-L) and saves (-S) services and servers.
#pragma once

#include <vector>

#include "model/config.h"

namespace lvs {

// Services in ipvsadm's sort order, or in configuration order when sort is false
// (--nosort).
std::vector<const Service*> ordered_services(const Config& cfg, bool sort);
// The service's servers in ipvsadm's sort order, or in the order they were added.
std::vector<const Dest*> ordered_dests(const Service& svc, bool sort);

}  // namespace lvs
