#include "store/conn_table.h"

#include <fstream>
#include <string>

#include "error.h"
#include "store/settings.h"

namespace lvs {
namespace {

// Reads the table and the clock at one moment, and answers for each entry
// whether it is live and how long it has left.
class Liveness {
public:
    explicit Liveness(const Maps& maps)
        : hz_(jiffies_per_second(read_settings(maps))),
          now_(kernel_jiffies()),
          dests_(ArrayMap<lvs_dest>(maps.dests).all()) {}

    // Not expired, and its server still in the slot (else the XDP program
    // reschedules it at its next packet).
    bool live(uint64_t expires, uint32_t dest_id, uint32_t dest_gen) const {
        if (expires <= now_ || dest_id >= dests_.size())
            return false;
        const lvs_dest& d = dests_[dest_id];
        return (d.flags & LVS_DEST_F_IN_USE) && d.gen == dest_gen;
    }
    uint32_t seconds_left(uint64_t expires) const { return static_cast<uint32_t>((expires - now_ + hz_ - 1) / hz_); }

private:
    uint32_t hz_;
    uint64_t now_;
    std::vector<lvs_dest> dests_;
};

}  // namespace

uint64_t kernel_jiffies() {
    std::ifstream in("/proc/timer_list");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("jiffies: ", 0) == 0)
            return std::stoull(line.substr(9));
    throw UserError("cannot read the kernel's clock from /proc/timer_list (needs root)");
}

uint32_t jiffies_per_second(const lvs_config& c) {
    return c.hz ? c.hz : 250;
}

std::vector<LiveConn> live_connections(const Maps& maps) {
    const Liveness l(maps);
    std::vector<LiveConn> out;
    for (const auto& [key, c] : maps.conn_table().entries())
        if (!(c.flags & LVS_CONN_F_REPLY) && l.live(c.expires, c.dest_id, c.dest_gen))
            out.push_back({key, c, l.seconds_left(c.expires)});
    return out;
}

std::vector<LiveTemplate> live_templates(const Maps& maps) {
    const Liveness l(maps);
    std::vector<LiveTemplate> out;
    for (const auto& [key, t] : HashMap<lvs_persist_key, lvs_persist>(maps.persist).entries())
        if (l.live(t.expires, t.dest_id, t.dest_gen))
            out.push_back({key, t, l.seconds_left(t.expires)});
    return out;
}

}  // namespace lvs
