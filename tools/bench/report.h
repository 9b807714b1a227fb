// The benchmark's output: one Markdown table (readable in a terminal, pasted
// as is into docs/benchmarks.md) with floors, the reset, cases and targets.
#pragma once

#include <ostream>
#include <vector>

#include "bench.h"

namespace lvs::bench {

void print_table(std::ostream& out, const Floors& f, const std::vector<Result>& results);

}  // namespace lvs::bench
