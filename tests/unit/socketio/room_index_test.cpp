#include "socketio/room_index.hpp"

#include <algorithm>

#include <gtest/gtest.h>

using sio::socketio::RoomIndex;

namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST(RoomIndex, AddsBothDirections) {
    RoomIndex idx;
    EXPECT_TRUE(idx.add("s1", "r1"));
    EXPECT_FALSE(idx.add("s1", "r1"));
    idx.add("s1", "r2");
    idx.add("s2", "r1");
    EXPECT_EQ(idx.rooms_of("s1"), (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(sorted(idx.targets({"r1"}, {})), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_FALSE(idx.has_room("nope"));
    EXPECT_TRUE(idx.rooms_of("unknown").empty());
}

TEST(RoomIndex, EmptyRoomDisappears) {
    RoomIndex idx;
    idx.add("s1", "r1");
    idx.add("s2", "r1");
    EXPECT_TRUE(idx.del("s1", "r1"));
    EXPECT_FALSE(idx.del("s1", "r1"));
    EXPECT_TRUE(idx.has_room("r1"));
    EXPECT_FALSE(idx.contains("s1"));
    EXPECT_TRUE(idx.del("s2", "r1"));
    EXPECT_FALSE(idx.has_room("r1"));
    EXPECT_EQ(idx.room_count(), 0u);
    EXPECT_EQ(idx.sid_count(), 0u);
}

TEST(RoomIndex, DelAllLeavesEveryRoomOfTheSocketOnly) {
    RoomIndex idx;
    idx.add("s1", "s1");
    idx.add("s1", "a");
    idx.add("s1", "b");
    idx.add("s2", "a");
    EXPECT_EQ(sorted(idx.del_all("s1")), (std::vector<std::string>{"a", "b", "s1"}));
    EXPECT_FALSE(idx.contains("s1"));
    EXPECT_FALSE(idx.has_room("b"));
    EXPECT_FALSE(idx.has_room("s1"));
    ASSERT_TRUE(idx.has_room("a"));
    EXPECT_EQ(idx.targets({"a"}, {}), std::vector<std::string>{"s2"});
    EXPECT_TRUE(idx.del_all("s1").empty());
}

TEST(RoomIndex, TargetsUnionMinusExceptEachOnce) {
    RoomIndex idx;
    for (auto s : {"s1", "s2", "s3", "s4"}) idx.add(s, s);
    idx.add("s1", "a");
    idx.add("s2", "a");
    idx.add("s2", "b");
    idx.add("s3", "b");
    idx.add("s3", "x");
    EXPECT_EQ(sorted(idx.targets({}, {})), (std::vector<std::string>{"s1", "s2", "s3", "s4"}));
    EXPECT_EQ(sorted(idx.targets({"a", "b"}, {})), (std::vector<std::string>{"s1", "s2", "s3"}));
    EXPECT_EQ(sorted(idx.targets({"a", "b"}, {"x"})), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(sorted(idx.targets({}, {"a", "s4"})), (std::vector<std::string>{"s3"}));
    EXPECT_TRUE(idx.targets({"missing"}, {}).empty());
    EXPECT_EQ(idx.targets({"a"}, {"missing"}).size(), 2u);
}

TEST(RoomIndex, OwnIdRoomBehavesLikeAnyRoom) {
    RoomIndex idx;
    EXPECT_TRUE(idx.add("s1", "s1"));
    EXPECT_FALSE(idx.add("s1", "s1"));
    idx.add("s2", "s2");
    EXPECT_TRUE(idx.has_room("s1"));
    EXPECT_EQ(idx.room_count(), 2u);
    EXPECT_EQ(sorted(idx.room_names()), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(idx.rooms_of("s1"), std::vector<std::string>{"s1"});
    // Another socket joins a room named like s1: both are members, each delivered once.
    EXPECT_TRUE(idx.add("s2", "s1"));
    EXPECT_EQ(sorted(idx.targets({"s1"}, {})), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(sorted(idx.targets({"s1", "s2"}, {})), (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(idx.targets({}, {"s1"}), std::vector<std::string>{});
    EXPECT_EQ(idx.room_count(), 2u);
    // s1 leaves its own room (Node allows it): `to(s1)` reaches only s2 now, s1 still indexed
    // through nothing else, so it is gone from the index.
    EXPECT_TRUE(idx.del("s1", "s1"));
    EXPECT_FALSE(idx.del("s1", "s1"));
    EXPECT_EQ(idx.targets({"s1"}, {}), std::vector<std::string>{"s2"});
    EXPECT_FALSE(idx.contains("s1"));
    EXPECT_TRUE(idx.has_room("s1"));
    EXPECT_TRUE(idx.del("s2", "s1"));
    EXPECT_FALSE(idx.has_room("s1"));
    EXPECT_EQ(sorted(idx.del_all("s2")), std::vector<std::string>{"s2"});
    EXPECT_EQ(idx.sid_count(), 0u);
    EXPECT_EQ(idx.room_count(), 0u);
}

}  // namespace
