#include "disconnect_log.hpp"

#include <string>

#include <gtest/gtest.h>

using sio::server::DisconnectLog;

TEST(DisconnectLog, FindsRecordedReasonPerNamespaceAndId) {
    DisconnectLog log;
    log.record("/", "a", "transport close");
    log.record("/custom", "a", "client namespace disconnect");
    EXPECT_EQ(log.find("/", "a"), "transport close");
    EXPECT_EQ(log.find("/custom", "a"), "client namespace disconnect");
    EXPECT_FALSE(log.find("/secure", "a").has_value());
    EXPECT_FALSE(log.find("/", "b").has_value());
}

TEST(DisconnectLog, KeysDoNotCollideAcrossTheSeparator) {
    DisconnectLog log;
    log.record("/a", "b", "one");
    EXPECT_FALSE(log.find("/", "ab").has_value());
    EXPECT_FALSE(log.find("/ab", "").has_value());
}

TEST(DisconnectLog, KeepsTheLastTenThousandByDefault) {
    DisconnectLog log;
    for (int i = 0; i < 10500; ++i) {
        log.record("/", std::to_string(i), "ping timeout");
    }
    EXPECT_EQ(log.size(), 10000U);
    EXPECT_FALSE(log.find("/", "0").has_value());
    EXPECT_FALSE(log.find("/", "499").has_value());
    EXPECT_EQ(log.find("/", "500"), "ping timeout");
    EXPECT_EQ(log.find("/", "10499"), "ping timeout");
}

TEST(DisconnectLog, RecordingAgainReplacesAndRefreshes) {
    DisconnectLog log(3);
    log.record("/", "a", "transport close");
    log.record("/", "b", "transport close");
    log.record("/", "c", "transport close");
    log.record("/", "a", "server namespace disconnect");  // a is now the newest
    log.record("/", "d", "transport close");              // evicts b, the oldest
    EXPECT_EQ(log.size(), 3U);
    EXPECT_EQ(log.find("/", "a"), "server namespace disconnect");
    EXPECT_FALSE(log.find("/", "b").has_value());
    EXPECT_TRUE(log.find("/", "c").has_value());
    EXPECT_TRUE(log.find("/", "d").has_value());
}
