#include "log.h"

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace lvs {
namespace {

int to_debug_log(const char* fmt, va_list args) {
    char buf[1024];
    int n = std::vsnprintf(buf, sizeof(buf), fmt, args);
    std::string_view line(buf);
    while (!line.empty() && line.back() == '\n')
        line.remove_suffix(1);
    spdlog::debug("{}", line);
    return n;
}

int libbpf_log(enum libbpf_print_level, const char* fmt, va_list args) { return to_debug_log(fmt, args); }
int libxdp_log(enum libxdp_print_level, const char* fmt, va_list args) { return to_debug_log(fmt, args); }

}  // namespace

void setup_logging() {
    spdlog::set_pattern("lvs-xdp: %^%l%$: %v");
    const char* debug = std::getenv("LVS_XDP_DEBUG");
    spdlog::set_level(debug && *debug ? spdlog::level::debug : spdlog::level::info);
    libbpf_set_print(libbpf_log);
    libxdp_set_print(libxdp_log);
}

}  // namespace lvs
