#include "daemon/daemon.h"

#include <signal.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "error.h"
#include "maps/pinned_maps.h"
#include "store/reconcile.h"
#include "store/sweep.h"

namespace lvs {
namespace {

// SIGTERM and SIGINT, blocked so that they arrive only through sigtimedwait:
// the wait between sweeps is also where the daemon notices it should stop,
// and a sweep is never cut off halfway.
class StopSignals {
public:
    StopSignals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGTERM);
        sigaddset(&set_, SIGINT);
        sigprocmask(SIG_BLOCK, &set_, &previous_);
    }
    ~StopSignals() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Waits up to seconds; returns the stop signal if one came.
    int wait(unsigned seconds) const {
        timespec left{.tv_sec = static_cast<time_t>(seconds), .tv_nsec = 0};
        const int sig = sigtimedwait(&set_, nullptr, &left);
        if (sig < 0 && errno != EAGAIN && errno != EINTR)
            throw UserError(std::string("waiting between sweeps failed: ") + std::strerror(errno));
        return sig < 0 ? 0 : sig;
    }

private:
    sigset_t set_{}, previous_{};
};

// A daemon's log goes to stderr (journald, a log file), with the time.
void log_to_stderr() {
    auto logger = spdlog::stderr_color_mt("lvs-xdp-daemon");
    logger->set_pattern("%Y-%m-%d %H:%M:%S lvs-xdp daemon: %^%l%$: %v");
    logger->set_level(spdlog::get_level());
    spdlog::set_default_logger(logger);
}

}  // namespace

void run_daemon(const DaemonOptions& opts) {
    log_to_stderr();
    const Maps maps = Maps::open(opts.pin_dir);
    const StopSignals stop;
    spdlog::info("sweeping expired connections in {} every {} s", opts.pin_dir, opts.interval_s);
    for (;;) {
        const SweepResult r = sweep_expired(maps);
        const uint64_t recounted = reconcile_counts(maps);
        if (r.total() + recounted > 0)
            spdlog::info("expired: {} connections, {} NAT reply entries, {} persistence templates, "
                         "{} lblc and {} lblcr entries; {} counters corrected to the tables",
                         r.conns, r.replies, r.templates, r.lblc, r.lblcr, recounted);
        if (const int sig = stop.wait(opts.interval_s)) {
            spdlog::info("{}: stopping; the data plane keeps forwarding", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
    }
}

}  // namespace lvs
