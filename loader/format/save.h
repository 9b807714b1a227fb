// The -S output: one ipvsadm command per line, as ipvsadm 1.31 writes them, so
// that -R (here or in ipvsadm) rebuilds the table.
#pragma once

#include <string>

#include "model/config.h"

namespace lvs {

// Without numeric, names replace addresses and ports where known, as ipvsadm -S
// does; only numeric output is guaranteed to restore into lvs-xdp, which does
// not resolve names.
std::string format_save(const Config& cfg, bool numeric);

}  // namespace lvs
