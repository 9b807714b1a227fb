// lvs-bench --control-plane: how long the loader takes to restore a large
// configuration and to change one server of a large service, and the maps'
// memory at the defaults (issue 7, "Control plane").
#pragma once

#include <cstdint>
#include <iostream>

namespace lvs::bench {

// Prints Markdown tables to out; runs: restores of 10,000 x 10 to time.
void control_plane(std::ostream& out, uint32_t runs);

}  // namespace lvs::bench
