// The XDP program's embedded object (its skeleton), owned: destroyed with
// the pointer.
#pragma once

#include <memory>

#include "lvs_xdp.skel.h"

namespace lvs {

struct SkelDeleter {
    void operator()(lvs_xdp* s) const { lvs_xdp__destroy(s); }
};
using Skeleton = std::unique_ptr<lvs_xdp, SkelDeleter>;

}  // namespace lvs
