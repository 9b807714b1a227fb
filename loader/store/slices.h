// Space in lvs_sched_table for the services' scheduler tables. A changed table
// is written into free space and the service entry then switched to it in one map
// update, so the XDP program sees the old table or the new one, never a mix.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace lvs {

class SliceAllocator {
public:
    // capacity slots, of which the (offset, length) slices in use are taken.
    SliceAllocator(uint32_t capacity, std::vector<std::pair<uint32_t, uint32_t>> in_use);
    // First free run of len slots; nullopt when none is long enough.
    std::optional<uint32_t> allocate(uint32_t len);

private:
    uint32_t capacity_;
    std::vector<std::pair<uint32_t, uint32_t>> used_;  // sorted by offset
};

}  // namespace lvs
