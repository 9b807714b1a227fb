#include "daemon/daemon.h"

#include <signal.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

#include "daemon/estimator.h"
#include "daemon/mac_refresh.h"
#include "daemon/metrics.h"
#include "daemon/metrics_server.h"
#include "daemon/rate_sampler.h"
#include "error.h"
#include "maps/pin_dir.h"
#include "maps/pinned_maps.h"
#include "store/reconcile.h"
#include "store/sweep.h"

namespace lvs {
namespace {

using Clock = std::chrono::steady_clock;

// SIGTERM and SIGINT, blocked so that they arrive only through sigtimedwait:
// the wait between passes is also where the daemon notices it should stop,
// and a sweep is never cut off halfway. Blocked before the metrics thread
// starts, so that thread inherits the mask and never takes them either.
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

    // Waits until `until`; returns the stop signal if one came.
    int wait(Clock::time_point until) const {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(until - Clock::now()).count();
        if (ns <= 0)
            return 0;
        timespec left{.tv_sec = static_cast<time_t>(ns / 1000000000), .tv_nsec = static_cast<long>(ns % 1000000000)};
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

// Under the pin-directory lock, as -L's pass: reconcile_counts adds
// corrections to the counters, and two passes at once would add the same one
// twice. Only this (main) thread takes it, as MacRefresher::pass does; the
// metrics thread only reads, so a holder stalls the sweeps, never /metrics.
void sweep(const Maps& maps, const std::string& pin_dir) {
    SweepResult r;
    uint64_t recounted = 0;
    {
        const PinDirLock lock(pin_dir);
        r = sweep_expired(maps);
        recounted = reconcile_counts(maps);
    }
    if (r.total() + recounted > 0)
        spdlog::info("expired: {} connections, {} persistence templates, "
                     "{} lblc and {} lblcr entries; {} connection slots a killed lvs-xdp left busy freed; "
                     "{} counters corrected to the tables",
                     r.conns, r.templates, r.lblc, r.lblcr, r.abandoned, recounted);
}

// The next time of a fixed schedule (next += period), so the 2-second samples
// the estimator's formulas assume do not drift by the time each pass takes;
// after a stall (a suspended process) it starts afresh instead of running the
// missed passes back to back, which would sample near-zero changes.
void schedule_next(Clock::time_point& next, Clock::duration period) {
    next += period;
    if (next < Clock::now())
        next = Clock::now() + period;
}

}  // namespace

void run_daemon(const DaemonOptions& opts) {
    log_to_stderr();
    const Maps maps = Maps::open(opts.pin_dir);
    const StopSignals stop;
    std::unique_ptr<MetricsServer> metrics;
    if (!opts.metrics.empty()) {
        metrics = std::make_unique<MetricsServer>(opts.metrics, [&maps] { return render_metrics(collect_metrics(maps)); });
        spdlog::info("serving metrics on http://{}/metrics", opts.metrics);
    }
    spdlog::info("sweeping expired connections in {} every {} s; rates every {} s", opts.pin_dir, opts.interval_s,
                 kEstimatorPeriod.count());
    MacRefresher macs(opts.pin_dir);
    RateSampler rates;
    const auto interval = std::chrono::seconds(opts.interval_s);
    auto next_sweep = Clock::now(), next_sample = Clock::now();
    for (;;) {
        if (Clock::now() >= next_sweep) {
            sweep(maps, opts.pin_dir);
            macs.pass(maps);
            schedule_next(next_sweep, interval);
        }
        if (Clock::now() >= next_sample) {
            rates.sample(maps);
            schedule_next(next_sample, kEstimatorPeriod);
        }
        if (const int sig = stop.wait(std::min(next_sweep, next_sample))) {
            spdlog::info("{}: stopping; the data plane keeps forwarding", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
    }
}

}  // namespace lvs
