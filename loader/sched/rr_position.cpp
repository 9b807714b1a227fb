#include "sched/rr_position.h"

#include <algorithm>

namespace lvs {

uint32_t carried_rr_position(uint32_t pos, const std::vector<uint32_t>& old_table,
                             const std::vector<uint32_t>& new_table) {
    const size_t n = old_table.size();
    if (n == 0 || new_table.empty())
        return 0;
    const size_t last = (pos == 0 || pos > n ? n : pos) - 1;  // the last pick
    for (size_t back = 0; back < n; ++back) {  // it, or the nearest before it still there
        const uint32_t id = old_table[(last + n - back) % n];
        const auto it = std::find(new_table.begin(), new_table.end(), id);
        if (it != new_table.end())
            return static_cast<uint32_t>((it - new_table.begin() + 1) % new_table.size());
    }
    return 0;
}

}  // namespace lvs
