// `lvs-xdp daemon`: the periodic work the data plane needs done but never
// waits for:
// - the expiry sweep (store/sweep.h) once every interval, so the servers'
//   connection counters, which lc, wlc and the other load-dependent
//   schedulers read, follow connections ending without anyone listing;
// - asking again for the MACs of real servers that had none (mac_refresh.h),
//   once every interval;
// - IPVS's rate estimator (estimator.h) every 2 seconds, whatever the interval;
// - with --metrics, the Prometheus endpoint (metrics_server.h).
// The data plane forwards without it; stopping it (SIGTERM, SIGINT, even
// SIGKILL) leaves the maps and the attached program as they are.
#pragma once

#include <string>

namespace lvs {

struct DaemonOptions {
    std::string pin_dir;
    unsigned interval_s = 1;
    std::string metrics;  // ADDRESS:PORT to serve /metrics on; empty: none
};

// Runs until SIGTERM or SIGINT; logs on stderr a line for each sweep that
// removed something. Throws UserError when the maps can't be opened or swept,
// or the metrics address can't be listened on.
void run_daemon(const DaemonOptions& opts);

}  // namespace lvs
