// rr's place in its table across a change of the table. IPVS's rr goes on
// after the server it picked last, whatever is added meanwhile, and when that
// server is removed it steps back to the one before it (ip_vs_rr_del_dest).
// The XDP program keeps a position per CPU; when the loader writes a new table
// it moves each position to the same place in the new one.
#pragma once

#include <cstdint>
#include <vector>

namespace lvs {

// The position in new_table (dest ids) that continues where position pos of
// old_table left off. Position 0 of a table nobody has picked from yet, and
// position 0 after a full round, both continue after the table's last entry.
uint32_t carried_rr_position(uint32_t pos, const std::vector<uint32_t>& old_table,
                             const std::vector<uint32_t>& new_table);

}  // namespace lvs
