// Logging: lvs-xdp's own messages through spdlog on stderr; libbpf's and libxdp's
// chatter only when LVS_XDP_DEBUG is set, since a failure is reported by us in
// one line that says what to do.
#pragma once

namespace lvs {

void setup_logging();

}  // namespace lvs
