// Errors a user can fix: printed as one line on stderr, exit status 1 (ipvsadm's
// convention), and nothing is changed.
#pragma once

#include <stdexcept>
#include <string>

namespace lvs {

struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace lvs
