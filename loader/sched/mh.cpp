// Maglev hashing (ip_vs_mh.c): LVS_MH_TAB_SIZE (prime) entries. Each server
// gets a permutation of the slots from two hashes of its address and port
// (MhKey::Hash1 gives the first slot, MhKey::Hash2 the step); walking IPVS's
// list round and round, each server claims its next free slot, as many in a
// row as its turns, until every slot is taken. Turns come from last_weight
// (the latest non-zero weight), divided by the gcd of all and shifted right so
// the largest fits 6 bits; so quiescing a server (weight 0) leaves the table as
// it is, and adding or removing one moves few entries. The XDP program takes
// entry lvs_mh_hash1(client, port with -b mh-port else 0, 0) % size; if that
// server has weight 0 or is overloaded there is no server, or with -b
// mh-fallback it rehashes with offsets entry, entry + 1, ... (mod size) until a
// usable server, as ip_vs_mh_get_fallback does.
#include <algorithm>
#include <bit>
#include <numeric>

#include "sched/hsiphash.h"
#include "sched/scheduler.h"

namespace lvs {
namespace {

constexpr uint32_t kTurnBits = 6;  // IP_VS_MH_TAB_BITS at the default table size

class MaglevHashing final : public Scheduler {
public:
    std::string_view name() const override { return "mh"; }
    lvs_sched id() const override { return LVS_SCHED_MH; }

    std::vector<uint32_t> table(const std::vector<Dest>& dests) const override {
        uint32_t gcd = 0, max = 0;
        for (const Dest& d : dests) {
            gcd = std::gcd(gcd, d.last_weight);
            max = std::max(max, d.last_weight);
        }
        if (gcd == 0)
            return {};  // no server ever had a weight: IPVS empties the table
        const int over = std::bit_width(max / gcd) - static_cast<int>(kTurnBits);
        const uint32_t rshift = over > 0 ? static_cast<uint32_t>(over) : 0;

        std::vector<Slot> servers;
        for (uint32_t i : ipvs_list_order(dests)) {
            const Dest& d = dests[i];
            const uint32_t turns = (d.last_weight / gcd) >> rshift;
            servers.push_back({i, mh_hash(d.addr, d.port, 0, MhKey::Hash1) % LVS_MH_TAB_SIZE,
                               mh_hash(d.addr, d.port, 0, MhKey::Hash2) % (LVS_MH_TAB_SIZE - 1) + 1,
                               turns ? turns : (d.last_weight != 0)});
        }
        return populate(servers);
    }

private:
    struct Slot {
        uint32_t index;  // into dests
        uint32_t next;   // the server's next preferred slot
        uint32_t skip;
        uint32_t turns;
    };

    static std::vector<uint32_t> populate(std::vector<Slot>& servers) {
        std::vector<uint32_t> t(LVS_MH_TAB_SIZE, kNoDestIndex);
        uint32_t filled = 0;
        for (;;) {
            for (Slot& s : servers) {
                for (uint32_t turn = 0; turn < s.turns; ++turn) {
                    while (t[s.next] != kNoDestIndex)
                        s.next = (s.next + s.skip) % LVS_MH_TAB_SIZE;
                    t[s.next] = s.index;
                    if (++filled == LVS_MH_TAB_SIZE)
                        return t;
                }
            }
        }
    }
};

}  // namespace

const Scheduler& mh_scheduler() {
    static const MaglevHashing s;
    return s;
}

}  // namespace lvs
