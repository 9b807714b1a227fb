#include <gtest/gtest.h>

#include "store/slices.h"

namespace lvs {
namespace {

TEST(SliceAllocator, FirstFitAroundSlicesInUse) {
    SliceAllocator a(100, {{10, 5}, {0, 4}, {30, 0}});
    EXPECT_EQ(a.allocate(4), 4u);    // the gap 4..10
    EXPECT_EQ(a.allocate(3), 15u);   // 8..10 is too short now: 4..8 taken, 8..10 has 2
    EXPECT_EQ(a.allocate(2), 8u);
    EXPECT_EQ(a.allocate(80), 18u);  // 18..98
    EXPECT_EQ(a.allocate(3), std::nullopt);
    EXPECT_EQ(a.allocate(2), 98u);
}

TEST(SliceAllocator, NeverOverlapsTheOldTable) {
    // A changed table must not be written over the one packets still read.
    SliceAllocator a(10, {{0, 6}});
    EXPECT_EQ(a.allocate(6), std::nullopt);
    EXPECT_EQ(a.allocate(4), 6u);
}

}  // namespace
}  // namespace lvs
