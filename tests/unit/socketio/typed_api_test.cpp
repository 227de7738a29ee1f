// The typed API: handlers whose parameters are converted (and refused when they do not
// convert), variadic emit and ack with JSON-convertible and binary arguments, emits with ack
// through Asio completion tokens (callback, use_future, use_awaitable) and coroutine handlers.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace app {
struct Point {
    int x = 0;
    int y = 0;
    friend bool operator==(const Point&, const Point&) = default;
};
BOOST_DESCRIBE_STRUCT(Point, (), (x, y))
}  // namespace app

namespace {

using One = sio::test::OneSocket;

TEST(TypedHandler, ArgumentsAreConvertedToTheParameterTypes) {
    One o;
    std::optional<std::tuple<std::string, int, app::Point, std::optional<double>>> got;
    o.socket->on("move", [&](Socket&, std::string who, int step, app::Point to, std::optional<double> speed, Ack ack) {
        got.emplace(who, step, to, speed);
        ack("ok", to);
    });
    o.c.recv("21[\"move\",\"ann\",3,{\"x\":1,\"y\":2}]");
    ASSERT_TRUE(got);
    EXPECT_EQ(std::get<0>(*got), "ann");
    EXPECT_EQ(std::get<1>(*got), 3);
    EXPECT_EQ(std::get<2>(*got), (app::Point{1, 2}));
    EXPECT_FALSE(std::get<3>(*got));  // missing optional argument
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"431[\"ok\",{\"x\":1,\"y\":2}]"});
}

TEST(TypedHandler, AMistypedArgumentAnswersTheAckWithAnErrorAndSkipsTheHandler) {
    One o;
    bool ran = false;
    std::vector<std::string> errors;
    o.socket->on("move", [&](Socket&, std::string, int, Ack) { ran = true; });
    o.socket->on_error([&](Socket&, const Error& e) { errors.push_back(e.message); });
    o.c.recv("27[\"move\",\"ann\",\"three\"]");  // the attack: a string where an int belongs
    EXPECT_FALSE(ran);
    auto frames = o.c.take();
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_TRUE(frames[0].starts_with("437[")) << frames[0];
    auto answer = boost::json::parse(frames[0].substr(3));
    const auto& error = answer.as_array().at(0).as_object();
    EXPECT_EQ(error.at("error"), "invalid_argument");
    EXPECT_EQ(error.at("argument"), 1);
    EXPECT_FALSE(error.at("message").as_string().empty());
    EXPECT_EQ(errors, std::vector<std::string>{"invalid argument"});
    o.c.recv("28[\"move\",\"ann\"]");  // a missing argument is refused the same way
    EXPECT_FALSE(ran);
    EXPECT_EQ(o.c.take().size(), 1u);
    EXPECT_TRUE(o.socket->connected());
}

TEST(TypedHandler, BinaryAndJsonValueParameters) {
    One o;
    std::optional<Binary> bytes;
    boost::json::value rest;
    o.socket->on("upload", [&](Socket&, Binary b, boost::json::value meta) {
        bytes = std::move(b);
        rest = std::move(meta);
    });
    o.c.recv("51-[\"upload\",{\"_placeholder\":true,\"num\":0},{\"name\":\"f\"}]");
    o.c.recv_binary(std::string("\x00\x01\x02", 3));
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->view(), std::string("\x00\x01\x02", 3));
    EXPECT_EQ(rest, (boost::json::object{{"name", "f"}}));
    bytes.reset();
    o.c.recv("2[\"upload\",\"not bytes\",{}]");
    EXPECT_FALSE(bytes);
}

TEST(TypedHandler, NamespaceHandlersTakeTheSameShapes) {
    One o;
    std::vector<int> seen;
    o.h.server.of("/").on("n", [&](Socket& s, int n) { seen.push_back(n + static_cast<int>(s.id().size() * 0)); });
    o.c.recv("2[\"n\",5]");
    EXPECT_EQ(seen, std::vector<int>{5});
}

TEST(VariadicEmit, ArgumentsOfAnyConvertibleTypeAndBinary) {
    One o;
    const std::vector<std::byte> raw{std::byte{1}, std::byte{2}};
    o.socket->emit("ev", 1, "two", app::Point{3, 4}, std::vector<std::string>{"a"}, Binary(std::string("xy")),
                   std::span<const std::byte>(raw));
    auto frames = o.c.take();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0],
              "452-[\"ev\",1,\"two\",{\"x\":3,\"y\":4},[\"a\"],{\"_placeholder\":true,\"num\":0},"
              "{\"_placeholder\":true,\"num\":1}]");
    EXPECT_EQ(frames[1], "bin:xy");
    EXPECT_EQ(frames[2], std::string("bin:\x01\x02", 6));
    o.socket->send("hello");
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"42[\"message\",\"hello\"]"});
    o.socket->compress(false).emit("plain", true);  // accepted, no effect
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"42[\"plain\",true]"});
}

TEST(CompletionTokens, UseFutureGetsTheAckArguments) {
    One o;
    std::future<Payload> answer =
        o.socket->timeout(std::chrono::seconds(5)).emit_with_ack("q", 1, boost::asio::use_future);
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"420[\"q\",1]"});
    o.c.recv("30[\"yes\"]");
    o.h.poll();
    EXPECT_EQ(answer.get().args, boost::json::array{"yes"});
}

TEST(CompletionTokens, UseFutureThrowsTheTimeout) {
    One o;
    auto answer = o.socket->timeout(std::chrono::milliseconds(1)).emit_with_ack("q", boost::asio::use_future);
    EXPECT_TRUE(o.h.run_until([&] { return answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
    try {
        answer.get();
        ADD_FAILURE() << "no timeout";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), ack_errc::timeout);
    }
}

TEST(CompletionTokens, CoroutineHandlerAwaitsAnAckFromTheClient) {
    One o;
    // A coroutine handler: asks the client a question and answers its own ack with the reply.
    o.socket->on("ask", [](Socket& s, std::string question, Ack ack) -> boost::asio::awaitable<void> {
        Payload reply =
            co_await s.timeout(std::chrono::seconds(5)).emit_with_ack("q", question, boost::asio::use_awaitable);
        ack("client said", reply.args.at(0));
    });
    o.c.recv("27[\"ask\",\"why?\"]");
    o.h.poll();  // the coroutine starts and sends its question
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"420[\"q\",\"why?\"]"});
    o.c.recv("30[\"because\"]");
    o.h.poll();
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"437[\"client said\",\"because\"]"});
}

TEST(CompletionTokens, CoroutineHandlerExceptionIsContained) {
    One o;
    o.socket->on("boom", [](Socket&, Payload, Ack) -> boost::asio::awaitable<void> {
        throw std::runtime_error("bug in a coroutine");
        co_return;
    });
    int later = 0;
    o.socket->on("later", [&](Socket&) { ++later; });
    o.c.recv("2[\"boom\"]");
    o.h.poll();
    EXPECT_TRUE(o.socket->connected());
    o.c.recv("2[\"later\"]");  // the loop and the socket still work
    o.h.poll();
    EXPECT_EQ(later, 1);
}

TEST(CompletionTokens, AllRoomsThroughACallbackAFutureAndACoroutine) {
    One o;
    o.socket->join(std::vector<std::string>{"b", "a"});
    auto second = o.h.open();
    auto second_id = o.h.join(second);
    o.h.server.of("/").socket(second_id)->join("a");
    const std::vector<std::string> expected = [&] {
        std::vector<std::string> v{"a", "b", o.socket->id(), second_id};
        std::sort(v.begin(), v.end());
        return v;
    }();
    auto& nsp = o.h.server.of("/");

    std::vector<std::string> by_callback;
    nsp.all_rooms([&](ErrorCode ec, std::vector<std::string> rooms) {
        EXPECT_FALSE(ec);
        by_callback = std::move(rooms);
    });
    o.h.poll();
    EXPECT_EQ(by_callback, expected);  // each room once, sorted

    auto future = nsp.all_rooms(boost::asio::use_future);
    o.h.poll();
    EXPECT_EQ(future.get(), expected);

    std::vector<std::string> by_coroutine;
    boost::asio::co_spawn(
        o.h.ioc,
        [&]() -> boost::asio::awaitable<void> { by_coroutine = co_await nsp.all_rooms(boost::asio::use_awaitable); },
        boost::asio::detached);
    o.h.poll();
    EXPECT_EQ(by_coroutine, expected);
}

}  // namespace
