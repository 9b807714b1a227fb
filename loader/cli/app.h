// The lvs-xdp command line: its own subcommands (attach, detach, status,
// realserver) and, for everything else, ipvsadm's.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace lvs {

// Runs one invocation; returns the exit status. Errors are printed to stderr.
// Invoked as ipvsadm (invoked_as_ipvsadm), it takes only ipvsadm's command
// line: no lvs-xdp subcommands, no --pin-dir (LVS_XDP_PIN_DIR still applies),
// and "Try `... -h'" names argv[0] as ipvsadm's tryhelp_exit does.
int run_cli(int argc, char** argv);

// True when argv[0]'s basename is "ipvsadm": the binary is the ipvsadm drop-in
// (the symlink cmake --install creates).
bool invoked_as_ipvsadm(const char* argv0);

// An lvs-xdp subcommand line parsed (args: the words after argv[0] and
// --pin-dir, a subcommand first), with every value checked that can be without
// looking at the system: numbers, choices, addresses, sysctl settings.
// Nothing is looked at or changed. Accepted: run is the work (run_cli checks
// for root first), status 0. --help: printed on out, no run, status 0.
// Refused: one line on err (control characters written \xNN), no run, the
// non-zero status run_cli exits with (CLI11's, or the UserError's).
struct ParsedSubcommand {
    int status = 0;
    std::function<void()> run;
};
ParsedSubcommand parse_subcommand(const std::vector<std::string>& args, const std::string& pin_dir,
                                  std::ostream& out, std::ostream& err);

}  // namespace lvs
