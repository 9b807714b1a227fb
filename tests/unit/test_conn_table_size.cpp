// attach --conn-table-size: the IPv4 connection table's slot count must be a
// power of two from LVS_MIN_CONN_TABLE_SIZE (two groups of LVS_CONN_WAYS, the
// least the two-choice hash can use) to LVS_MAX_CONN_TABLE_SIZE.
#include <gtest/gtest.h>

#include <cstdint>

#include "attach/conn_tables.h"

using namespace lvs;

TEST(ConnTableSize, PowersOfTwoInRangeAreAccepted) {
    for (uint64_t s = LVS_MIN_CONN_TABLE_SIZE; s <= LVS_MAX_CONN_TABLE_SIZE; s <<= 1)
        EXPECT_EQ(conn_table_size_error(s), "") << s;
    EXPECT_EQ(conn_table_size_error(LVS_DEFAULT_CONN_TABLE_SIZE), "");
}

TEST(ConnTableSize, TooSmallIsRefused) {
    for (uint64_t s : {uint64_t{0}, uint64_t{1}, uint64_t{LVS_MIN_CONN_TABLE_SIZE / 2}, uint64_t{LVS_MIN_CONN_TABLE_SIZE - 1}})
        EXPECT_NE(conn_table_size_error(s), "") << s;
}

TEST(ConnTableSize, TooLargeIsRefused) {
    for (uint64_t s : {uint64_t{LVS_MAX_CONN_TABLE_SIZE} * 2, uint64_t{LVS_MAX_CONN_TABLE_SIZE} + 1,
                       uint64_t{1} << 32, uint64_t{1} << 63, UINT64_MAX})
        EXPECT_NE(conn_table_size_error(s), "") << s;
}

TEST(ConnTableSize, NotAPowerOfTwoIsRefused) {
    for (uint64_t s : {uint64_t{LVS_MIN_CONN_TABLE_SIZE} + 1, uint64_t{3} * LVS_MIN_CONN_TABLE_SIZE,
                       uint64_t{1000000}, uint64_t{LVS_MAX_CONN_TABLE_SIZE} - 1})
        EXPECT_NE(conn_table_size_error(s), "") << s;
}

// The message says what a good size is, in one line.
TEST(ConnTableSize, TheMessageNamesTheRule) {
    const std::string msg = conn_table_size_error(3);
    EXPECT_NE(msg.find("power of two"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(LVS_MIN_CONN_TABLE_SIZE)), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(LVS_MAX_CONN_TABLE_SIZE)), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}
