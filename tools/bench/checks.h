// What each path must produce: the action and the output bytes, computed
// independently of the program. A check returns "" when the outcome is right,
// else what is wrong.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "frames.h"
#include "testkit/test_run.h"

namespace lvs::bench {

using testkit::RunResult;

using Check = std::function<std::string(const Bytes& in, const RunResult& out)>;

// XDP_PASS, the frame untouched.
Check passes();
// XDP_TX to one of the servers: only the MACs rewritten.
Check dr_to(const std::vector<std::string>& rips);
// XDP_TX inside an outer IPv4 header from kTunSrc to rip.
Check ipip_to(const std::string& rip);
// XDP_TX inside IPv4 + UDP (to port, no checksum) + GUE.
Check gue_to(const std::string& rip, uint16_t port);
// XDP_TX of exactly this frame (NAT: the rewritten frame, built from scratch).
Check tx_exactly(const Bytes& expected);

}  // namespace lvs::bench
