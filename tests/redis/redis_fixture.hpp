#pragma once
// Shared fixture of the `redis` tier: a fresh redis-server per test, an io_context run on the
// test thread, and small synchronous wrappers over the async client.

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "adapter/redis/redis_connection.hpp"
#include "redis/redis_server.hpp"

namespace sio::test {

using namespace std::chrono_literals;
using sio::adapter::redis_error;
using sio::adapter::RedisConnection;
using sio::adapter::RedisOptions;
using sio::adapter::RedisReply;

/** Runs `ioc` on this thread until `pred()` or `timeout`. */
inline bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& pred,
                      std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        if (ioc.stopped()) {
            ioc.restart();
        }
        if (ioc.run_one_for(10ms) == 0) {
            std::this_thread::sleep_for(1ms);
        }
    }
    return true;
}

class RedisFixture : public ::testing::Test {
protected:
    /** Extra redis-server arguments for this fixture (e.g. --requirepass). */
    virtual std::vector<std::string> server_args() { return {}; }

    void SetUp() override {
        if (!redis_server_available()) {
            if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
                FAIL() << "redis-server not found (required under CI=true)";
            }
            GTEST_SKIP() << "redis-server not found";
        }
        server_ = std::make_unique<RedisServer>(server_args());
        ASSERT_TRUE(server_->start()) << "could not start redis-server on port " << server_->port();
    }

    void TearDown() override {
        if (server_) {
            server_->stop();
        }
    }

    RedisOptions options() const {
        RedisOptions o;
        o.port = server_->port();
        return o;
    }

    struct Connected {
        std::shared_ptr<RedisConnection> conn;
        boost::system::error_code ec;
    };

    Connected connect(RedisOptions o) {
        Connected out;
        out.conn = RedisConnection::create(ioc_.get_executor(), std::move(o));
        bool done = false;
        out.conn->connect([&](boost::system::error_code ec) {
            out.ec = ec;
            done = true;
        });
        EXPECT_TRUE(run_until(
            ioc_, [&] { return done; }, 10s));
        return out;
    }

    std::shared_ptr<RedisConnection> connect_ok(RedisOptions o) {
        auto c = connect(std::move(o));
        EXPECT_FALSE(c.ec) << c.ec.message() << ": " << c.conn->last_error();
        return c.conn;
    }

    /** Sends one command and waits for its reply. */
    RedisReply cmd(const std::shared_ptr<RedisConnection>& conn, std::vector<std::string> args,
                   boost::system::error_code* ec_out = nullptr) {
        std::optional<RedisReply> reply;
        boost::system::error_code ec;
        conn->command(std::move(args), [&](boost::system::error_code e, RedisReply r) {
            ec = e;
            reply = std::move(r);
        });
        EXPECT_TRUE(run_until(
            ioc_, [&] { return reply.has_value(); }, 10s));
        if (ec_out != nullptr) {
            *ec_out = ec;
        } else {
            EXPECT_FALSE(ec) << ec.message() << " " << (reply ? reply->str : "");
        }
        return reply.value_or(RedisReply{});
    }

    boost::asio::io_context ioc_;
    std::unique_ptr<RedisServer> server_;
};

}  // namespace sio::test
