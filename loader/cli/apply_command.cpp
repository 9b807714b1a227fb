// Applying a parsed configuration command. The features lvs-xdp's data plane
// does not have yet are refused here, before the configuration is looked at, so
// the user learns that first; everything else is Config's (IPVS's) checking.
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
    if (cmd.action == Action::AddService && cmd.service->key.port == 0)
        throw UserError("Services on all ports (port 0) are not available in this version of "
                        "lvs-xdp; give the service a port, e.g. -t 192.168.88.250:80");
    // -g and -i (with any --tun-type) are forwarded; a service may mix them, as in IPVS.
    const bool sets_fwd = cmd.action == Action::AddDest || cmd.action == Action::EditDest;
    if (sets_fwd && cmd.dest->fwd == Fwd::Masq)
        throw UserError("Forwarding method -m (masquerading) is not available in this version "
                        "of lvs-xdp; use -g");
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
    default:
        throw UserError(std::string(action_option(cmd.action)) +
                        " does not change the configuration; only -A, -E, -D, -C, -a, -e and -d can be "
                        "applied");
    }
}

}  // namespace lvs
