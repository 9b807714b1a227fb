// The benchmark's cases. A case is a configuration (ipvsadm -R lines), the
// traffic sent to it, what the path must produce and the target.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks.h"
#include "frames.h"
#include "testkit/director.h"

namespace lvs::bench {

// Established flows of the pool cases (FlowPool, ReplyPool): 2^20, the
// issue's million, a power of two so that the pool's flow index is a mask.
inline constexpr uint32_t kTableFlows = 1u << 20;
// Slots of the full table new connections go into (NewIntoFull): 2^22, the
// 4M table of the Katran figure (attach's default is 2^21).
inline constexpr uint32_t kFullTableSlots = 1u << 22;

enum class Traffic {
    NoService,    // a packet for no virtual service: to the kernel untouched
    Established,  // one established flow, alone in the connection table
    FlowPool,     // established flows, a different one each packet, from a full table
    ReplyPool,    // a server's replies to established NAT flows, a different one each packet, from a
                  // table full of those flows' client and reply entries (2 x 2^20)
    NewIntoFull,  // a new connection each packet into a full table (LRU eviction)
};

struct Target {
    enum class Kind { TimesDrop, TimesMacSwap, Ns, TimesCase } kind;
    double value;
    std::string of_case;  // Kind::TimesCase: that case's name
};

// What a NAT case's handshake leaves: the frame to time and what it must become
// (FullNAT's local port is only known once the first packet has gone through).
struct Prepared {
    Bytes frame;
    Check check;
};

struct Case {
    std::string name;
    std::string rules;
    Traffic traffic;
    Flow flow;  // FlowPool and NewIntoFull: the first flow, others vary from it
    Check check;
    std::optional<Target> target;
    // NAT and FullNAT: set-up beyond the rules, before them (FullNAT's local
    // addresses), and the flow's handshake in both directions in place of the
    // DR/TUN one; the frame to time and its check then come from it.
    std::function<void(const testkit::Director&)> before_rules;
    std::function<Prepared(const testkit::Director&)> handshake;
};

std::vector<Case> all_cases();

}  // namespace lvs::bench
