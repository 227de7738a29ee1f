#include <sio/adapter/redis_options.hpp>

#include <gtest/gtest.h>

namespace {

using sio::adapter::parse_redis_url;
using sio::adapter::redis_error;

TEST(RedisUrl, HostAndPort) {
    auto o = parse_redis_url("redis://redis.internal:6380");
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->host, "redis.internal");
    EXPECT_EQ(o->port, 6380);
    EXPECT_EQ(o->db, 0);
    EXPECT_TRUE(o->username.empty());
    EXPECT_TRUE(o->password.empty());
}

TEST(RedisUrl, Defaults) {
    auto o = parse_redis_url("redis://localhost");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->port, 6379);
    EXPECT_EQ(o->db, 0);
    EXPECT_EQ(o->connect_timeout.count(), 2000);
    EXPECT_EQ(o->command_timeout.count(), 5000);
    EXPECT_EQ(o->max_backoff.count(), 500);
    EXPECT_EQ(parse_redis_url("redis://localhost/")->db, 0);
    EXPECT_EQ(parse_redis_url("redis://localhost:")->port, 6379);
}

TEST(RedisUrl, UserPasswordAndDb) {
    auto o = parse_redis_url("redis://alice:s3cret@10.0.0.5:7000/4");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->username, "alice");
    EXPECT_EQ(o->password, "s3cret");
    EXPECT_EQ(o->host, "10.0.0.5");
    EXPECT_EQ(o->port, 7000);
    EXPECT_EQ(o->db, 4);
}

TEST(RedisUrl, PasswordOnly) {
    auto o = parse_redis_url("redis://:pa55@127.0.0.1:6379");
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->username.empty());
    EXPECT_EQ(o->password, "pa55");
}

TEST(RedisUrl, PercentDecodesUserinfo) {
    auto o = parse_redis_url("redis://us%40er:p%3Aw%2Fd%20x@h:1/2");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->username, "us@er");
    EXPECT_EQ(o->password, "p:w/d x");
}

TEST(RedisUrl, Ipv6Host) {
    auto o = parse_redis_url("redis://[::1]:6390");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->host, "::1");
    EXPECT_EQ(o->port, 6390);
}

TEST(RedisUrl, SchemeIsCaseInsensitive) {
    EXPECT_TRUE(parse_redis_url("REDIS://h:1"));
}

TEST(RedisUrl, RejectsOtherSchemes) {
    EXPECT_EQ(parse_redis_url("rediss://h:6379").error(), redis_error::unsupported_scheme);
    EXPECT_EQ(parse_redis_url("http://h:6379").error(), redis_error::unsupported_scheme);
    EXPECT_EQ(parse_redis_url("unix:///tmp/redis.sock").error(), redis_error::unsupported_scheme);
}

TEST(RedisUrl, RejectsBadPorts) {
    EXPECT_EQ(parse_redis_url("redis://h:0").error(), redis_error::bad_port);
    EXPECT_EQ(parse_redis_url("redis://h:65536").error(), redis_error::bad_port);
    EXPECT_EQ(parse_redis_url("redis://h:99999999999").error(), redis_error::bad_port);
    EXPECT_EQ(parse_redis_url("redis://h:abc").error(), redis_error::bad_port);
    EXPECT_EQ(parse_redis_url("redis://u:p@h:-1/0").error(), redis_error::bad_port);
    EXPECT_EQ(parse_redis_url("redis://[::1]:x").error(), redis_error::bad_port);
}

TEST(RedisUrl, RejectsBadDb) {
    EXPECT_EQ(parse_redis_url("redis://h:1/abc").error(), redis_error::bad_db);
    EXPECT_EQ(parse_redis_url("redis://h:1/-1").error(), redis_error::bad_db);
    EXPECT_EQ(parse_redis_url("redis://h:1/1/2").error(), redis_error::bad_db);
    EXPECT_EQ(parse_redis_url("redis://h:1/99999999999").error(), redis_error::bad_db);
}

TEST(RedisUrl, RejectsMissingHostAndGarbage) {
    EXPECT_EQ(parse_redis_url("redis://:6379").error(), redis_error::missing_host);
    EXPECT_EQ(parse_redis_url("redis:///0").error(), redis_error::missing_host);
    EXPECT_EQ(parse_redis_url("not a url").error(), redis_error::invalid_url);
    EXPECT_EQ(parse_redis_url("").error(), redis_error::invalid_url);
}

TEST(RedisUrl, UserWithoutPassword) {
    EXPECT_EQ(parse_redis_url("redis://alice@h:1").error(), redis_error::missing_password);
}

TEST(RedisUrl, ErrorsHaveClearMessages) {
    auto r = parse_redis_url("redis://h:0");
    EXPECT_EQ(r.error().message(), "redis URL port must be a number from 1 to 65535");
    EXPECT_STREQ(r.error().category().name(), "sio.redis");
}

}  // namespace
