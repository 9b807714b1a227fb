// The -h and -v texts of the ipvsadm command line.
#pragma once

#include <string>

#include "cli/command.h"

namespace lvs {

// The text to print for Action::Help (version line and usage) or
// Action::Version (version line).
std::string ipvsadm_help_or_version(Action action);

}  // namespace lvs
