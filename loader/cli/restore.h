// -R: rebuilding the configuration from ipvsadm command lines (as -S writes them).
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"

namespace lvs {

// The words of one -R line, split on blanks as ipvsadm splits them (no quoting).
// Empty for a blank line or a '#' comment. A word "ipvsadm" or "lvs-xdp" is
// dropped, so lines may start with the program name.
std::vector<std::string> split_command_line(std::string_view line);

// Parses and applies every line of in to cfg. On the first bad line it throws
// UserError("line N: <reason>") and cfg is left exactly as it was.
void restore_into(Config& cfg, std::istream& in);

}  // namespace lvs
