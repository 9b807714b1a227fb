#include "maps/conn_slots.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "lvs_xdp/conn_slots.h"

namespace lvs {
namespace {

std::atomic_ref<uint64_t> key_word(lvs_conn_slot4& s, int i) {
    return std::atomic_ref<uint64_t>(reinterpret_cast<uint64_t*>(&s.key)[i]);
}

// The program's slot_claim: the second key word from seen to seen | busy.
bool claim(lvs_conn_slot4& s, uint64_t seen) {
    return !(seen & LVS_SLOT_BUSY) && key_word(s, 1).compare_exchange_strong(seen, seen | LVS_SLOT_BUSY);
}

// The program's slot_publish: the second key word last.
void publish(lvs_conn_slot4& s, uint64_t w1) {
    key_word(s, 1).store(w1, std::memory_order_seq_cst);
}

void clear(lvs_conn_slot4& s) {
    key_word(s, 0).store(0, std::memory_order_relaxed);
    publish(s, 0);
}

}  // namespace

ConnSlots4::ConnSlots4(std::shared_ptr<const MappedArray<lvs_conn_slot4>> slots, uint64_t seed)
    : slots_(std::move(slots)), seed_(seed), group_mask_(static_cast<uint32_t>(slots_->size() / LVS_CONN_WAYS - 1)) {}

lvs_conn_slot4* ConnSlots4::find(const lvs_flow_key4& k) const {
    uint32_t a, b;
    lvs_conn_groups4(&k, seed_, group_mask_, &a, &b);
    for (uint32_t first : {a, b})
        for (uint32_t w = 0; w < LVS_CONN_WAYS; ++w) {
            lvs_conn_slot4& s = slot(first + w);
            if (key_word(s, 0).load() == lvs_key4_word(&k, 0) && key_word(s, 1).load() == lvs_key4_word(&k, 1))
                return &s;
        }
    return nullptr;
}

std::optional<std::pair<lvs_flow_key4, lvs_conn>> ConnSlots4::read(lvs_conn_slot4& s) const {
    const uint64_t w1 = key_word(s, 1).load();
    const uint64_t w0 = key_word(s, 0).load();
    if ((w0 == 0 && w1 == 0) || (w1 & LVS_SLOT_BUSY))
        return std::nullopt;
    std::pair<lvs_flow_key4, lvs_conn> out{s.key, s.conn};
    std::atomic_thread_fence(std::memory_order_acquire);
    if (key_word(s, 1).load() != w1 || key_word(s, 0).load() != w0)
        return std::nullopt;  // rewritten meanwhile: a flow that has just started, not shown
    return out;
}

std::optional<lvs_conn> ConnSlots4::get(const lvs_flow_key4& k) const {
    if (lvs_conn_slot4* s = find(k))
        if (auto flow = read(*s); flow && std::memcmp(&flow->first, &k, sizeof(k)) == 0)
            return flow->second;
    return std::nullopt;
}

bool ConnSlots4::put(const lvs_flow_key4& k, const lvs_conn& c) const {
    lvs_conn_slot4* target = find(k);
    // The key the slot must still hold when claimed: k's own, or none (free).
    const bool own = target != nullptr;
    if (!target) {
        uint32_t a, b;
        lvs_conn_groups4(&k, seed_, group_mask_, &a, &b);
        int free_a = 0, free_b = 0;
        for (uint32_t w = 0; w < LVS_CONN_WAYS; ++w) {
            free_a += lvs_conn_slot_free(&slot(a + w));
            free_b += lvs_conn_slot_free(&slot(b + w));
        }
        const uint32_t order[2] = {free_b > free_a ? b : a, free_b > free_a ? a : b};
        for (uint32_t first : order)
            for (uint32_t w = 0; w < LVS_CONN_WAYS && !target; ++w)
                if (lvs_conn_slot_free(&slot(first + w)))
                    target = &slot(first + w);
    }
    const uint64_t want0 = own ? lvs_key4_word(&k, 0) : 0;
    const uint64_t want1 = own ? lvs_key4_word(&k, 1) : 0;
    if (!target || !claim(*target, want1))
        return false;
    if (key_word(*target, 0).load() != want0) {  // taken meanwhile by a flow with the same second word
        publish(*target, want1);
        return false;
    }
    target->conn = c;
    key_word(*target, 0).store(lvs_key4_word(&k, 0), std::memory_order_relaxed);
    publish(*target, lvs_key4_word(&k, 1));
    return true;
}

void ConnSlots4::erase(const lvs_flow_key4& k) const {
    if (lvs_conn_slot4* s = find(k); s && claim(*s, lvs_key4_word(&k, 1))) {
        if (key_word(*s, 0).load() == lvs_key4_word(&k, 0))
            clear(*s);
        else
            publish(*s, lvs_key4_word(&k, 1));  // taken meanwhile by a flow with the same ports
    }
}

std::vector<std::pair<lvs_flow_key4, lvs_conn>> ConnSlots4::entries() const {
    std::vector<std::pair<lvs_flow_key4, lvs_conn>> out;
    for (size_t i = 0; i < slots_->size(); ++i)
        if (auto flow = read(slot(i)))
            out.push_back(*flow);
    return out;
}

size_t ConnSlots4::occupied() const {
    size_t n = 0;
    for (size_t i = 0; i < slots_->size(); ++i)
        n += !lvs_conn_slot_free(&slot(i));
    return n;
}

std::vector<lvs_conn> ConnSlots4::remove_ended(const std::function<bool(const lvs_conn&)>& ended) const {
    std::vector<lvs_conn> removed;
    for (size_t i = 0; i < slots_->size(); ++i) {
        lvs_conn_slot4& s = slot(i);
        const uint64_t w1 = key_word(s, 1).load();
        if (lvs_conn_slot_free(&s) || (s.conn.flags & LVS_CONN_F_REPLY) || !ended(s.conn) || !claim(s, w1))
            continue;
        // Claimed: a packet may have brought it back to life since the read.
        if (!ended(s.conn)) {
            publish(s, w1);
            continue;
        }
        lvs_conn c = s.conn;
        c.acct = std::atomic_ref<uint32_t>(s.conn.acct).exchange(LVS_ACCT_NONE);
        clear(s);
        removed.push_back(c);
    }
    return removed;
}

size_t ConnSlots4::free_abandoned(std::chrono::milliseconds patience) const {
    struct BusySlot {
        uint32_t index;
        uint64_t w0, w1;  // its key words when the walk saw it busy
    };
    std::vector<BusySlot> busy;
    for (uint32_t i = 0; i < slots_->size(); ++i) {
        lvs_conn_slot4& s = slot(i);
        const uint64_t w1 = key_word(s, 1).load();
        if (w1 & LVS_SLOT_BUSY)
            busy.push_back({i, key_word(s, 0).load(), w1});
    }
    auto unchanged = [&](const BusySlot& b) {
        lvs_conn_slot4& s = slot(b.index);
        return key_word(s, 1).load() == b.w1 && key_word(s, 0).load() == b.w0;
    };
    // Most were claims in progress, done by now; the rest get the patience,
    // in growing steps so that a claim that ends soon is not waited for long.
    const auto deadline = std::chrono::steady_clock::now() + patience;
    for (auto step = std::chrono::milliseconds(1); !busy.empty(); step *= 4) {
        std::erase_if(busy, [&](const BusySlot& b) { return !unchanged(b); });
        const auto now = std::chrono::steady_clock::now();
        if (busy.empty() || now >= deadline)
            break;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(step, deadline - now));
    }
    size_t freed = 0;
    for (const auto& b : busy) {
        if (!unchanged(b))
            continue;
        lvs_conn_slot4& s = slot(b.index);
        std::atomic_ref<uint32_t>(s.conn.acct).store(LVS_ACCT_NONE);
        clear(s);
        ++freed;
    }
    return freed;
}

}  // namespace lvs
