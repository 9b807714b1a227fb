// Applying a parsed configuration command. The features lvs-xdp's data plane
// does not have yet are refused here (exit status 1), before the configuration
// is looked at, so the user learns that first; everything else is Config's
// (IPVS's) checking, with IPVS's messages and status 255.
#include "cli/command.h"
#include "error.h"

namespace lvs {
namespace {

const char* action_option(Action a) {
    switch (a) {
    case Action::Restore: return "-R";
    case Action::Save: return "-S";
    case Action::List: return "-L";
    case Action::Zero: return "-Z";
    case Action::Help: return "-h";
    case Action::Version: return "-v";
    default: return "this command";
    }
}

void refuse_unavailable(const Command& cmd) {
    if (cmd.service && cmd.service->key.addr.is_v6())
        throw UserError("IPv6 virtual services are not available in this version of lvs-xdp; "
                        "use an IPv4 address");
    if (cmd.dest && cmd.dest->addr.is_v6())
        throw UserError("IPv6 real servers are not available in this version of lvs-xdp; "
                        "use an IPv4 address");
    // -g, -i (any --tun-type) and -m (with or without --fullnat) are forwarded,
    // and a service may mix them, as in IPVS. Port 0 works as in IPVS too: a
    // persistent service on port 0 takes every port of its VIP, and a server
    // on port 0 gets each connection's own destination port.
}

}  // namespace

void apply_command(Config& cfg, const Command& cmd) {
    refuse_unavailable(cmd);
    switch (cmd.action) {
    case Action::AddService: cfg.add_service(*cmd.service); return;
    case Action::EditService: cfg.edit_service(*cmd.service); return;
    case Action::DeleteService: cfg.delete_service(cmd.service->key); return;
    case Action::Clear: cfg.clear(); return;
    case Action::AddDest: cfg.add_dest(cmd.service->key, *cmd.dest); return;
    case Action::EditDest: cfg.edit_dest(cmd.service->key, *cmd.dest); return;
    case Action::DeleteDest: cfg.delete_dest(cmd.service->key, cmd.dest->addr, cmd.dest->port); return;
    case Action::SetTimeouts:  // reaches here only as a line of -R
        throw UserError("--set changes the connection timeouts, not the table, and is not taken here; "
                        "run lvs-xdp --set tcp tcpfin udp as a command of its own");
    default:
        throw UserError(std::string(action_option(cmd.action)) +
                        " does not change the configuration; only -A, -E, -D, -C, -a, -e and -d can be "
                        "applied");
    }
}

}  // namespace lvs
