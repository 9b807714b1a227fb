#include "store/slices.h"

#include <algorithm>

namespace lvs {

SliceAllocator::SliceAllocator(uint32_t capacity, std::vector<std::pair<uint32_t, uint32_t>> in_use)
    : capacity_(capacity), used_(std::move(in_use)) {
    std::erase_if(used_, [](const auto& s) { return s.second == 0; });
    std::sort(used_.begin(), used_.end());
}

std::optional<uint32_t> SliceAllocator::allocate(uint32_t len) {
    uint32_t start = 0;
    for (auto it = used_.begin();; ++it) {
        uint32_t end = it == used_.end() ? capacity_ : it->first;
        if (end >= start && end - start >= len) {
            used_.insert(it, {start, len});
            return start;
        }
        if (it == used_.end())
            return std::nullopt;
        start = std::max(start, it->first + it->second);
    }
}

}  // namespace lvs
