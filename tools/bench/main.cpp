// lvs-bench: the per-packet cost of lvs-xdp's paths next to the XDP floors,
// measured with BPF_PROG_TEST_RUN on the real object (see docs/benchmarks.md).
// Run as root: lvs-bench [--repeat N] [--runs N] [--cpu N] [--only TEXT]
//              lvs-bench --control-plane [--runs N]
#include <spdlog/spdlog.h>
#include <sys/utsname.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "bench.h"
#include "control_plane.h"
#include "log.h"
#include "report.h"
#include "testkit/bpffs.h"
#include "testkit/cpu.h"

namespace {

std::string first_line_of(const char* path) {
    std::ifstream f(path);
    std::string line;
    std::getline(f, line);
    return line;
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lvs::bench;
    using lvs::testkit::online_cpus;
    using lvs::testkit::pin_to_cpu;
    Options o;
    int cpu = online_cpus().back();
    std::string only;
    CLI::App app{"lvs-bench: per-packet cost of lvs-xdp's paths (BPF_PROG_TEST_RUN)"};
    app.add_option("--repeat", o.repeat, "packets per timed run")->check(CLI::PositiveNumber);
    app.add_option("--runs", o.runs, "timed runs per case (the median is reported)")->check(CLI::PositiveNumber);
    app.add_option("--cpu", cpu, "the CPU to run on (default: the last online one)");
    app.add_option("--only", only, "only the cases whose name contains this text (floors are always measured)");
    app.add_flag("--profile", o.profile,
                 "time only the cases, without floors and references, for perf record -C CPU; "
                 "prints ns/packet with the reset included instead of the table");
    app.add_option("--pool-table", o.pool_table,
                   "connection-table slots (a power of two) for the cases of 2^20 established flows, twice "
                   "that for the reply cases (two entries per flow); default 4194304, four per flow, "
                   "Katran's table size; fewer would leave flows out")
        ->check(CLI::Range(4 * kTableFlows, 1u << 25))
        ->check([](const std::string& v) {
            const unsigned long n = std::stoul(v);
            return (n & (n - 1)) == 0 ? std::string() : std::string("must be a power of two");
        });
    bool control = false;
    app.add_flag("--control-plane", control,
                 "instead of the per-packet table: time -R of 10,000 services x 10 servers and adding/removing "
                 "one server of 1,000, and give the maps' sizes at the defaults");
    CLI11_PARSE(app, argc, argv);

    lvs::setup_logging();
    if (!std::getenv("LVS_XDP_DEBUG"))
        spdlog::set_level(spdlog::level::err);  // the loader's "no route to server" warnings: expected here
    try {
        if (first_line_of("/proc/sys/net/core/bpf_jit_enable") != "1")
            throw std::runtime_error("the BPF JIT is off (net.core.bpf_jit_enable); figures would mean nothing");
        lvs::testkit::enter_private_mount_namespace();  // a killed run (e.g. under perf) leaves no bpffs mounted
        pin_to_cpu(cpu);
        utsname u{};
        uname(&u);
        std::cout << "lvs-bench: kernel " << u.release << ", " << cpu_model() << ", " << online_cpus().size()
                  << " CPUs online, running on CPU " << cpu << ", JIT on; " << o.repeat
                  << " packets per run, median of " << o.runs << " runs\n\n";

        if (control) {
            control_plane(std::cout, o.runs);
            return 0;
        }
        Harness h(pool_table_slots(o));
        Floors floors;
        if (!o.profile) {
            std::cerr << "measuring: the floors and the reset\n";
            measure_floors(h, o, floors);
        }
        std::vector<Case> cases = all_cases();
        std::vector<Result> results;
        for (const Case& c : cases) {
            if (c.name.find(only) == std::string::npos)
                continue;
            std::cerr << "measuring: " << c.name << "\n";
            results.push_back(measure_case(c, h, o, floors));
        }
        if (o.profile)
            for (const Result& r : results)
                std::cout << r.c->name << ": "
                          << (r.error.empty() ? std::to_string(r.ns.median()) + " ns/packet with the reset" : r.error)
                          << "\n";
        else
            print_table(std::cout, floors, results);
        for (const Result& r : results)
            if (!r.error.empty())
                return 1;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "lvs-bench: " << e.what() << "\n";
        return 2;
    }
}
