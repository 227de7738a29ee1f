// sio::Server::route: the application's HTTP routes beside Socket.IO, over a real listener.

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>

#include <sio/sio.hpp>

#include "facade/router.hpp"
#include "unit/facade/http_client.hpp"

namespace {

using boost::beast::http::verb;
using sio::HttpReply;
using sio::HttpRequest;
using sio::HttpStatus;
using sio::test::http_request;

class FacadeRoutes : public ::testing::Test {
protected:
    void start(sio::ServerOptions opts = {}) {
        io_ = std::make_unique<sio::Server>(std::move(opts));
        add_routes(*io_);
        ASSERT_FALSE(io_->listen(0));
        port_ = io_->port();
        loop_ = std::thread([this] { io_->run(); });
    }
    void TearDown() override {
        if (!io_) return;
        io_->close();
        if (loop_.joinable()) loop_.join();
    }

    static void add_routes(sio::Server& io) {
        io.route(verb::post, "/push/", [](const HttpRequest& req, HttpReply reply) {
            auto body = req.json();
            if (!body) return reply.error(HttpStatus::bad_request, "body is not JSON");
            reply.json({{"id", req.tail()}, {"body", *body}, {"path", req.path()}});
        });
        io.route(verb::get, "/push", [](const HttpRequest& req, HttpReply reply) {
            reply.json({{"query", req.query("q") ? boost::json::value(*req.query("q")) : nullptr}});
        });
        io.route(verb::get, "throws", [](const HttpRequest&, HttpReply) -> void { throw std::runtime_error("boom"); });
        io.route(verb::get, "/forgets", [](const HttpRequest&, HttpReply) {});
        io.route(verb::get, "/later", [&io](const HttpRequest&, HttpReply reply) {
            boost::asio::post(io.executor(), [reply] { reply.text(HttpStatus::ok, "later"); });
        });
    }

    unsigned short port() const { return port_; }

private:
    std::unique_ptr<sio::Server> io_;
    unsigned short port_ = 0;
    std::thread loop_;
};

TEST_F(FacadeRoutes, MatchByPathThenVerb) {
    start();
    auto pushed = http_request(port(), verb::post, "/push/u%201", R"({"text":"hi"})");
    EXPECT_EQ(pushed.result_int(), 200u);
    EXPECT_EQ(pushed.body(), R"({"id":"u 1","body":{"text":"hi"},"path":"/push/u 1"})");
    EXPECT_EQ(pushed[boost::beast::http::field::content_type], "application/json");

    auto listed = http_request(port(), verb::get, "/push?other=1&q=a%26b+c");
    EXPECT_EQ(listed.body(), R"({"query":"a&b c"})");
    EXPECT_EQ(http_request(port(), verb::get, "/push").body(), R"({"query":null})");

    auto wrong_verb = http_request(port(), verb::delete_, "/push/u1");
    EXPECT_EQ(wrong_verb.result_int(), 405u);
    EXPECT_EQ(wrong_verb[boost::beast::http::field::allow], "POST, GET");
    EXPECT_EQ(wrong_verb.body(), R"({"error":"method not allowed"})");

    for (const char* target : {"/", "/pushy", "/nothing/here"}) {
        auto missing = http_request(port(), verb::get, target);
        EXPECT_EQ(missing.result_int(), 404u) << target;
        EXPECT_EQ(missing.body(), R"({"error":"not found"})") << target;
    }
}

TEST_F(FacadeRoutes, BadBodiesAreRefusedWithJsonErrors) {
    sio::ServerOptions opts;
    opts.route_body_limit = 64;
    start(opts);
    auto bad = http_request(port(), verb::post, "/push/u1", "{not json");
    EXPECT_EQ(bad.result_int(), 400u);
    EXPECT_EQ(bad.body(), R"({"error":"body is not JSON"})");
    auto empty = http_request(port(), verb::post, "/push/u1", "");
    EXPECT_EQ(empty.result_int(), 400u);
    auto large = http_request(port(), verb::post, "/push/u1", std::string(1000, ' '));
    EXPECT_EQ(large.result_int(), 413u);
    EXPECT_EQ(large.body(), R"({"error":"request body too large"})");
}

TEST_F(FacadeRoutes, AHandlerThatThrowsOrForgetsToAnswerGets500) {
    start();
    auto thrown = http_request(port(), verb::get, "/throws");
    EXPECT_EQ(thrown.result_int(), 500u);
    EXPECT_EQ(thrown.body(), R"({"error":"internal error"})");
    auto forgotten = http_request(port(), verb::get, "/forgets");
    EXPECT_EQ(forgotten.result_int(), 500u);
    EXPECT_EQ(forgotten.body(), R"({"error":"no response"})");
    auto later = http_request(port(), verb::get, "/later");
    EXPECT_EQ(later.result_int(), 200u);
    EXPECT_EQ(later.body(), "later");
    // The server lives on.
    EXPECT_EQ(http_request(port(), verb::post, "/push/x", "1").result_int(), 200u);
}

TEST(FacadeRouter, PathCoverage) {
    std::string tail;
    EXPECT_TRUE(sio::facade::covers("/push", "/push", tail));
    EXPECT_EQ(tail, "");
    EXPECT_TRUE(sio::facade::covers("/push", "/push/a/b", tail));
    EXPECT_EQ(tail, "a/b");
    EXPECT_FALSE(sio::facade::covers("/push", "/pushy", tail));
    EXPECT_FALSE(sio::facade::covers("/push", "/pus", tail));
    EXPECT_TRUE(sio::facade::covers("/", "/anything", tail));
    EXPECT_EQ(tail, "anything");
}

TEST(FacadeOptions, RedisUrl) {
    sio::ServerOptions opts;
    EXPECT_FALSE(opts.set_redis_url("redis://:secret@127.0.0.1:6390/2"));
    ASSERT_TRUE(opts.redis);
    EXPECT_EQ(opts.redis->port, 6390);
    EXPECT_EQ(opts.redis->password, "secret");
    EXPECT_EQ(opts.redis->db, 2);
    EXPECT_EQ(opts.set_redis_url("http://example"), sio::adapter::redis_error::unsupported_scheme);
    EXPECT_EQ(opts.redis->port, 6390);  // unchanged by the failed call
}

}  // namespace
