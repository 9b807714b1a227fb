#include "maps/bpf_map.h"

#include <unistd.h>

namespace lvs {

MapFd::~MapFd() {
    if (fd_ >= 0)
        close(fd_);
}

uint32_t MapFd::max_entries() const {
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd_, &info, &len) != 0)
        fail("read info of");
    return info.max_entries;
}

void MapFd::fail(const char* what) const {
    throw UserError(std::string("cannot ") + what + " BPF map " + name_ + ": " + std::strerror(errno));
}

}  // namespace lvs
