// IPVS's net.ipv4.vs sysctls that lvs-xdp has, kept in lvs_config so they
// outlive every process and every re-attach (the map is pinned). `lvs-xdp
// sysctl` reads and writes them under their IPVS names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lvs_xdp/abi.h"

namespace lvs {

struct SysctlSetting {
    std::string name;  // short name, e.g. "expire_nodest_conn"
    uint32_t value;
};

// Every name, in the order they are listed.
const std::vector<std::string>& sysctl_names();

// NAME or net.ipv4.vs.NAME to NAME; a UserError for a name lvs-xdp lacks.
std::string sysctl_name(const std::string& text);

// "NAME=VALUE", checked as IPVS would take it (conn_reuse_mode: 0 to 3;
// expire_nodest_conn: 0 or 1; lblc(r)_expiration: seconds, at least 1); a
// UserError otherwise.
SysctlSetting parse_sysctl_assignment(const std::string& text);

uint32_t sysctl_value(const lvs_config& c, const std::string& name);
void set_sysctl(lvs_config& c, const SysctlSetting& s);

// "net.ipv4.vs.NAME = VALUE", as sysctl(8) prints it.
std::string sysctl_line(const lvs_config& c, const std::string& name);

}  // namespace lvs
