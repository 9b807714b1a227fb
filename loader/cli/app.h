// The lvs-xdp command line: its own subcommands (attach, detach, status,
// realserver) and, for everything else, ipvsadm's.
#pragma once

namespace lvs {

// Runs one invocation; returns the exit status. Errors are printed to stderr.
int run_cli(int argc, char** argv);

}  // namespace lvs
