// Building a Config from ipvsadm command lines, as the format tests need it.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace lvs::test {

inline Config config_of(const std::vector<std::vector<std::string>>& commands) {
    Config cfg;
    for (const auto& c : commands)
        apply_command(cfg, parse_ipvsadm(c));
    return cfg;
}

}  // namespace lvs::test
