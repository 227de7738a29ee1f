// fetch_sockets(token) returning RemoteSocket (emit/join/leave/disconnect through the adapter)
// and broadcasts with variadic arguments and completion tokens.

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/use_future.hpp>

#include <sio/socketio/remote_socket.hpp>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

struct Two {
    Harness h;
    Connection c1, c2;
    std::string id1, id2;
    Two() : c1(h.open()), c2(h.open()) {
        id1 = h.join(c1);
        id2 = h.join(c2);
        h.server.of("/").socket(id1)->join("room1");
    }
    std::vector<RemoteSocket> fetch(const BroadcastOperator& op) {
        std::vector<RemoteSocket> out;
        bool done = false;
        op.fetch_sockets([&](ErrorCode ec, std::vector<RemoteSocket> found) {
            EXPECT_FALSE(ec);
            out = std::move(found);
            done = true;
        });
        EXPECT_TRUE(h.run_until([&] { return done; }));
        return out;
    }
};

TEST(RemoteSocket, FetchSocketsGivesIdRoomsDataAndHandshake) {
    Two t;
    t.h.server.of("/").socket(t.id1)->data() = boost::json::object{{"user", "ann"}};
    auto found = t.fetch(t.h.server.of("/").to("room1"));
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].id(), t.id1);
    std::vector<std::string> expected{t.id1, "room1"};
    std::sort(expected.begin(), expected.end());  // rooms are sorted
    EXPECT_EQ(found[0].rooms(), expected);
    EXPECT_EQ(found[0].data(), (boost::json::object{{"user", "ann"}}));
    EXPECT_TRUE(found[0].handshake().as_object().contains("headers"));
    EXPECT_EQ(t.fetch(t.h.server.of("/").all()).size(), 2u);
}

TEST(RemoteSocket, EmitJoinLeaveDisconnectReachTheSocket) {
    Two t;
    auto found = t.fetch(t.h.server.of("/").to("room1"));
    ASSERT_EQ(found.size(), 1u);
    const RemoteSocket& remote = found[0];
    remote.emit("direct", 1, "two");
    EXPECT_EQ(t.c1.take(), std::vector<std::string>{"42[\"direct\",1,\"two\"]"});
    EXPECT_TRUE(t.c2.take().empty());  // only that socket
    auto rooms_of_1 = [&] {
        auto rooms = t.h.server.of("/").socket(t.id1)->rooms();
        std::erase(rooms, t.id1);
        return rooms;
    };
    remote.join("room2");
    EXPECT_EQ(rooms_of_1(), (std::vector<std::string>{"room1", "room2"}));
    remote.leave("room1");
    EXPECT_EQ(rooms_of_1(), std::vector<std::string>{"room2"});
    remote.disconnect();
    EXPECT_EQ(t.c1.take(), std::vector<std::string>{"41"});
    EXPECT_EQ(t.h.server.of("/").socket(t.id1), nullptr);
}

TEST(BroadcastTokens, VariadicEmitAndEmitWithAckThroughAFuture) {
    Two t;
    t.h.server.of("/").compress(true).to("room1").emit("news", "today", 3);  // compress: accepted, no effect
    EXPECT_EQ(t.c1.take(), std::vector<std::string>{"42[\"news\",\"today\",3]"});
    EXPECT_TRUE(t.c2.take().empty());

    auto answers =
        t.h.server.of("/").timeout(std::chrono::seconds(5)).emit_with_ack("poll", 1, boost::asio::use_future);
    t.h.poll();  // the adapter asks how many servers there are
    auto f1 = t.c1.take();
    ASSERT_EQ(f1.size(), 1u);
    EXPECT_EQ(f1[0], "420[\"poll\",1]");
    t.c1.recv("30[\"yes\"]");
    t.c2.recv("30[\"no\"]");
    EXPECT_TRUE(t.h.run_until([&] { return answers.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
    auto responses = answers.get();
    std::sort(responses.begin(), responses.end(),
              [](const auto& a, const auto& b) { return a.as_string() < b.as_string(); });
    EXPECT_EQ(responses, (std::vector<boost::json::value>{"no", "yes"}));
}

TEST(BroadcastTokens, TimeoutIsAnErrorWithThePartialResponsesInTheCallback) {
    Two t;
    ErrorCode got_ec;
    std::vector<boost::json::value> got;
    bool done = false;
    t.h.server.of("/")
        .timeout(std::chrono::milliseconds(1))
        .emit_with_ack("poll", [&](ErrorCode ec, std::vector<boost::json::value> responses) {
            got_ec = ec;
            got = std::move(responses);
            done = true;
        });
    t.c1.recv("30[\"yes\"]");
    EXPECT_TRUE(t.h.run_until([&] { return done; }));
    EXPECT_EQ(got_ec, ack_errc::timeout);
    EXPECT_EQ(got, std::vector<boost::json::value>{"yes"});
}

}  // namespace
