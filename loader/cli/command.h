// One ipvsadm-style command, as parsed from a command line or a line of -R input.
#pragma once

#include <cstdint>
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
    SetTimeouts,    // --set tcp tcpfin udp
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
    bool json = false;             // --json (lvs-xdp's own): the listing as JSON
};

// ipvsadm's three connection timeouts in seconds (--set tcp tcpfin udp, and what
// -L --timeout shows): TCP ESTABLISHED, TCP FIN_WAIT and UDP. In --set, 0 leaves
// that timeout as it is.
struct Timeouts {
    uint32_t tcp = 0;
    uint32_t tcpfin = 0;
    uint32_t udp = 0;
    bool operator==(const Timeouts&) const = default;
};

struct Command {
    Action action = Action::List;
    // -t/-u with -s/-p/-M for service commands; key only for the others.
    std::optional<Service> service;
    // -r with -g/-i/-m, -w, -x, -y, the --tun-* options and --fullnat for
    // destination commands; a server that is not -i keeps Dest's tunnel defaults.
    std::optional<Dest> dest;
    ListOptions list;
    Timeouts timeouts;  // --set's values
};

// Parses the arguments of one ipvsadm command line (without the program name).
// Follows ipvsadm 1.31: option letters and long names, defaults (scheduler wlc,
// weight 1, DR), the option/command compatibility table and the port rules;
// adds --fullnat (with -a/-e and -m). Throws UserError with ipvsadm's message
// and exit status on bad input (2, or 255 for popt's errors and "Try ... -h"),
// and with status 1 for ipvsadm features lvs-xdp lacks.
Command parse_ipvsadm(const std::vector<std::string>& args);

// ipvsadm's words for a tunnel server, taken from the parser's own tables so
// that what -L and -S print is what the parser reads back: --tun-type's value
// ("ipip", "gue", "gre") and the checksum option ("--tun-nocsum", "--tun-csum",
// "--tun-remcsum").
std::string_view tun_type_name(TunType type);
std::string tun_csum_option(TunCsum csum);

// What -Z zeroes (IPVS's ip_vs_zero_all, or ip_vs_zero_service for `only`):
// the counters and rates of each service and of each of its servers. Throws
// UserError("No such service", 255) when `only` names no service, as IPVS
// refuses it with ESRCH.
struct ZeroTargets {
    std::vector<uint32_t> svc_ids;
    std::vector<uint32_t> dest_ids;
};
ZeroTargets zero_targets(const Config& cfg, const std::optional<ServiceKey>& only);

// Applies a configuration command (-A -E -D -C -a -e -d) to cfg; throws UserError
// (e.g. "Service already exists", status 255 as IPVS's refusals) and leaves cfg
// unchanged when it can't.
void apply_command(Config& cfg, const Command& cmd);

}  // namespace lvs
