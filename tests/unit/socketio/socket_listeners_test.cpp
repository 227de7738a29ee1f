// Socket listeners: on/once/off, on_any/prepend_any/off_any, outgoing listeners (own emits and
// broadcasts), packet middlewares (socket.use) and their errors, disconnecting/disconnect,
// and application exceptions contained. Driven by frames on a FakeSession.

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include <sio/socketio/json.hpp>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

using One = sio::test::OneSocket;

TEST(SocketListeners, OnRunsEveryHandlerInOrderAfterTheNamespaceHandler) {
    One o;
    std::vector<std::string> seen;
    o.h.server.of("/").on("e", [&](Socket&, Payload args, Ack) { seen.push_back("nsp:" + to_json(args.args)); });
    o.socket->on("e", [&](Socket&, Payload args, Ack) { seen.push_back("a:" + to_json(args.args)); });
    o.socket->on("e", [&](Socket&, Payload args, Ack) { seen.push_back("b:" + to_json(args.args)); });
    o.socket->on("other", [&](Socket&, Payload, Ack) { seen.push_back("other"); });
    o.c.recv("2[\"e\",1]");
    EXPECT_EQ(seen, (std::vector<std::string>{"nsp:[1]", "a:[1]", "b:[1]"}));
    EXPECT_EQ(o.socket->listener_count("e"), 2u);
}

TEST(SocketListeners, OnceRunsOnceAndOffRemoves) {
    One o;
    int once = 0, kept = 0, removed = 0;
    o.socket->once("e", [&](Socket&, Payload, Ack) { ++once; });
    o.socket->on("e", [&](Socket&, Payload, Ack) { ++kept; });
    auto id = o.socket->on("e", [&](Socket&, Payload, Ack) { ++removed; });
    EXPECT_TRUE(o.socket->off(id));
    EXPECT_FALSE(o.socket->off(id));  // already gone
    o.c.recv("2[\"e\"]");
    o.c.recv("2[\"e\"]");
    EXPECT_EQ(once, 1);
    EXPECT_EQ(kept, 2);
    EXPECT_EQ(removed, 0);
    o.socket->off("e");
    o.c.recv("2[\"e\"]");
    EXPECT_EQ(kept, 2);
    EXPECT_EQ(o.socket->listener_count("e"), 0u);
}

TEST(SocketListeners, OnAnySeesEveryEventFirstAndPrependAnyBeforeIt) {
    One o;
    std::vector<std::string> seen;
    o.socket->on("e", [&](Socket&, Payload, Ack) { seen.push_back("handler"); });
    o.socket->on_any([&](Socket&, std::string_view event, const Payload& args) {
        seen.push_back("any:" + std::string(event) + to_json(args.args));
    });
    o.socket->prepend_any(
        [&](Socket&, std::string_view event, const Payload&) { seen.push_back("first:" + std::string(event)); });
    o.c.recv("2[\"e\",\"x\"]");
    o.c.recv("2[\"unhandled\"]");  // any-listeners also see events nobody handles
    EXPECT_EQ(seen,
              (std::vector<std::string>{"first:e", "any:e[\"x\"]", "handler", "first:unhandled", "any:unhandled[]"}));
    EXPECT_EQ(o.socket->any_listener_count(), 2u);
    o.socket->off_any();
    seen.clear();
    o.c.recv("2[\"e\"]");
    EXPECT_EQ(seen, std::vector<std::string>{"handler"});
}

TEST(SocketListeners, OutgoingListenersSeeOwnEmitsAndBroadcasts) {
    Harness h;
    auto c1 = h.open();
    auto c2 = h.open();
    auto s1 = h.server.of("/").socket(h.join(c1));
    auto s2 = h.server.of("/").socket(h.join(c2));
    std::vector<std::string> seen;
    s1->on_any_outgoing([&](Socket&, std::string_view event, const Payload& args) {
        seen.push_back(std::string(event) + to_json(args.args));
    });
    s1->emit("own", 1);
    h.server.of("/").emit("all", Payload(boost::json::array{2}));
    s2->broadcast().emit("from-s2", Payload(boost::json::array{3}));
    s1->broadcast().emit("from-s1", Payload(boost::json::array{4}));  // s1 excluded: not sent to it
    h.server.of("/").all().emit_with_ack("asked", Payload(boost::json::array{5}), [](BroadcastAckResult) {});
    EXPECT_EQ(seen, (std::vector<std::string>{"own[1]", "all[2]", "from-s2[3]", "asked[5]"}));
    EXPECT_EQ(c1.take().size(), 4u);  // and every one of them was sent
}

TEST(SocketListeners, PacketMiddlewareMayChangeTheEventOrStopItWithAnError) {
    One o;
    std::vector<std::string> seen;
    o.socket->use([](Socket&, Event& event, Next next) {
        if (event.name == "forbidden") return next(Error{"not allowed", boost::json::object{{"event", event.name}}});
        event.args.args.push_back("added");
        next(std::nullopt);
    });
    o.socket->on("e", [&](Socket&, Payload args, Ack) { seen.push_back("e" + to_json(args.args)); });
    o.socket->on("forbidden", [&](Socket&, Payload, Ack) { seen.push_back("forbidden ran"); });
    o.socket->on_error([&](Socket&, const Error& error) { seen.push_back(error.message + to_json(error.data)); });
    o.c.recv("2[\"e\",1]");
    o.c.recv("2[\"forbidden\"]");
    EXPECT_EQ(seen, (std::vector<std::string>{"e[1,\"added\"]", "not allowed{\"event\":\"forbidden\"}"}));
}

TEST(SocketListeners, AsynchronousMiddlewareDropsTheEventIfTheSocketLeftMeanwhile) {
    One o;
    Next pending;
    bool ran = false;
    o.socket->use([&](Socket&, Event&, Next next) { pending = std::move(next); });
    o.socket->on("e", [&](Socket&, Payload, Ack) { ran = true; });
    o.c.recv("2[\"e\"]");
    ASSERT_TRUE(pending);
    o.c.recv("1");  // the client leaves the namespace
    pending(std::nullopt);
    EXPECT_FALSE(ran);
}

TEST(SocketListeners, DisconnectingStillSeesTheRoomsDisconnectDoesNot) {
    One o;
    o.socket->join("room1");
    std::vector<std::string> rooms_when_disconnecting, rooms_when_disconnected;
    DisconnectReason why{};
    o.socket->on_disconnecting([&](Socket& s, DisconnectReason r) {
        rooms_when_disconnecting = s.rooms();
        why = r;
    });
    o.socket->on_disconnect([&](Socket& s, DisconnectReason) { rooms_when_disconnected = s.rooms(); });
    int second = 0;
    o.socket->on_disconnect([&](Socket&, DisconnectReason) { ++second; });
    o.c.recv("1");
    std::vector<std::string> expected{o.socket->id(), "room1"};
    std::sort(expected.begin(), expected.end());  // rooms() is sorted
    EXPECT_EQ(rooms_when_disconnecting, expected);
    EXPECT_TRUE(rooms_when_disconnected.empty());
    EXPECT_EQ(why, DisconnectReason::client_namespace_disconnect);
    EXPECT_EQ(second, 1);
}

TEST(SocketListeners, AHandlerThatThrowsDoesNotStopTheOthersNorTheLoop) {
    One o;
    int after = 0;
    o.socket->on("e", [](Socket&, Payload, Ack) { throw std::runtime_error("application bug"); });
    o.socket->on("e", [&](Socket&, Payload, Ack) { ++after; });
    o.socket->on_any([](Socket&, std::string_view, const Payload&) { throw 42; });
    o.c.recv("2[\"e\"]");
    EXPECT_EQ(after, 1);
    EXPECT_TRUE(o.socket->connected());
    EXPECT_FALSE(o.c.session->closed());
}

TEST(SocketListeners, RemoveAllListenersForgetsEverything) {
    One o;
    int calls = 0;
    o.socket->on("e", [&](Socket&, Payload, Ack) { ++calls; });
    o.socket->on_any([&](Socket&, std::string_view, const Payload&) { ++calls; });
    o.socket->use([&](Socket&, Event&, Next next) {
        ++calls;
        next(std::nullopt);
    });
    o.socket->remove_all_listeners();
    o.c.recv("2[\"e\"]");
    EXPECT_EQ(calls, 0);
}

}  // namespace
