// `lvs-xdp daemon`: the expiry sweep (store/sweep.h) once every interval, so
// the servers' connection counters, which lc, wlc and the other
// load-dependent schedulers read, follow connections ending without anyone
// listing. The data plane forwards without it; stopping it (SIGTERM, SIGINT)
// leaves the maps and the attached program as they are.
#pragma once

#include <string>

namespace lvs {

struct DaemonOptions {
    std::string pin_dir;
    unsigned interval_s = 1;
};

// Runs until SIGTERM or SIGINT; logs on stderr a line for each sweep that
// removed something. Throws UserError when the maps can't be opened or swept.
void run_daemon(const DaemonOptions& opts);

}  // namespace lvs
