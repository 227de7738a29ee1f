// socketio::Client through Server::accept(): CONNECT flow, routing, protocol violations,
// disconnects and the connect timeout, checked on the frames a FakeSession records.

#include "socketio/client.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::engineio::CloseReason;
using sio::test::Connection;
using sio::test::Harness;

namespace {

std::vector<std::string> texts(std::initializer_list<std::string> l) {
    return l;
}

TEST(SocketioClient, ConnectMainNamespaceAnswersSidAndRunsHandlers) {
    Harness h;
    std::shared_ptr<Socket> seen;
    h.server.of("/").on_connection([&](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        EXPECT_TRUE(s->connected());
        seen = s;
    });
    auto c = h.open();
    c.recv("0");
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_TRUE(frames[0].starts_with("40{\"sid\":\""));
    std::string sid = Harness::sid_of(frames[0]);
    EXPECT_EQ(sid.size(), 20u);
    EXPECT_NE(sid, c.session->id());
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->id(), sid);
    EXPECT_EQ(seen->rooms(), std::vector<std::string>{sid});
    EXPECT_TRUE(seen->pid().empty());
    EXPECT_EQ(seen->auth(), boost::json::object{});
    EXPECT_EQ(h.server.of("/").sockets().size(), 1u);
}

TEST(SocketioClient, ConnectCustomNamespaceWithAuth) {
    Harness h;
    std::shared_ptr<Socket> seen;
    h.server.of("custom").on_connection([&](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        seen = s;
    });
    auto c = h.open();
    c.recv("0/custom,{\"token\":\"x\"}");
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].starts_with("40/custom,{\"sid\":\"")) << frames[0];
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->auth(), (boost::json::object{{"token", "x"}}));
    EXPECT_EQ(&seen->nsp(), h.server.find("/custom"));
}

TEST(SocketioClient, UnknownNamespaceIsRefusedAndConnectionKept) {
    Harness h;
    auto c = h.open();
    c.recv("0/nope,");
    EXPECT_EQ(c.take(), texts({"44/nope,{\"message\":\"Invalid namespace\"}"}));
    EXPECT_FALSE(c.session->closed());
    EXPECT_FALSE(h.join(c).empty());  // the main namespace still works on the same connection
}

TEST(SocketioClient, SeveralNamespacesOverOneConnectionHaveDistinctIds) {
    Harness h;
    h.server.of("/admin");
    auto c = h.open();
    auto a = h.join(c, "/");
    auto b = h.join(c, "/admin");
    EXPECT_NE(a, b);
    EXPECT_EQ(h.server.of("/").sockets().size(), 1u);
    EXPECT_EQ(h.server.of("/admin").sockets().size(), 1u);
}

TEST(SocketioClient, MiddlewaresRunInOrderAndCanRefuse) {
    Harness h;
    std::vector<int> order;
    auto& nsp = h.server.of("/");
    nsp.use([&](Socket& s, auto next) {
        order.push_back(1);
        EXPECT_FALSE(s.connected());
        next(std::nullopt);
    });
    nsp.use([&](Socket& s, auto next) {
        order.push_back(2);
        if (s.auth().contains("bad"))
            next(ConnectError{"not authorized", boost::json::object{{"code", 42}}});
        else if (s.auth().contains("plain"))
            next(ConnectError{"nope", nullptr});
        else
            next(std::nullopt);
    });
    bool connected = false;
    nsp.on_connection([&](Socket&) { connected = true; });

    auto c = h.open();
    c.recv("0{\"bad\":1}");
    EXPECT_EQ(c.take(), texts({"44{\"message\":\"not authorized\",\"data\":{\"code\":42}}"}));
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
    EXPECT_FALSE(connected);
    EXPECT_TRUE(nsp.sockets().empty());
    EXPECT_FALSE(c.session->closed());

    c.recv("0{\"plain\":1}");
    EXPECT_EQ(c.take(), texts({"44{\"message\":\"nope\"}"}));  // null data omitted

    c.recv("0");
    EXPECT_EQ(c.take().size(), 1u);
    EXPECT_TRUE(connected);
}

TEST(SocketioClient, LateMiddlewareResultAfterClientLeftIsIgnored) {
    Harness h;
    std::function<void(std::optional<ConnectError>)> pending;
    h.server.of("/").use([&](Socket&, auto next) { pending = std::move(next); });
    bool connected = false;
    h.server.of("/").on_connection([&](Socket&) { connected = true; });
    {
        auto c = h.open();
        c.recv("0");
        EXPECT_TRUE(c.take().empty());
        c.engine_close(CloseReason::transport_close);
    }  // session and client destroyed
    ASSERT_TRUE(pending);
    pending(std::nullopt);
    EXPECT_FALSE(connected);
    EXPECT_TRUE(h.server.of("/").sockets().empty());
}

TEST(SocketioClient, AsyncMiddlewareAdmitsLater) {
    Harness h;
    std::function<void(std::optional<ConnectError>)> pending;
    h.server.of("/").use([&](Socket&, auto next) { pending = std::move(next); });
    auto c = h.open();
    c.recv("0");
    EXPECT_TRUE(c.take().empty());
    pending(std::nullopt);
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].starts_with("40{"));
    pending(std::nullopt);  // a second call is ignored
    EXPECT_TRUE(c.take().empty());
}

TEST(SocketioClient, EventWithAckIsDispatchedAndAcknowledgedOnce) {
    Harness h;
    std::string got_sid;
    Payload got;
    Ack saved;
    h.server.of("/").on("chat", [&](Socket& s_ref, Payload args, Ack ack) {
        auto s = s_ref.shared_from_this();
        got_sid = s->id();
        got = std::move(args);
        saved = ack;
    });
    auto c = h.open();
    auto sid = h.join(c);
    c.recv("213[\"chat\",1,\"a\",{\"k\":[true]}]");
    EXPECT_EQ(got_sid, sid);
    EXPECT_EQ(got.args, (boost::json::array{1, "a", boost::json::object{{"k", boost::json::array{true}}}}));
    ASSERT_TRUE(saved);
    Ack copy = saved;
    saved(Payload(boost::json::array{"ok", 2}));
    copy(Payload(boost::json::array{"again"}));  // copies share the once-only state
    EXPECT_EQ(c.take(), texts({"4313[\"ok\",2]"}));
}

TEST(SocketioClient, EventWithoutAckIdHasEmptyAck) {
    Harness h;
    bool has_ack = true;
    h.server.of("/").on("x", [&](Socket&, Payload, Ack ack) { has_ack = static_cast<bool>(ack); });
    auto c = h.open();
    h.join(c);
    c.recv("2[\"x\"]");
    EXPECT_FALSE(has_ack);
}

TEST(SocketioClient, BinaryAckGoesOutAsOneUnit) {
    Harness h;
    h.server.of("/").on("bin", [&](Socket&, Payload args, Ack ack) {
        EXPECT_EQ(args.attachments, std::vector<std::string>{std::string("\x01\x02", 2)});
        Payload answer;
        answer.push_binary(std::string("\x03", 1));
        answer.args.emplace_back("x");
        ack(std::move(answer));
    });
    auto c = h.open();
    h.join(c);
    c.recv("51-7[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    EXPECT_TRUE(c.session->units().empty());  // waits for the attachment
    c.recv_binary(std::string("\x01\x02", 2));
    ASSERT_EQ(c.session->units().size(), 1u);
    EXPECT_EQ(c.take(), texts({"461-7[{\"_placeholder\":true,\"num\":0},\"x\"]", std::string("bin:\x03", 5)}));
}

TEST(SocketioClient, NumericEventNameIsAString) {
    Harness h;
    bool called = false;
    h.server.of("/").on("42", [&](Socket&, Payload args, Ack) {
        called = true;
        EXPECT_EQ(args.args, boost::json::array{"x"});
    });
    auto c = h.open();
    h.join(c);
    c.recv("2[42,\"x\"]");
    EXPECT_TRUE(called);
}

TEST(SocketioClient, EventWithoutHandlerOrPayloadIsIgnored) {
    Harness h;
    auto c = h.open();
    h.join(c);
    c.recv("21[\"nobody\"]");
    c.recv("2");
    EXPECT_TRUE(c.take().empty());
    EXPECT_FALSE(c.session->closed());
}

TEST(SocketioClient, DecodeErrorClosesWithForcedClose) {
    Harness h;
    std::optional<DisconnectReason> reason;
    h.server.of("/").on_connection([&](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        s->on_disconnect([&](Socket&, DisconnectReason r) { reason = r; });
    });
    auto c = h.open();
    h.join(c);
    c.recv("2[\"disconnect\"]");
    EXPECT_EQ(c.session->closes(), std::vector<CloseReason>{CloseReason::forced_close});
    EXPECT_FALSE(reason);  // the sockets close when the engine reports the close
    c.recv("2[\"x\"]");    // ignored after close()
    c.engine_close(CloseReason::forced_close);
    EXPECT_EQ(reason, DisconnectReason::forced_close);
    EXPECT_TRUE(h.server.of("/").sockets().empty());
}

TEST(SocketioClient, UnexpectedBinaryClosesTheConnection) {
    Harness h;
    auto c = h.open();
    h.join(c);
    c.recv_binary("zz");
    EXPECT_EQ(c.session->closes(), std::vector<CloseReason>{CloseReason::forced_close});
}

TEST(SocketioClient, EventBeforeConnectIsInvalidState) {
    Harness h;
    auto c = h.open();
    c.recv("2[\"x\"]");
    EXPECT_EQ(c.session->closes(), std::vector<CloseReason>{CloseReason::forced_close});
}

TEST(SocketioClient, SecondConnectIsInvalidState) {
    Harness h;
    auto c = h.open();
    h.join(c);
    c.recv("0");
    EXPECT_TRUE(c.session->closed());
}

TEST(SocketioClient, PacketForNamespaceNotJoinedIsInvalidState) {
    Harness h;
    h.server.of("/admin");
    auto c = h.open();
    h.join(c);
    c.recv("2/admin,[\"x\"]");
    EXPECT_TRUE(c.session->closed());
}

TEST(SocketioClient, ConnectErrorFromClientIsInvalidState) {
    Harness h;
    auto c = h.open();
    h.join(c);
    c.recv("4{\"message\":\"x\"}");
    EXPECT_TRUE(c.session->closed());
}

TEST(SocketioClient, ClientDisconnectClosesOneNamespaceOnly) {
    Harness h;
    h.server.of("/admin");
    std::vector<std::pair<std::string, DisconnectReason>> reasons;
    for (auto name : {"/", "/admin"})
        h.server.of(name).on_connection([&](Socket& s_ref) {
            auto s = s_ref.shared_from_this();
            s->on_disconnect([&](Socket& so, DisconnectReason r) { reasons.emplace_back(so.nsp().name(), r); });
        });
    auto c = h.open();
    h.join(c, "/");
    h.join(c, "/admin");
    c.recv("1/admin,");
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_EQ(reasons[0], std::make_pair(std::string("/admin"), DisconnectReason::client_namespace_disconnect));
    EXPECT_FALSE(c.session->closed());
    EXPECT_TRUE(h.server.of("/admin").sockets().empty());
    c.recv("2/admin,[\"x\"]");  // now a namespace not joined
    EXPECT_TRUE(c.session->closed());
}

TEST(SocketioClient, ServerDisconnectSendsDisconnectPacket) {
    Harness h;
    h.server.of("/admin");
    std::optional<DisconnectReason> reason;
    std::shared_ptr<Socket> socket;
    h.server.of("/admin").on_connection([&](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        socket = s;
        s->on_disconnect([&](Socket&, DisconnectReason r) { reason = r; });
    });
    auto c = h.open();
    h.join(c, "/admin");
    socket->disconnect();
    EXPECT_EQ(c.take(), texts({"41/admin,"}));
    EXPECT_EQ(reason, DisconnectReason::server_namespace_disconnect);
    EXPECT_FALSE(socket->connected());
    EXPECT_TRUE(socket->rooms().empty());
    EXPECT_FALSE(c.session->closed());
    EXPECT_FALSE(socket->emit("late"));
    socket->disconnect();  // idempotent
    EXPECT_TRUE(c.take().empty());
}

TEST(SocketioClient, DisconnectTrueDisconnectsEveryNamespaceThenCloses) {
    Harness h;
    h.server.of("/admin");
    std::vector<DisconnectReason> reasons;
    std::shared_ptr<Socket> main_socket;
    for (auto name : {"/", "/admin"})
        h.server.of(name).on_connection([&](Socket& s_ref) {
            auto s = s_ref.shared_from_this();
            if (s->nsp().name() == "/") main_socket = s;
            s->on_disconnect([&](Socket&, DisconnectReason r) { reasons.push_back(r); });
        });
    auto c = h.open();
    h.join(c, "/");
    h.join(c, "/admin");
    main_socket->disconnect(true);
    EXPECT_EQ(c.take(), texts({"41", "41/admin,"}));
    EXPECT_EQ(c.session->closes(), std::vector<CloseReason>{CloseReason::forced_close});
    EXPECT_EQ(reasons, std::vector<DisconnectReason>(2, DisconnectReason::server_namespace_disconnect));
    c.engine_close(CloseReason::forced_close);
    EXPECT_EQ(reasons.size(), 2u);
}

TEST(SocketioClient, EngineCloseReasonReachesEverySocket) {
    Harness h;
    h.server.of("/admin");
    std::vector<DisconnectReason> reasons;
    for (auto name : {"/", "/admin"})
        h.server.of(name).on_connection([&](Socket& s_ref) {
            auto s = s_ref.shared_from_this();
            s->on_disconnect([&](Socket&, DisconnectReason r) { reasons.push_back(r); });
        });
    auto c = h.open();
    h.join(c, "/");
    h.join(c, "/admin");
    c.engine_close(CloseReason::ping_timeout);
    EXPECT_EQ(reasons, std::vector<DisconnectReason>(2, DisconnectReason::ping_timeout));
    EXPECT_TRUE(h.server.of("/").sockets().empty());
    EXPECT_TRUE(h.server.of("/admin").sockets().empty());
}

TEST(SocketioClient, ConnectTimeoutClosesIdleConnection) {
    ServerOptions options;
    options.connect_timeout = std::chrono::milliseconds(1);
    Harness h(options);
    auto c = h.open();
    EXPECT_TRUE(h.run_until([&] { return c.session->closed(); }));
    EXPECT_EQ(c.session->closes(), std::vector<CloseReason>{CloseReason::forced_close});
}

TEST(SocketioClient, ConnectTimeoutDoesNotApplyOnceJoined) {
    ServerOptions options;
    options.connect_timeout = std::chrono::milliseconds(1);
    Harness h(options);
    auto c = h.open();
    h.join(c);
    c.recv("1");  // leaving again does not re-arm it
    h.ioc.run_for(std::chrono::milliseconds(3));
    EXPECT_FALSE(c.session->closed());
}

TEST(SocketioClient, PacketWithAttachmentsIsOneSend) {
    Harness h;
    std::shared_ptr<Socket> socket;
    h.server.of("/").on_connection([&](Socket& s) { socket = s.shared_from_this(); });
    auto c = h.open();
    h.join(c);
    Payload p;
    p.push_binary("ab");
    p.push_binary("cd");
    ASSERT_TRUE(socket->emit("bin", std::move(p)));
    ASSERT_EQ(c.session->units().size(), 1u);
    EXPECT_EQ(c.take(), texts({"452-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
                               "bin:ab", "bin:cd"}));
}

TEST(SocketioClient, VolatileEmitDroppedWhenNotWritable) {
    Harness h;
    std::shared_ptr<Socket> socket;
    h.server.of("/").on_connection([&](Socket& s) { socket = s.shared_from_this(); });
    auto c = h.open();
    h.join(c);
    c.session->set_writable(false);
    EXPECT_TRUE(socket->emit_volatile("v", Payload(boost::json::array{1})));
    EXPECT_TRUE(c.take().empty());
    EXPECT_EQ(c.session->dropped(), 1u);
    c.session->set_writable(true);
    socket->emit_volatile("v", Payload(boost::json::array{2}));
    EXPECT_EQ(c.take(), texts({"42[\"v\",2]"}));
}

TEST(SocketioClient, ServerCloseDisconnectsWithShuttingDown) {
    Harness h;
    std::optional<DisconnectReason> reason;
    h.server.of("/").on_connection([&](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        s->on_disconnect([&](Socket&, DisconnectReason r) { reason = r; });
    });
    auto c = h.open();
    h.join(c);
    h.server.close();
    EXPECT_EQ(reason, DisconnectReason::server_shutting_down);
    EXPECT_EQ(c.session->closes(), std::vector<CloseReason>{CloseReason::server_shutting_down});
}

TEST(SocketioClient, ServerDestroyedBeforeSessionsDetachesClients) {
    boost::asio::io_context ioc;  // outlives everything, as the event loop does
    test::FakeSession session;
    std::unique_ptr<engineio::SessionHandler> handler;
    bool disconnected = false;
    {
        Server server(ioc.get_executor(), {}, without_engine);
        server.of("/").on_connection([&](Socket& s_ref) {
            auto s = s_ref.shared_from_this();
            s->on_disconnect([&](Socket&, DisconnectReason) { disconnected = true; });
        });
        handler = server.accept(session);
        handler->on_message("0");
        EXPECT_EQ(session.take().size(), 1u);
    }
    handler->on_message("2[\"x\"]");  // nothing may touch the destroyed server
    handler->on_close(CloseReason::transport_close);
    handler.reset();
    ioc.poll();
    EXPECT_FALSE(session.closed());
    EXPECT_FALSE(disconnected);
}

}  // namespace
