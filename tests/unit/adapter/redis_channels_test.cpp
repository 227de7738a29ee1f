// Channel names of @socket.io/redis-adapter 8.3.0 (docs/protocol.md §4.1).

#include <gtest/gtest.h>

#include "adapter/redis/channels.hpp"
#include "unit/adapter/redis_vectors.hpp"

namespace {

using namespace sio::adapter::redis;

TEST(RedisChannels, Names) {
    EXPECT_EQ(broadcast_channel("socket.io", "/"), "socket.io#/#");
    EXPECT_EQ(room_channel("socket.io", "/", "room1"), "socket.io#/#room1#");
    EXPECT_EQ(broadcast_pattern("socket.io", "/"), "socket.io#/#*");
    EXPECT_EQ(request_channel("socket.io", "/"), "socket.io-request#/#");
    EXPECT_EQ(response_channel("socket.io", "/"), "socket.io-response#/#");
    EXPECT_EQ(specific_response_channel("socket.io", "/", "iXAj_A"), "socket.io-response#/#iXAj_A#");
    EXPECT_EQ(broadcast_pattern("socket.io", "/chat"), "socket.io#/chat#*");
    EXPECT_EQ(request_channel("socket.io", "/chat"), "socket.io-request#/chat#");
    EXPECT_EQ(room_channel("my-key", "/admin", "r"), "my-key#/admin#r#");
    EXPECT_EQ(default_key_prefix, "socket.io");
}

TEST(RedisChannels, PublishChannel) {
    EXPECT_EQ(broadcast_publish_channel("socket.io", "/", {}), "socket.io#/#");
    EXPECT_EQ(broadcast_publish_channel("socket.io", "/", {"a"}), "socket.io#/#a#");
    EXPECT_EQ(broadcast_publish_channel("socket.io", "/", {"a", "b"}), "socket.io#/#");
    EXPECT_EQ(broadcast_publish_channel("socket.io", "/", {"a", "a"}), "socket.io#/#a#");  // a Set in Node
}

TEST(RedisChannels, ParseBroadcastChannel) {
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/#"), std::optional<std::string>(""));
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/#room1#"), std::optional<std::string>("room1"));
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/#a#b#"), std::optional<std::string>("a#b"));
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/##"), std::optional<std::string>(""));
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/chat#"), std::nullopt);
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/chat", "socket.io#/#"), std::nullopt);
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/chat", "socket.io#/chat#x#"), std::optional<std::string>("x"));
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io-request#/#"), std::nullopt);
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "other#/#"), std::nullopt);
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/#noterminator"), std::nullopt);
    EXPECT_EQ(parse_broadcast_channel("socket.io", "/", "socket.io#/"), std::nullopt);
}

// Every broadcast Node published went to the channel we would pick, and parses back.
TEST(RedisChannels, NodeVectors) {
    for (const auto& item : sio::redis_test::vector_list("broadcasts")) {
        const auto& v = item.as_object();
        const auto name = sio::redis_test::str(v, "name");
        const auto nsp = sio::redis_test::str(v, "nsp");
        const auto channel = sio::redis_test::str(v, "channel");
        const auto rooms = sio::redis_test::strings(v.at("rooms"));
        EXPECT_EQ(broadcast_publish_channel("socket.io", nsp, rooms), channel) << name;
        auto room = parse_broadcast_channel("socket.io", nsp, channel);
        ASSERT_TRUE(room.has_value()) << name;
        EXPECT_EQ(*room, rooms.size() == 1 ? rooms[0] : std::string()) << name;
    }
    for (const auto& item : sio::redis_test::vector_list("requests")) {
        const auto& v = item.as_object();
        const auto channel = sio::redis_test::str(v, "channel");
        EXPECT_TRUE(channel == request_channel("socket.io", "/") || channel == request_channel("socket.io", "/chat"))
            << channel;
    }
    for (const auto& item : sio::redis_test::vector_list("responses"))
        EXPECT_EQ(sio::redis_test::str(item.as_object(), "channel"), response_channel("socket.io", "/"));
}

}  // namespace
