#include "maps/dest_conns.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "error.h"

namespace lvs {
namespace {

std::atomic_ref<int32_t> counter(lvs_dest_conns& s, DestCounter c) {
    static constexpr int32_t lvs_dest_conns::*kField[] = {&lvs_dest_conns::active, &lvs_dest_conns::inactive,
                                                         &lvs_dest_conns::persist};  // by DestCounter
    return std::atomic_ref<int32_t>(s.*kField[static_cast<size_t>(c)]);
}

uint32_t non_negative(int32_t& v) {
    return static_cast<uint32_t>(std::max(std::atomic_ref<int32_t>(v).load(std::memory_order_relaxed), 0));
}

}  // namespace

DestConnCounts DestConns::read(uint32_t dest_id) const {
    lvs_dest_conns& s = *slot(dest_id);
    return {.active = non_negative(s.active),
            .inactive = non_negative(s.inactive),
            .persist = non_negative(s.persist),
            .overload = (std::atomic_ref<uint32_t>(s.flags).load(std::memory_order_relaxed) &
                         LVS_DEST_CONNS_F_OVERLOAD) != 0};
}

void DestConns::increment(uint32_t dest_id, DestCounter c) {
    add(dest_id, c, 1);
}

void DestConns::decrement(uint32_t dest_id, DestCounter c) {
    add(dest_id, c, -1);
}

void DestConns::add(uint32_t dest_id, DestCounter c, int32_t delta) {
    counter(*slot(dest_id), c).fetch_add(delta, std::memory_order_relaxed);
}

int32_t DestConns::raw(uint32_t dest_id, DestCounter c) const {
    return counter(*slot(dest_id), c).load(std::memory_order_relaxed);
}

bool leaves_overload(int64_t total, const lvs_dest& dest) {
    if (dest.l_threshold != 0)
        return total < int64_t{dest.l_threshold};
    if (dest.u_threshold != 0)
        return total * 4 < int64_t{dest.u_threshold} * 3;
    return true;
}

void DestConns::unbind(uint32_t dest_id, DestCounter c, const lvs_dest& dest) {
    decrement(dest_id, c);
    const DestConnCounts now = read(dest_id);
    if (now.overload && leaves_overload(int64_t{now.active} + now.inactive, dest))
        clear_overload(dest_id);
}

void DestConns::clear_overload(uint32_t dest_id) {
    std::atomic_ref<uint32_t>(slot(dest_id)->flags)
        .fetch_and(~uint32_t{LVS_DEST_CONNS_F_OVERLOAD}, std::memory_order_relaxed);
}

}  // namespace lvs
