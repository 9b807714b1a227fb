// The schedulers, each following its IPVS *_schedule() function: the same walk
// over the list, the same skips, the same strict comparisons (so ties stay with
// the server met first), the same integer cross-multiplication.
#include <algorithm>
#include <numeric>

#include "ipvs_model.h"
#include "lvs_xdp/sched_hash.h"

namespace lvs::model {
namespace {

int64_t nonneg(int count) { return count > 0 ? count : 0; }

// ip_vs_sed_dest_overhead() / ip_vs_nq_dest_overhead(): the new connection counted.
int64_t queue_overhead(const Server& s) { return nonneg(s.active) + 1; }

}  // namespace

int64_t conn_overhead(const Server& s) { return (nonneg(s.active) << 8) + nonneg(s.inactive); }

bool Service::usable(ServerId id) const {
    const Server& s = servers_[id];
    return s.weight > 0 && !s.overload;
}

// ip_vs_rr_schedule(): the next usable server after the last one picked,
// walking the list (newest first) round.
ServerId Service::rr() {
    size_t start = 0;
    for (size_t i = 0; i < list_.size(); ++i)
        if (list_[i] == rr_last_)
            start = i + 1;
    for (size_t k = 0; k < list_.size(); ++k) {
        ServerId id = list_[(start + k) % list_.size()];
        if (usable(id))
            return rr_last_ = id;
    }
    return kNoServer;
}

// ip_vs_wrr_schedule(): walk on from the last pick; each time the walk passes
// the end of the list the current weight cw drops by the weights' gcd (back to
// mw below 1); a server is picked when its weight reaches cw.
ServerId Service::wrr() {
    if (wrr_mw_ <= 0)
        return kNoServer;
    // Every (position, cw) pair comes round within this many steps.
    for (size_t steps = 0; steps < (list_.size() + 1) * size_t(wrr_mw_ / wrr_di_ + 1); ++steps) {
        if (++wrr_pos_ >= list_.size()) {
            wrr_pos_ = SIZE_MAX;
            wrr_cw_ -= wrr_di_;
            if (wrr_cw_ <= 0)
                wrr_cw_ = wrr_mw_;
            continue;
        }
        const Server& s = servers_[list_[wrr_pos_]];
        if (!s.overload && s.weight >= wrr_cw_)
            return list_[wrr_pos_];
    }
    return kNoServer;
}

// ip_vs_wrr_dest_changed(): the walk starts again at the list head, cw kept
// but within the new mw and on the new gcd's grid. mw is the largest weight
// less gcd - 1, so cw runs mw, mw - gcd, ... down to 1.
void Service::wrr_changed() {
    int gcd = 0, max = 0;
    for (ServerId id : list_) {
        if (servers_[id].weight > 0)
            gcd = std::gcd(gcd, servers_[id].weight);
        max = std::max(max, servers_[id].weight);
    }
    wrr_di_ = gcd ? gcd : 1;
    wrr_mw_ = max - (wrr_di_ - 1);
    wrr_pos_ = SIZE_MAX;
    if (wrr_cw_ > wrr_mw_ || wrr_cw_ == 0)
        wrr_cw_ = wrr_mw_;
    else if (wrr_di_ > 1)
        wrr_cw_ = (wrr_cw_ / wrr_di_) * wrr_di_ + 1;
}

// ip_vs_lc_schedule(): fewest connections by overhead; weight only excludes (0).
ServerId Service::lc() const {
    ServerId least = kNoServer;
    int64_t loh = 0;
    for (ServerId id : list_) {
        if (!usable(id))
            continue;
        int64_t doh = conn_overhead(servers_[id]);
        if (least == kNoServer || doh < loh) {
            least = id;
            loh = doh;
        }
    }
    return least;
}

// ip_vs_wlc_schedule() and ip_vs_sed_schedule() (and lblc/lblcr's fallback,
// which is wlc): the first usable server, then any later non-overloaded one
// whose overhead/weight is strictly lower, compared as loh*dw > doh*lw.
ServerId Service::weighted_least(bool sed_overhead) const {
    auto overhead = sed_overhead ? queue_overhead : conn_overhead;
    ServerId least = kNoServer;
    int64_t loh = 0;
    for (ServerId id : list_) {
        const Server& d = servers_[id];
        if (least == kNoServer) {
            if (usable(id)) {
                least = id;
                loh = overhead(d);
            }
            continue;
        }
        if (d.overload)
            continue;
        int64_t doh = overhead(d);
        if (loh * d.weight > doh * servers_[least].weight) {
            least = id;
            loh = doh;
        }
    }
    return least;
}

// ip_vs_nq_schedule(): the first idle server (no active connection) at once;
// otherwise sed's choice (the same loop and comparison).
ServerId Service::nq() const {
    for (ServerId id : list_)
        if (usable(id) && nonneg(servers_[id].active) == 0)
            return id;
    return weighted_least(true);
}

// ip_vs_fo_schedule(): the highest weight; the first of equals.
ServerId Service::fo() const {
    ServerId best = kNoServer;
    int hw = 0;
    for (ServerId id : list_)
        if (!servers_[id].overload && servers_[id].weight > hw) {
            best = id;
            hw = servers_[id].weight;
        }
    return best;
}

// ip_vs_ovf_schedule(): the highest weight among servers whose active
// connections have not passed their weight.
ServerId Service::ovf() const {
    ServerId best = kNoServer;
    for (ServerId id : list_) {
        const Server& d = servers_[id];
        if (d.overload || d.active > d.weight || d.weight == 0)
            continue;
        if (best == kNoServer || d.weight > servers_[best].weight)
            best = id;
    }
    return best;
}

// ip_vs_twos_schedule(): two servers drawn with probability by weight (r mod
// total+1, walked down the list), the one of lower overhead/weight kept; ties
// keep the first draw.
ServerId Service::twos(Random r) const {
    int64_t total = 0;
    for (ServerId id : list_)
        if (usable(id))
            total += servers_[id].weight;
    if (total == 0)
        return kNoServer;
    int64_t rw1 = r.r1 % (total + 1), rw2 = r.r2 % (total + 1);
    ServerId c1 = kNoServer, c2 = kNoServer;
    for (ServerId id : list_) {
        if (!usable(id))
            continue;
        rw1 -= servers_[id].weight;
        rw2 -= servers_[id].weight;
        if (rw1 <= 0 && c1 == kNoServer)
            c1 = id;
        if (rw2 <= 0 && c2 == kNoServer)
            c2 = id;
        if (c1 != kNoServer && c2 != kNoServer)
            break;
    }
    if (servers_[c2].weight * conn_overhead(servers_[c1]) > servers_[c1].weight * conn_overhead(servers_[c2]))
        return c2;
    return c1;
}

// dh (ip_vs_dh_schedule: destination address, no fallback), sh
// (ip_vs_sh_get / ip_vs_sh_get_fallback) and mh (ip_vs_mh_get /
// ip_vs_mh_get_fallback): the bucket's server if usable; with the fallback
// flag, buckets at offsets ihash, ihash+1, ... rehashed until a usable one or
// an empty bucket. The hashes are the shared ones of lvs_xdp/sched_hash.h but
// dh's: ip_vs_dh_hashkey() is hash_32(addr, 8), which is sh's bucket of the
// address with port 0 and offset 0.
ServerId Service::hashed(uint32_t addr, uint16_t port, bool fallback) const {
    bool mh = sched_ == LVS_SCHED_MH;
    auto bucket = [&](uint32_t offset) -> uint32_t {
        return mh ? lvs_mh_hash1(addr, port, offset) % LVS_MH_TAB_SIZE : lvs_sh_bucket(addr, port, offset);
    };
    auto at = [&](uint32_t b) { return b < table_.size() ? table_[b] : kNoServer; };
    uint32_t ihash = bucket(0);
    ServerId id = at(ihash);
    if (id == kNoServer)
        return kNoServer;
    bool ok = usable(id) && servers_[id].available;
    if (ok || !fallback)
        return ok ? id : kNoServer;
    uint32_t size = mh ? LVS_MH_TAB_SIZE : LVS_SH_TAB_SIZE;
    for (uint32_t offset = 0; offset < size; ++offset) {
        id = at(bucket((offset + ihash) % size));
        if (id == kNoServer)
            return kNoServer;
        if (usable(id))
            return id;
    }
    return kNoServer;
}

ServerId Service::schedule(const Packet& p, uint64_t now, Random r) {
    bool fallback = opts_.flags & LVS_SVC_F_SCHED1;
    uint16_t port = (opts_.flags & LVS_SVC_F_SCHED2) ? p.sport : 0;
    switch (sched_) {
    case LVS_SCHED_RR:
        return rr();
    case LVS_SCHED_WRR:
        return wrr();
    case LVS_SCHED_LC:
        return lc();
    case LVS_SCHED_WLC:
        return weighted_least(false);
    case LVS_SCHED_SED:
        return weighted_least(true);
    case LVS_SCHED_NQ:
        return nq();
    case LVS_SCHED_FO:
        return fo();
    case LVS_SCHED_OVF:
        return ovf();
    case LVS_SCHED_TWOS:
        return twos(r);
    case LVS_SCHED_LBLC:
        return lblc(p.daddr, now);
    case LVS_SCHED_LBLCR:
        return lblcr(p.daddr, now);
    case LVS_SCHED_DH:
        return hashed(p.daddr, 0, false);
    case LVS_SCHED_SH:
    case LVS_SCHED_MH:
        return hashed(p.saddr, port, fallback);
    }
    return kNoServer;
}

}  // namespace lvs::model
