// Carrying out a parsed ipvsadm command against the pinned maps.
#pragma once

#include <string>

#include "cli/command.h"

namespace lvs {

// Prints listings to stdout; throws UserError on failure.
void run_ipvsadm(const Command& cmd, const std::string& pin_dir);

}  // namespace lvs
