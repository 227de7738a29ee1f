// Namespace registry and per-namespace behaviour.

#include <sio/socketio/namespace.hpp>

#include <sio/socketio/memory_adapter.hpp>

#include <gtest/gtest.h>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Harness;

namespace {

TEST(Namespace, NamesAreNormalisedAndMainAlwaysExists) {
    Harness h;
    EXPECT_NE(h.server.find("/"), nullptr);
    EXPECT_EQ(h.server.find("/chat"), nullptr);
    auto& chat = h.server.of("chat");
    EXPECT_EQ(chat.name(), "/chat");
    EXPECT_EQ(&h.server.of("/chat"), &chat);
    EXPECT_EQ(h.server.find("/chat"), &chat);
    EXPECT_EQ(&chat.server(), &h.server);
}

TEST(Namespace, EventHandlersArePerNamespace) {
    Harness h;
    h.server.of("/a");
    std::vector<std::string> seen;
    h.server.of("/").on("e", [&](Socket&, Payload, Ack) { seen.push_back("/"); });
    h.server.of("/a").on("e", [&](Socket&, Payload, Ack) { seen.push_back("/a"); });
    auto c = h.open();
    h.join(c, "/");
    h.join(c, "/a");
    c.recv("2/a,[\"e\"]");
    c.recv("2[\"e\"]");
    EXPECT_EQ(seen, (std::vector<std::string>{"/a", "/"}));
}

TEST(Namespace, HandlerCanEmitBackAndJoinRooms) {
    Harness h;
    h.server.of("/").on("join", [&](Socket& s_ref, Payload args, Ack ack) {
        auto s = s_ref.shared_from_this();
        s->join(std::string(args.args.at(0).as_string()));
        s->emit("joined", std::move(args));
        if (ack) ack();
    });
    auto c = h.open();
    auto sid = h.join(c);
    c.recv("23[\"join\",\"r1\"]");
    EXPECT_EQ(c.take(), (std::vector<std::string>{"42[\"joined\",\"r1\"]", "433[]"}));
    EXPECT_EQ(h.server.of("/").socket(sid)->rooms().size(), 2u);
    h.server.of("/").to("r1").emit("in-room");
    EXPECT_EQ(c.take(), std::vector<std::string>{"42[\"in-room\"]"});
}

TEST(Namespace, ConnectionHandlerMayDisconnect) {
    Harness h;
    h.server.of("/").on_connection([](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        s->disconnect();
    });
    auto c = h.open();
    c.recv("0");
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_TRUE(frames[0].starts_with("40{"));
    EXPECT_EQ(frames[1], "41");
    EXPECT_TRUE(h.server.of("/").sockets().empty());
}

TEST(Namespace, DisconnectHandlerRunsForEveryConnectedSocketOfItsNamespaceOnly) {
    Harness h;
    h.server.of("/a");
    std::vector<std::string> seen;
    h.server.of("/a").on_disconnect(
        [&](Socket& socket, DisconnectReason why) { seen.push_back(socket.id() + " " + std::string(to_string(why))); });
    // Refused by a middleware: never connected, so no disconnect.
    h.server.of("/a").use([](Socket& socket, auto next) {
        if (socket.auth().contains("refuse")) return next(ConnectError{"no", nullptr});
        next(std::nullopt);
    });
    auto c1 = h.open();
    auto sid1 = h.join(c1, "/a");
    h.join(c1, "/");  // a socket of another namespace on the same connection
    auto c2 = h.open();
    auto sid2 = h.join(c2, "/a");
    auto c3 = h.open();
    h.join(c3, "/a", R"({"refuse":true})");
    c1.recv("1/a,");  // the client leaves /a
    c2.engine_close(engineio::CloseReason::transport_close);
    c3.engine_close(engineio::CloseReason::transport_close);
    EXPECT_EQ(seen, (std::vector<std::string>{sid1 + " client namespace disconnect", sid2 + " transport close"}));
    c1.engine_close(engineio::CloseReason::transport_close);  // "/" has no handler
    EXPECT_EQ(seen.size(), 2u);
}

TEST(Namespace, ServerSideHandlerDispatch) {
    Harness h;
    boost::json::value got;
    h.server.of("/").on_server_side("sync", [&](Payload args, std::function<void(boost::json::value)> ack) {
        got = args.args.at(0);
        if (ack) ack(boost::json::value(1));
    });
    boost::json::value acked;
    h.server.of("/").dispatch_server_side("sync", Payload(boost::json::array{"x"}),
                                          [&](boost::json::value v) { acked = std::move(v); });
    EXPECT_EQ(got, "x");
    EXPECT_EQ(acked, 1);
    h.server.of("/").dispatch_server_side("unknown", {}, {});
}

TEST(Namespace, SocketEngineInfo) {
    Harness h;
    auto c = h.open();
    auto s = h.server.of("/").socket(h.join(c));
    EXPECT_EQ(s->engine_id(), c.session->id());
    EXPECT_EQ(s->transport(), "websocket");
    EXPECT_EQ(s->handshake().address(), "::ffff:127.0.0.1");
    c.engine_close(engineio::CloseReason::transport_close);
    EXPECT_EQ(s->engine_id(), "");
    EXPECT_FALSE(s->connected());
}

TEST(Namespace, ConnIsTheEngineSessionWithItsEvents) {
    Harness h;
    auto c = h.open();
    auto s = h.server.of("/").socket(h.join(c));
    ASSERT_EQ(s->conn(), c.session.get());
    EXPECT_EQ(s->conn()->protocol(), 4);

    std::vector<std::string> events;
    s->conn()->on_upgrading([&](std::string_view t) { events.push_back("upgrading " + std::string(t)); });
    s->conn()->on_upgrade([&](std::string_view t) { events.push_back("upgrade " + std::string(t)); });
    s->conn()->on_close([&](engineio::CloseReason r) { events.push_back(std::string(engineio::to_string(r))); });
    c.session->fire_upgrading("websocket");
    c.session->fire_upgrade("websocket");
    EXPECT_EQ(s->conn()->transport_name(), "websocket");
    c.session->fire_close(engineio::CloseReason::transport_close);
    EXPECT_EQ(events, (std::vector<std::string>{"upgrading websocket", "upgrade websocket", "transport close"}));

    c.engine_close(engineio::CloseReason::transport_close);
    EXPECT_EQ(s->conn(), nullptr);  // the session is the engine's: not reachable once disconnected
}

TEST(Namespace, Protocol3SocketIdsAreDerivedFromTheEngineSidAsSocketIo2s) {
    Harness h;
    std::vector<std::string> ids;
    h.server.of("/").on_connection([&](Socket& s) { ids.push_back(s.id()); });
    h.server.of("/custom").on_connection([&](Socket& s) { ids.push_back(s.id()); });
    auto v2 = h.open(3);
    h.poll();  // joined to "/" on its own
    v2.recv("0/custom,");
    auto v4 = h.open(4);
    auto v4_id = h.join(v4);
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_EQ(ids[0], v2.session->id());
    EXPECT_EQ(ids[1], "/custom#" + v2.session->id());
    EXPECT_EQ(ids[2], v4_id);
    EXPECT_NE(v4_id, v4.session->id());  // protocol 4: never the engine's sid
    EXPECT_NE(h.server.of("/").socket(v2.session->id()), nullptr);
}

TEST(Namespace, CustomAdapterFactoryIsUsed) {
    ServerOptions options;
    int made = 0;
    options.adapter_factory = [&](Namespace& nsp) -> std::unique_ptr<Adapter> {
        ++made;
        return std::make_unique<socketio::MemoryAdapter>(nsp);
    };
    Harness h(options);
    h.server.of("/x");
    EXPECT_EQ(made, 2);
}

}  // namespace
