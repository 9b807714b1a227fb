// Attaching the data plane to interfaces (through libxdp, so it can share an
// interface with other XDP programs), detaching it, and reporting where it runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/addr.h"

namespace lvs {

enum class AttachMode { Auto, Native, Generic };

struct AttachOptions {
    std::string pin_dir;
    AttachMode mode = AttachMode::Auto;  // Auto: native, else generic with a warning
    std::optional<uint32_t> conn_table_size;   // IPv4 slots (lvs_conn_slots4)
    std::optional<uint32_t> conn6_table_size;  // IPv6 flows (lvs_conns6)
    std::optional<Addr> tun_src;  // outer source of tunnelled packets (--tun-src)
    bool upgrade = false;         // replace an attached program atomically (--upgrade)
};

// Loads the XDP program (creating and pinning the maps on first use, reusing the
// pinned ones after that) and attaches it to each interface.
void attach(const std::vector<std::string>& ifaces, const AttachOptions& opts);
void detach(const std::vector<std::string>& ifaces, const std::string& pin_dir);
// Lines describing the attached interfaces, their mode and program ids.
std::string status(const std::string& pin_dir);

}  // namespace lvs
