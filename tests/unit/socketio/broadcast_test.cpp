// BroadcastOperator: value semantics, targeting from a socket, reserved names, broadcast acks.

#include <sio/socketio/broadcast.hpp>

#include <gtest/gtest.h>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

struct Room {
    Harness h;
    std::vector<Connection> conns;
    std::vector<std::string> sids;

    explicit Room(int n, ServerOptions options = {}) : h(std::move(options)) {
        conns.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            conns.push_back(h.open());
            sids.push_back(h.join(conns.back()));
        }
    }
    Namespace& nsp() { return h.server.of("/"); }
    std::shared_ptr<Socket> socket(int i) { return nsp().socket(sids[static_cast<std::size_t>(i)]); }
    std::vector<std::string> got(int i) { return conns[static_cast<std::size_t>(i)].take(); }
};

TEST(BroadcastOperator, IsAnImmutableValue) {
    Room r(0);
    auto base = r.nsp().to("a");
    auto more = base.to("b").except("c").volatile_().local().timeout(std::chrono::milliseconds(5));
    EXPECT_EQ(base.options().rooms, std::vector<std::string>{"a"});
    EXPECT_TRUE(base.options().except.empty());
    EXPECT_FALSE(base.options().flags.is_volatile);
    EXPECT_EQ(more.options().rooms, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(more.options().except, std::vector<std::string>{"c"});
    EXPECT_TRUE(more.options().flags.is_volatile);
    EXPECT_TRUE(more.options().flags.local);
    EXPECT_EQ(more.options().flags.timeout, std::chrono::milliseconds(5));
    EXPECT_EQ(base.to("a").in("a").options().rooms.size(), 1u);  // a set
}

TEST(BroadcastOperator, EmitToAllAndRooms) {
    Room r(3);
    r.socket(1)->join("a");
    EXPECT_TRUE(r.nsp().emit("hi", Payload(boost::json::array{1})));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(r.got(i), std::vector<std::string>{"42[\"hi\",1]"});
    r.nsp().to("a").emit("room");
    EXPECT_TRUE(r.got(0).empty());
    EXPECT_EQ(r.got(1), std::vector<std::string>{"42[\"room\"]"});
    r.nsp().except("a").emit("x");
    EXPECT_EQ(r.got(0).size(), 1u);
    EXPECT_TRUE(r.got(1).empty());
}

TEST(BroadcastOperator, FromSocketExcludesTheSender) {
    Room r(3);
    r.socket(0)->join("a");
    r.socket(1)->join("a");
    r.socket(0)->broadcast().emit("b");
    EXPECT_TRUE(r.got(0).empty());
    EXPECT_EQ(r.got(1).size(), 1u);
    EXPECT_EQ(r.got(2).size(), 1u);
    r.socket(0)->to("a").emit("t");
    EXPECT_TRUE(r.got(0).empty());
    EXPECT_EQ(r.got(1).size(), 1u);
    EXPECT_TRUE(r.got(2).empty());
    r.socket(2)->except("a").emit("e");
    EXPECT_TRUE(r.got(0).empty() && r.got(1).empty() && r.got(2).empty());
}

TEST(BroadcastOperator, ReservedNamesAreRefused) {
    Room r(1);
    for (auto name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
        EXPECT_TRUE(is_reserved_event(name));
        EXPECT_FALSE(r.nsp().emit(name));
        EXPECT_FALSE(r.socket(0)->emit(name));
    }
    EXPECT_FALSE(is_reserved_event("error"));
    EXPECT_TRUE(r.got(0).empty());
}

TEST(BroadcastOperator, SocketsJoinLeaveDisconnect) {
    Room r(2);
    r.nsp().all().sockets_join({"z"});
    EXPECT_EQ(r.socket(0)->rooms().size(), 2u);
    r.nsp().to("z").except(r.sids[1]).sockets_leave({"z"});
    EXPECT_EQ(r.socket(0)->rooms().size(), 1u);
    EXPECT_EQ(r.socket(1)->rooms().size(), 2u);
    std::vector<SocketInfo> infos;
    r.nsp().to("z").fetch_sockets([&](ErrorCode, std::vector<SocketInfo> v) { infos = std::move(v); });
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].id, r.sids[1]);
    r.nsp().to("z").disconnect_sockets();
    EXPECT_EQ(r.nsp().sockets().size(), 1u);
}

TEST(BroadcastOperator, EmitWithAckCompletesWhenEveryClientAnswered) {
    Room r(3);
    r.socket(0)->join("a");
    r.socket(1)->join("a");
    std::optional<BroadcastAckResult> result;
    ASSERT_TRUE(r.nsp()
                    .to("a")
                    .timeout(std::chrono::seconds(5))
                    .emit_with_ack("q", Payload(boost::json::array{1}),
                                   [&](BroadcastAckResult res) { result = std::move(res); }));
    auto f0 = r.got(0), f1 = r.got(1);
    EXPECT_EQ(f0, std::vector<std::string>{"420[\"q\",1]"});  // one id for all targets
    EXPECT_EQ(f1, std::vector<std::string>{"420[\"q\",1]"});
    EXPECT_TRUE(r.got(2).empty());
    r.conns[0].recv("30[\"a\",\"ignored\"]");
    EXPECT_FALSE(result);
    r.conns[0].recv("30[\"dup\"]");  // a second answer from the same client is ignored
    EXPECT_FALSE(result);
    r.conns[1].recv("30[{\"b\":2}]");
    ASSERT_TRUE(result);
    EXPECT_FALSE(result->timed_out);
    EXPECT_EQ(result->responses, (std::vector<boost::json::value>{"a", boost::json::object{{"b", 2}}}));
    // the next ack id of the namespace moved on
    r.socket(2)->emit_with_ack("x", [](ErrorCode, Payload) {});
    EXPECT_EQ(r.got(2), std::vector<std::string>{"421[\"x\"]"});
}

TEST(BroadcastOperator, EmitWithAckTimesOutWithPartialResponses) {
    Room r(2);
    std::optional<BroadcastAckResult> result;
    r.nsp().timeout(std::chrono::milliseconds(1)).emit_with_ack("q", Payload{}, [&](BroadcastAckResult res) {
        result = std::move(res);
    });
    r.conns[1].recv("30[7]");
    EXPECT_FALSE(result);
    EXPECT_TRUE(r.h.run_until([&] { return result.has_value(); }));
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->timed_out);
    EXPECT_EQ(result->responses, std::vector<boost::json::value>{7});
    r.conns[0].recv("30[8]");  // late answer: nothing more
}

TEST(BroadcastOperator, EmitWithAckToNobodyCompletesAtOnce) {
    Room r(1);
    std::optional<BroadcastAckResult> result;
    r.nsp().to("empty").emit_with_ack("q", Payload{}, [&](BroadcastAckResult res) { result = std::move(res); });
    ASSERT_TRUE(result);
    EXPECT_FALSE(result->timed_out);
    EXPECT_TRUE(result->responses.empty());
}

TEST(BroadcastOperator, DisconnectedClientLeavesBroadcastAckToTimeout) {
    Room r(2);
    std::optional<BroadcastAckResult> result;
    r.nsp().timeout(std::chrono::milliseconds(1)).emit_with_ack("q", Payload{}, [&](BroadcastAckResult res) {
        result = std::move(res);
    });
    r.conns[0].recv("30[1]");
    r.conns[1].engine_close(engineio::CloseReason::transport_close);
    EXPECT_FALSE(result);
    EXPECT_TRUE(r.h.run_until([&] { return result.has_value(); }));
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->timed_out);
    EXPECT_EQ(result->responses.size(), 1u);
}

}  // namespace
