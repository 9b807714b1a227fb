// Measuring: the floors, the reset's own cost, and every case, each verified
// before it is timed and after every timed run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cases.h"
#include "harness.h"

namespace lvs::bench {

struct Options {
    uint32_t repeat = 1000000;
    uint32_t runs = 5;
    // Time only the cases' own runs, not the references, so a profiler
    // (perf record -C CPU) sees nothing else; the figures then include the reset.
    bool profile = false;
    // Connection-table entries for the cases of 2^20 established flows; 0:
    // just enough to hold them (load factor 1). More spreads the same flows
    // over more buckets, as Katran's 4M table did for its figures.
    uint32_t pool_table = 0;
};

// The connection-table slots of the cases of 2^20 established flows (twice
// as many for the reply cases), and the lines of the memory floor's table.
uint32_t pool_table_slots(const Options& o);

// ns per packet, one figure per timed run.
class Series {
public:
    void add(double ns) { v_.push_back(ns); }
    bool empty() const { return v_.empty(); }
    double median() const;
    double spread() const;  // max - min

private:
    std::vector<double> v_;
};

// The references, pooled over the whole benchmark: every timed run of a case
// is followed by a run of the reset alone, of XDP_DROP and of the MAC-swap
// floor, so drift of a shared VM (other load, clock) hits a case and its
// references alike.
struct Floors {
    Series drop, mac_swap;
    // The MAC-swap floor reading one 64-byte line per flow of the pool from a
    // table of pool_table_slots lines: what one miss of the caches costs.
    Series mac_swap_read;
    // What the reset adds to a run: (reset tail-calling XDP_DROP) - XDP_DROP.
    std::map<Vary, Series> reset;
    // The MAC-swap floor through the reset, reset subtracted: checks the
    // method, should match mac_swap.
    Series mac_swap_via_reset;
};

struct Result {
    const Case* c;
    Series ns;          // through the reset, reset subtracted: comparable with the floors
    std::string error;  // set instead of a number when the path was not the expected one
};

void measure_floors(Harness& h, const Options& o, Floors& f);
Result measure_case(const Case& c, Harness& h, const Options& o, Floors& f);

}  // namespace lvs::bench
