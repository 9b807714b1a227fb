// An mmapable BPF array (BPF_F_MMAPABLE) mapped into this process: the
// control plane reads and changes the very memory the XDP program uses, with
// the same atomic operations, instead of copying elements through syscalls.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "error.h"
#include "maps/bpf_map.h"

namespace lvs {

template <class V>
class MappedArray {
public:
    // Maps every element; throws UserError when the map can't be mapped.
    explicit MappedArray(const MapFd& map) : name_(map.name()), count_(map.max_entries()) {
        map.expect_layout(sizeof(uint32_t), sizeof(V));
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        bytes_ = (count_ * sizeof(V) + page - 1) / page * page;
        void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, map.fd(), 0);
        if (p == MAP_FAILED)
            throw UserError("cannot map " + name_ + " into memory (" + std::strerror(errno) +
                            "); its pin is from an older lvs-xdp: detach every interface, remove the pin "
                            "directory and attach again");
        base_ = static_cast<V*>(p);
    }
    ~MappedArray() { munmap(base_, bytes_); }
    MappedArray(const MappedArray&) = delete;
    MappedArray& operator=(const MappedArray&) = delete;

    size_t size() const { return count_; }
    V& at(size_t i) const {
        if (i >= count_)
            throw UserError("index " + std::to_string(i) + " is outside " + name_);
        return base_[i];
    }

private:
    std::string name_;
    size_t count_;
    size_t bytes_ = 0;
    V* base_ = nullptr;
};

}  // namespace lvs
