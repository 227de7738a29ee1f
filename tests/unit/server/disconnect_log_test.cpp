#include "disconnect_log.hpp"

#include <string>

#include <gtest/gtest.h>

using sio::server::DisconnectLog;

TEST(DisconnectLog, FindsRecordedReasonByIdAndNamespace) {
    DisconnectLog log;
    log.record("/", "a", "transport close");
    log.record("/custom", "b", "client namespace disconnect");
    ASSERT_TRUE(log.find("a").has_value());
    EXPECT_EQ(log.find("a")->reason, "transport close");
    EXPECT_EQ(log.find("a")->nsp, "/");
    EXPECT_EQ(log.find("/custom", "b")->reason, "client namespace disconnect");
    EXPECT_FALSE(log.find("/", "b").has_value());  // recorded in another namespace
    EXPECT_FALSE(log.find("c").has_value());
}

TEST(DisconnectLog, KeepsTheLastTenThousandByDefault) {
    DisconnectLog log;
    for (int i = 0; i < 10500; ++i) {
        log.record("/", std::to_string(i), "ping timeout");
    }
    EXPECT_EQ(log.size(), 10000U);
    EXPECT_FALSE(log.find("0").has_value());
    EXPECT_FALSE(log.find("499").has_value());
    ASSERT_TRUE(log.find("500").has_value());
    EXPECT_EQ(log.find("500")->reason, "ping timeout");
    EXPECT_TRUE(log.find("10499").has_value());
}

TEST(DisconnectLog, RecordingAgainReplacesAndRefreshes) {
    DisconnectLog log(3);
    log.record("/", "a", "transport close");
    log.record("/", "b", "transport close");
    log.record("/", "c", "transport close");
    log.record("/", "a", "server namespace disconnect");  // a is now the newest
    log.record("/", "d", "transport close");              // evicts b, the oldest
    EXPECT_EQ(log.size(), 3U);
    EXPECT_EQ(log.find("a")->reason, "server namespace disconnect");
    EXPECT_FALSE(log.find("b").has_value());
    EXPECT_TRUE(log.find("c").has_value());
    EXPECT_TRUE(log.find("d").has_value());
    // Keys are views into the entries: they must survive many evictions and refreshes.
    for (int i = 0; i < 100; ++i) {
        log.record("/", "k" + std::to_string(i % 5), std::to_string(i));
    }
    EXPECT_EQ(log.size(), 3U);
    EXPECT_EQ(log.find("k4")->reason, "99");
    EXPECT_EQ(log.find("k2")->reason, "97");
    EXPECT_FALSE(log.find("k1").has_value());
}
