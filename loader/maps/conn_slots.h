// lvs_conn_slots4, the IPv4 connection table, as the control plane sees it:
// the very slots the XDP program manages (include/lvs_xdp/conn_slots.h says
// where a flow lives), mapped into this process. A slot is claimed the way
// the program claims it (compare-and-swap of its key's second word to "busy",
// then the key written last), so both sides can change the table at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "lvs_xdp/abi.h"
#include "maps/mapped_array.h"

namespace lvs {

class ConnSlots4 {
public:
    // slots: lvs_conn_slots4 mapped (Maps::conn_slots4_mem); seed:
    // lvs_config.conn_seed, the table's hash key.
    ConnSlots4(std::shared_ptr<const MappedArray<lvs_conn_slot4>> slots, uint64_t seed);

    std::optional<lvs_conn> get(const lvs_flow_key4& k) const;
    // Stores k's entry in its own slot or a free one of its groups. Returns
    // false when both groups are full: the control plane never evicts a flow.
    bool put(const lvs_flow_key4& k, const lvs_conn& c) const;
    void erase(const lvs_flow_key4& k) const;
    // Every flow the table holds.
    std::vector<std::pair<lvs_flow_key4, lvs_conn>> entries() const;
    size_t occupied() const;
    // Frees each slot whose client entry (not a NAT reply entry: nothing
    // counts those, and the program reuses their slots once they expire)
    // ended(entry) says has ended, and returns those entries with the
    // counter each was still counted in (acct), which is now LVS_ACCT_NONE
    // in the table: the caller takes them out of their servers' counters.
    std::vector<lvs_conn> remove_ended(const std::function<bool(const lvs_conn&)>& ended) const;
    // Frees the slots a claimer left busy: an lvs-xdp process killed between
    // its claim and its publish (the XDP program can't be stopped halfway).
    // Such a slot matches no flow and is never taken again, so it would be
    // lost for good. A slot counts as abandoned when it stays busy, with the
    // same key, for `patience` after the walk saw it; a claim lasts
    // microseconds. Returns how many were freed; what they were counted in is
    // left to reconcile_counts (their entry may be half written).
    size_t free_abandoned(std::chrono::milliseconds patience) const;

private:
    // The slot holding k, if any.
    lvs_conn_slot4* find(const lvs_flow_key4& k) const;
    lvs_conn_slot4& slot(uint32_t i) const { return slots_->at(i); }
    // Slot s's flow as one consistent copy, or nothing when it is free or
    // being written (the key read before and after the entry, seqlock-like:
    // a flow stored there meanwhile by the program is not mixed with the old).
    std::optional<std::pair<lvs_flow_key4, lvs_conn>> read(lvs_conn_slot4& s) const;

    std::shared_ptr<const MappedArray<lvs_conn_slot4>> slots_;
    uint64_t seed_;
    uint32_t group_mask_;
};

}  // namespace lvs
