#include "config.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <thread>

#include <gtest/gtest.h>

using sio::server::Config;
using sio::server::ConfigError;
using sio::server::parse_config;
using sio::server::parse_redis_url;

namespace {

/** parse_config over a fixed environment. */
Config parse(std::map<std::string, std::string> env) {
    return parse_config([&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

/** The ConfigError message for `env`, or "" when it parses. */
std::string error_of(std::map<std::string, std::string> env) {
    try {
        parse(std::move(env));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ServerConfig, DefaultsAreTheContractTable) {
    Config cfg = parse({});
    EXPECT_EQ(cfg.port, 3000);
    EXPECT_EQ(cfg.host, "127.0.0.1");
    EXPECT_TRUE(cfg.unix_path.empty());
    EXPECT_EQ(cfg.instance_id.size(), 20U);
    EXPECT_FALSE(cfg.redis.has_value());
    EXPECT_EQ(cfg.ping_interval.count(), 25000);
    EXPECT_EQ(cfg.ping_timeout.count(), 20000);
    EXPECT_EQ(cfg.connect_timeout.count(), 45000);
    EXPECT_EQ(cfg.max_http_buffer_size, 1000000U);
    EXPECT_TRUE(cfg.cors_origins.empty());
    EXPECT_TRUE(cfg.api_token.empty());
    EXPECT_TRUE(cfg.connection_state_recovery);
    EXPECT_EQ(cfg.recovery_max_disconnection.count(), 120000);
    EXPECT_FALSE(cfg.allow_eio3);
    EXPECT_EQ(cfg.log_level, "info");
}

TEST(ServerConfig, RandomInstanceIdsDiffer) {
    EXPECT_NE(parse({}).instance_id, parse({}).instance_id);
    EXPECT_EQ(parse({{"INSTANCE_ID", "node-a"}}).instance_id, "node-a");
}

TEST(ServerConfig, ParsesEveryVariable) {
    Config cfg = parse({{"PORT", "0"},
                        {"HOST", "0.0.0.0"},
                        {"PING_INTERVAL", "300"},
                        {"PING_TIMEOUT", "200"},
                        {"CONNECT_TIMEOUT", "1000"},
                        {"MAX_HTTP_BUFFER_SIZE", "5000"},
                        {"CORS_ORIGINS", "http://a.test, http://b.test:8080,,"},
                        {"API_TOKEN", "s3cret"},
                        {"CONNECTION_STATE_RECOVERY", "false"},
                        {"RECOVERY_MAX_DISCONNECTION_MS", "5000"},
                        {"ALLOW_EIO3", "1"},
                        {"PARSER", "msgpack"},
                        {"LOG_LEVEL", "DEBUG"}});
    EXPECT_EQ(cfg.port, 0);
    EXPECT_EQ(cfg.host, "0.0.0.0");
    EXPECT_EQ(cfg.ping_interval.count(), 300);
    EXPECT_EQ(cfg.ping_timeout.count(), 200);
    EXPECT_EQ(cfg.connect_timeout.count(), 1000);
    EXPECT_EQ(cfg.max_http_buffer_size, 5000U);
    EXPECT_EQ(cfg.cors_origins, (std::vector<std::string>{"http://a.test", "http://b.test:8080"}));
    EXPECT_EQ(cfg.api_token, "s3cret");
    EXPECT_FALSE(cfg.connection_state_recovery);
    EXPECT_EQ(cfg.recovery_max_disconnection.count(), 5000);
    EXPECT_TRUE(cfg.allow_eio3);
    EXPECT_EQ(cfg.parser, "msgpack");
    EXPECT_EQ(cfg.log_level, "debug");
}

TEST(ServerConfig, EmptyValueMeansUnset) {
    Config cfg = parse({{"PORT", ""}, {"PING_INTERVAL", ""}, {"REDIS_URL", ""}});
    EXPECT_EQ(cfg.port, 3000);
    EXPECT_EQ(cfg.ping_interval.count(), 25000);
    EXPECT_FALSE(cfg.redis.has_value());
}

TEST(ServerConfig, RejectsNonNumericDurationsNamingTheVariable) {
    EXPECT_EQ(error_of({{"PING_INTERVAL", "abc"}}),
              "PING_INTERVAL: expected a positive integer (milliseconds, at most 2147483647), got \"abc\"");
    EXPECT_NE(error_of({{"PING_TIMEOUT", "-5"}}).find("PING_TIMEOUT:"), std::string::npos);
    EXPECT_NE(error_of({{"CONNECT_TIMEOUT", "0"}}).find("CONNECT_TIMEOUT:"), std::string::npos);
    EXPECT_NE(error_of({{"CONNECT_TIMEOUT", "12ms"}}).find("CONNECT_TIMEOUT:"), std::string::npos);
    EXPECT_NE(error_of({{"RECOVERY_MAX_DISCONNECTION_MS", "1e3"}}).find("RECOVERY_MAX_DISCONNECTION_MS:"),
              std::string::npos);
    EXPECT_NE(error_of({{"PING_INTERVAL", "99999999999999999999999"}}).find("PING_INTERVAL:"), std::string::npos);
    EXPECT_NE(error_of({{"MAX_HTTP_BUFFER_SIZE", "1MB"}}).find("MAX_HTTP_BUFFER_SIZE:"), std::string::npos);
    EXPECT_NE(error_of({{"MAX_HTTP_BUFFER_SIZE", "0"}}).find("MAX_HTTP_BUFFER_SIZE:"), std::string::npos);
}

TEST(ServerConfig, PortIsANumberOrAUnixSocketPath) {
    EXPECT_EQ(parse({{"PORT", "65535"}}).port, 65535);
    EXPECT_EQ(parse({{"PORT", "/tmp/sio.sock"}}).unix_path, "/tmp/sio.sock");
    EXPECT_EQ(parse({{"PORT", "./sio.sock"}}).unix_path, "./sio.sock");
    EXPECT_EQ(parse({{"PORT", "unix:/run/sio.sock"}}).unix_path, "/run/sio.sock");
    EXPECT_NE(error_of({{"PORT", "65536"}}).find("PORT: expected a port number 0-65535"), std::string::npos);
    EXPECT_NE(error_of({{"PORT", "http"}}).find("PORT:"), std::string::npos);
    EXPECT_NE(error_of({{"PORT", "-1"}}).find("PORT:"), std::string::npos);
}

TEST(ServerConfig, HostIsAnIpAddress) {
    EXPECT_EQ(parse({{"HOST", "::"}}).host, "::");
    EXPECT_EQ(parse({{"HOST", "localhost"}}).host, "127.0.0.1");
    EXPECT_NE(error_of({{"HOST", "example.com"}}).find("HOST: expected an IP address"), std::string::npos);
    EXPECT_NE(error_of({{"HOST", "1.2.3"}}).find("HOST:"), std::string::npos);
}

TEST(ServerConfig, BooleansAndLogLevels) {
    EXPECT_TRUE(parse({{"CONNECTION_STATE_RECOVERY", "1"}}).connection_state_recovery);
    EXPECT_TRUE(parse({{"CONNECTION_STATE_RECOVERY", "true"}}).connection_state_recovery);
    EXPECT_FALSE(parse({{"CONNECTION_STATE_RECOVERY", "0"}}).connection_state_recovery);
    EXPECT_FALSE(parse({{"CONNECTION_STATE_RECOVERY", "FALSE"}}).connection_state_recovery);
    EXPECT_NE(error_of({{"CONNECTION_STATE_RECOVERY", "maybe"}}).find("CONNECTION_STATE_RECOVERY:"), std::string::npos);
    EXPECT_FALSE(parse({{"ALLOW_EIO3", "0"}}).allow_eio3);
    EXPECT_TRUE(parse({{"ALLOW_EIO3", "1"}}).allow_eio3);
    EXPECT_EQ(error_of({{"ALLOW_EIO3", "2"}}), "ALLOW_EIO3: expected 1, 0, true or false, got \"2\"");
    EXPECT_EQ(parse({}).parser, "default");
    EXPECT_EQ(parse({{"PARSER", "msgpack"}}).parser, "msgpack");
    EXPECT_EQ(parse({{"PARSER", "MsgPack"}}).parser, "msgpack");
    EXPECT_EQ(parse({{"PARSER", "default"}}).parser, "default");
    EXPECT_EQ(error_of({{"PARSER", "json"}}), "PARSER: expected default or msgpack, got \"json\"");
    for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
        EXPECT_EQ(parse({{"LOG_LEVEL", level}}).log_level, level);
    }
    EXPECT_NE(error_of({{"LOG_LEVEL", "verbose"}}).find("LOG_LEVEL:"), std::string::npos);
}

TEST(ServerConfig, ThreadsDefaultToTheCoresAndAreBounded) {
    auto cores = std::thread::hardware_concurrency();
    EXPECT_EQ(parse({}).threads, cores == 0 ? 1U : std::min<std::size_t>(cores, 64));
    EXPECT_EQ(parse({{"THREADS", "1"}}).threads, 1U);
    EXPECT_EQ(parse({{"THREADS", "3"}}).threads, 3U);
    EXPECT_EQ(parse({{"THREADS", "64"}}).threads, 64U);
    for (const char* bad : {"0", "65", "-1", "two", "2.5"}) {
        auto error = error_of({{"THREADS", bad}});
        EXPECT_EQ(error.rfind("THREADS:", 0), 0U) << bad << ": " << error;
    }
}

TEST(ServerConfig, RedisUrl) {
    auto r = parse_redis_url("redis://localhost:6380/2");
    EXPECT_EQ(r.host, "localhost");
    EXPECT_EQ(r.port, 6380);
    EXPECT_EQ(r.db, 2U);
    EXPECT_TRUE(r.password.empty());

    r = parse_redis_url("redis://127.0.0.1");
    EXPECT_EQ(r.host, "127.0.0.1");
    EXPECT_EQ(r.port, 6379);
    EXPECT_EQ(r.db, 0U);

    r = parse_redis_url("redis://:p%40ss@redis.internal:7000");
    EXPECT_EQ(r.host, "redis.internal");
    EXPECT_EQ(r.password, "p@ss");
    EXPECT_TRUE(r.username.empty());
    EXPECT_EQ(r.display(), "redis://:***@redis.internal:7000/0");

    r = parse_redis_url("redis://alice:pw@[::1]:6379/");
    EXPECT_EQ(r.host, "::1");
    EXPECT_EQ(r.username, "alice");
    EXPECT_EQ(r.password, "pw");
    EXPECT_EQ(r.display(), "redis://alice:***@[::1]:6379/0");
}

TEST(ServerConfig, RejectsBadRedisUrls) {
    for (const char* url : {"localhost:6379", "http://localhost", "redis://", "redis://h:0", "redis://h:99999",
                            "redis://h:6379/db", "rediss://h"}) {
        EXPECT_NE(error_of({{"REDIS_URL", url}}).find("REDIS_URL:"), std::string::npos) << url;
    }
}

TEST(ServerConfig, RedisHostPortPasswordAndPrecedence) {
    auto cfg = parse({{"REDIS_HOST", "cache"}, {"REDIS_PORT", "7001"}, {"REDIS_PASSWORD", "pw"}});
    ASSERT_TRUE(cfg.redis.has_value());
    EXPECT_EQ(cfg.redis->host, "cache");
    EXPECT_EQ(cfg.redis->port, 7001);
    EXPECT_EQ(cfg.redis->password, "pw");

    cfg = parse({{"REDIS_HOST", "cache"}});
    EXPECT_EQ(cfg.redis->port, 6379);

    cfg = parse({{"REDIS_URL", "redis://url-host:6390"}, {"REDIS_HOST", "cache"}, {"REDIS_PORT", "7001"}});
    EXPECT_EQ(cfg.redis->host, "url-host");
    EXPECT_EQ(cfg.redis->port, 6390);

    // REDIS_PASSWORD fills in for a URL without one.
    cfg = parse({{"REDIS_URL", "redis://url-host"}, {"REDIS_PASSWORD", "pw"}});
    EXPECT_EQ(cfg.redis->password, "pw");

    EXPECT_NE(error_of({{"REDIS_HOST", "cache"}, {"REDIS_PORT", "x"}}).find("REDIS_PORT:"), std::string::npos);
    EXPECT_FALSE(parse({{"REDIS_PORT", "7001"}}).redis.has_value());
}
