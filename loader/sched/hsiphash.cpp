// Kept out of hsiphash.h so sched_hash.h's macros stay in this file.
#include "sched/hsiphash.h"

#include "lvs_xdp/sched_hash.h"

namespace lvs {

uint32_t mh_hash(const Addr& addr, uint16_t port_host_order, uint32_t offset, MhKey key) {
    const lvs_addr abi = addr.to_abi();
    const uint32_t word = offset + port_host_order + lvs_addr_fold(&abi);
    return key == MhKey::Hash1 ? lvs_hsiphash_u32(word, LVS_MH_HASH1_K0, LVS_MH_HASH1_K1)
                               : lvs_hsiphash_u32(word, LVS_MH_HASH2_K0, LVS_MH_HASH2_K1);
}

}  // namespace lvs
