#include <gtest/gtest.h>

#include "lvs_xdp/sched_hash.h"
#include "net/addr.h"
#include "sched/hsiphash.h"

using namespace lvs;

// The kernel's own self-test (lib/siphash_kunit.c, 64-bit hsiphash, key bytes
// 00..0f): of its inputs, bytes 00 01 02 03 is the one-word input ip_vs_mh
// hashes (hsiphash_1u32(0x03020100) checks the same vector).
TEST(Hsiphash, KernelTestVectorOfOneWord) {
    EXPECT_EQ(lvs_hsiphash_u32(0x03020100u, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL), 0x88d38328u);
}

// Known answers for ip_vs_mh_hashkey with IPVS's keys, for the BPF copy of
// the hash to be checked against: (address, port, offset) -> hash1, hash2.
TEST(Hsiphash, MaglevKnownAnswers) {
    struct Case {
        const char* addr;
        uint16_t port;
        uint32_t offset;
        uint32_t hash1;
        uint32_t hash2;
    };
    const Case cases[] = {
        {"10.0.0.1", 80, 0, 0x439c0cbeU, 0x97b3dc47U},
        {"10.0.0.2", 80, 0, 0xa1cf683bU, 0xfa5d46dfU},
        {"192.168.88.50", 0, 0, 0x5db1556fU, 0xc0882578U},
        {"192.168.88.50", 8080, 0, 0xa3536992U, 0x548a6b02U},
        {"192.168.88.50", 0, 17, 0x44dad468U, 0x13b1ff18U},
        {"0.0.0.0", 0, 0, 0x1d5a77c2U, 0xf882433fU},
        {"255.255.255.255", 65535, 4092, 0x30456135U, 0x99d8b705U},
        {"2001:db8::1", 443, 0, 0x9238df72U, 0xbbf4070cU},
    };
    for (const Case& c : cases) {
        const Addr a = parse_addr(c.addr);
        EXPECT_EQ(mh_hash(a, c.port, c.offset, MhKey::Hash1), c.hash1) << c.addr << " " << c.port << " " << c.offset;
        EXPECT_EQ(mh_hash(a, c.port, c.offset, MhKey::Hash2), c.hash2) << c.addr << " " << c.port << " " << c.offset;
    }
}

TEST(Hsiphash, MaglevHashesOffsetPlusPortPlusAddress) {
    // IPVS hashes the sum, so these collide by design.
    const Addr a = parse_addr("10.0.0.1");
    const Addr b = parse_addr("10.0.0.2");
    EXPECT_EQ(mh_hash(a, 81, 0, MhKey::Hash1), mh_hash(b, 80, 0, MhKey::Hash1));
    EXPECT_EQ(mh_hash(a, 80, 1, MhKey::Hash1), mh_hash(b, 80, 0, MhKey::Hash1));
    EXPECT_NE(mh_hash(a, 80, 0, MhKey::Hash1), mh_hash(a, 80, 0, MhKey::Hash2));
    // An IPv6 address is folded to the XOR of its four words first.
    EXPECT_EQ(mh_hash(parse_addr("::a00:1"), 80, 0, MhKey::Hash1), mh_hash(a, 80, 0, MhKey::Hash1));
    EXPECT_EQ(mh_hash(parse_addr("1:2::1:2:a00:1"), 80, 0, MhKey::Hash1), mh_hash(a, 80, 0, MhKey::Hash1));
}
