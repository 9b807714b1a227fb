// One ipvsadm-style command, as parsed from a command line or a line of -R input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"

namespace lvs {

enum class Action {
    AddService,     // -A
    EditService,    // -E
    DeleteService,  // -D
    Clear,          // -C
    Restore,        // -R
    Save,           // -S
    AddDest,        // -a
    EditDest,       // -e
    DeleteDest,     // -d
    List,           // -L / -l
    Zero,           // -Z
    Help,           // -h
    Version,        // -v
};

// The listing switches of -L (and -S's -n).
struct ListOptions {
    bool numeric = false;          // -n
    bool connection = false;       // -c
    bool stats = false;            // --stats
    bool rate = false;             // --rate
    bool thresholds = false;       // --thresholds
    bool persistent_conn = false;  // --persistent-conn
    bool exact = false;            // -X / --exact
    bool nosort = false;           // --nosort
    bool tun_info = false;         // --tun-info
    bool timeout = false;          // --timeout
};

struct Command {
    Action action = Action::List;
    // -t/-u with -s/-p/-M for service commands; key only for the others.
    std::optional<Service> service;
    // -r with -g/-i/-m, -w, -x, -y and the --tun-* options for destination
    // commands; a server that is not -i keeps Dest's tunnel defaults.
    std::optional<Dest> dest;
    ListOptions list;
};

// Parses the arguments of one ipvsadm command line (without the program name).
// Follows ipvsadm 1.31: option letters and long names, defaults (scheduler wlc,
// weight 1, DR), the option/command compatibility table and the port rules.
// Throws UserError with ipvsadm's message on bad input.
Command parse_ipvsadm(const std::vector<std::string>& args);

// ipvsadm's words for a tunnel server, taken from the parser's own tables so
// that what -L and -S print is what the parser reads back: --tun-type's value
// ("ipip", "gue", "gre") and the checksum option ("--tun-nocsum", "--tun-csum",
// "--tun-remcsum").
std::string_view tun_type_name(TunType type);
std::string tun_csum_option(TunCsum csum);

// Applies a configuration command (-A -E -D -C -a -e -d) to cfg; throws UserError
// (e.g. "Service already exists") and leaves cfg unchanged when it can't.
void apply_command(Config& cfg, const Command& cmd);

}  // namespace lvs
