// Errors a user can fix: printed as one line on stderr, and nothing is changed.
// The exit status is ipvsadm's for the same failure (docs/notes-ipvsadm.md §0):
// 2 for a command line ipvsadm rejects (its fail(2, ...)), 255 for what the IPVS
// kernel code refuses (ipvsadm prints ipvs_strerror and returns -1) and for
// popt's errors and "Try `... -h'", 1 for everything else.
#pragma once

#include <stdexcept>
#include <string>

namespace lvs {

inline constexpr int kExitFailure = 1;  // the default: listings, lvs-xdp's own limits
inline constexpr int kExitUsage = 2;    // a bad argument or option combination
inline constexpr int kExitKernel = 255; // IPVS would refuse it ("Service already exists", ...)

struct UserError : std::runtime_error {
    explicit UserError(const std::string& what, int exit_code = kExitFailure)
        : std::runtime_error(what), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

}  // namespace lvs
