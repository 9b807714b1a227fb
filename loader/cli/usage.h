// The -h and -v texts of the ipvsadm command line.
#pragma once

#include <string>

#include "cli/command.h"

namespace lvs {

// The text to print for Action::Help (version line and usage) or
// Action::Version (version line): lvs-xdp's, or with argv0 given (invoked as
// ipvsadm) ipvsadm 1.31's own version line and usage naming argv0.
std::string ipvsadm_help_or_version(Action action, const std::string& argv0 = "");

}  // namespace lvs
