// The lvs-xdp command line: its own subcommands (attach, detach, status,
// realserver) and, for everything else, ipvsadm's.
#pragma once

namespace lvs {

// Runs one invocation; returns the exit status. Errors are printed to stderr.
// Invoked as ipvsadm (invoked_as_ipvsadm), it takes only ipvsadm's command
// line: no lvs-xdp subcommands, no --pin-dir (LVS_XDP_PIN_DIR still applies),
// and "Try `... -h'" names argv[0] as ipvsadm's tryhelp_exit does.
int run_cli(int argc, char** argv);

// True when argv[0]'s basename is "ipvsadm": the binary is the ipvsadm drop-in
// (the symlink cmake --install creates).
bool invoked_as_ipvsadm(const char* argv0);

}  // namespace lvs
