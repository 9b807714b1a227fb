#include "maps/bpf_map.h"

#include <unistd.h>

namespace lvs {

MapFd::MapFd(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd_, &info, &len) != 0) {
        const int err = errno;
        close(std::exchange(fd_, -1));  // no destructor runs for a constructor that throws
        errno = err;
        fail("read info of");
    }
    key_size_ = info.key_size;
    value_size_ = info.value_size;
}

void MapFd::expect_layout(size_t key_size, size_t value_size) const {
    if (key_size == key_size_ && value_size == value_size_)
        return;
    throw UserError("BPF map " + name_ + " holds " + std::to_string(key_size_) + "-byte keys and " +
                    std::to_string(value_size_) + "-byte values, this lvs-xdp " + std::to_string(key_size) +
                    " and " + std::to_string(value_size) +
                    ": its pin is from another version. Save the rules with that version's -S, run "
                    "'lvs-xdp detach' on every attached interface, remove the pin directory, then attach "
                    "again and restore the rules");
}

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
