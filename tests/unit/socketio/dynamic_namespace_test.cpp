// Parent namespaces (io.of(regex) / io.of(matcher)), new_namespace, and the adapter's room
// events (create-room, delete-room, join-room, leave-room).

#include <gtest/gtest.h>

#include <regex>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

TEST(ParentNamespace, RegexCreatesAChildWithTheParentsHandlersOnFirstConnect) {
    Harness h;
    auto& parent = h.server.of(std::regex("^/room-\\d+$"));
    std::vector<std::string> seen;
    parent.use([&](Socket& s, Next next) {
        seen.push_back("middleware " + s.nsp().name());
        next(std::nullopt);
    });
    parent.on_connection([&](Socket& s) { seen.push_back("connection " + s.nsp().name()); });
    parent.on("hi", [&](Socket& s, std::string text) { seen.push_back(s.nsp().name() + " says " + text); });
    std::vector<std::string> created;
    h.server.on_new_namespace([&](Namespace& nsp) { created.push_back(nsp.name()); });

    auto c = h.open();
    c.recv("0/room-12,");
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].starts_with("40/room-12,{\"sid\":")) << frames[0];
    c.recv("2/room-12,[\"hi\",\"there\"]");
    EXPECT_EQ(seen, (std::vector<std::string>{"middleware /room-12", "connection /room-12", "/room-12 says there"}));
    EXPECT_EQ(created, std::vector<std::string>{"/room-12"});
    ASSERT_EQ(parent.children().size(), 1u);
    EXPECT_EQ(parent.children()[0], h.server.find("/room-12"));

    parent.emit("to-all-children", 1);
    EXPECT_EQ(c.take(), std::vector<std::string>{"42/room-12,[\"to-all-children\",1]"});
}

TEST(ParentNamespace, NamesThatNoParentAdmitsAreRefused) {
    Harness h;
    h.server.of(std::regex("^/room-\\d+$"));
    auto c = h.open();
    c.recv("0/room-x,");  // the attack: a name outside the pattern
    EXPECT_EQ(c.take(), std::vector<std::string>{"44/room-x,{\"message\":\"Invalid namespace\"}"});
    EXPECT_EQ(h.server.find("/room-x"), nullptr);  // nothing was created for it
    EXPECT_FALSE(c.session->closed());
}

TEST(ParentNamespace, AsynchronousMatcherSeesTheAuthAndTheFirstAdmittingParentWins) {
    Harness h;
    std::function<void(bool)> pending;
    auto& first = h.server.of([&](const std::string&, const boost::json::object& auth, std::function<void(bool)> next) {
        EXPECT_EQ(auth, (boost::json::object{{"tenant", "t1"}}));
        pending = std::move(next);
    });
    auto& second = h.server.of(std::regex(".*"));
    int first_connections = 0, second_connections = 0;
    first.on_connection([&](Socket&) { ++first_connections; });
    second.on_connection([&](Socket&) { ++second_connections; });
    auto c = h.open();
    c.recv("0/t1,{\"tenant\":\"t1\"}");
    EXPECT_TRUE(c.take().empty());  // waiting for the matcher
    ASSERT_TRUE(pending);
    pending(true);
    EXPECT_EQ(c.take().size(), 1u);
    EXPECT_EQ(first_connections, 1);
    EXPECT_EQ(second_connections, 0);
}

TEST(ParentNamespace, ClientGoneBeforeTheMatcherAnswersIsIgnored) {
    Harness h;
    std::function<void(bool)> pending;
    h.server.of([&](const std::string&, const boost::json::object&, std::function<void(bool)> next) {
        pending = std::move(next);
    });
    auto c = h.open();
    c.recv("0/late,");
    c.engine_close(engineio::CloseReason::transport_close);
    c.handler.reset();
    pending(true);  // must not touch the departed client
    SUCCEED();
}

TEST(RoomEvents, CreateJoinLeaveDeleteInSocketIoOrder) {
    Harness h;
    auto& adapter = h.server.of("/").adapter();
    std::vector<std::string> events;
    adapter.on_create_room([&](const std::string& room) { events.push_back("create " + room); });
    adapter.on_delete_room([&](const std::string& room) { events.push_back("delete " + room); });
    adapter.on_join_room([&](const std::string& room, const std::string&) { events.push_back("join " + room); });
    adapter.on_leave_room([&](const std::string& room, const std::string&) { events.push_back("leave " + room); });
    auto c1 = h.open();
    auto c2 = h.open();
    auto s1 = h.server.of("/").socket(h.join(c1));
    auto s2 = h.server.of("/").socket(h.join(c2));
    events.clear();  // each socket's own room was created and joined too, as in Node
    s1->join("r");
    s2->join("r");
    s1->join("r");  // already in it: nothing
    s1->leave("r");
    c2.recv("1");  // s2 disconnects: leaves its own room and "r", which is now empty
    std::erase_if(events, [&](const std::string& e) { return e.find(s2->id()) != std::string::npos; });
    EXPECT_EQ(events, (std::vector<std::string>{"create r", "join r", "join r", "leave r", "leave r", "delete r"}));
}

}  // namespace
