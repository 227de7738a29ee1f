// socketio::Client on a protocol 3 session (socket.io-client 2.x admitted with allowEIO3,
// docs/protocol.md §1.14), as socket.io 4.8 serves it: joined to "/" on its own, CONNECT
// answers without payload, the auth from the namespace's query string, middleware refusals as
// the error's data or message alone; everything else as for protocol 4.

#include "socketio/client.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::engineio::CloseReason;
using sio::test::Connection;
using sio::test::Harness;

namespace {

using Frames = std::vector<std::string>;

TEST(SocketioClientEio3, JoinsTheMainNamespaceOnItsOwnOnALaterTurn) {
    Harness h;
    std::shared_ptr<Socket> seen;
    h.server.of("/").on_connection([&](Socket& s) { seen = s.shared_from_this(); });
    auto c = h.open(3);
    EXPECT_TRUE(c.take().empty());  // not from inside the engine's handshake
    h.ioc.poll();
    EXPECT_EQ(c.take(), Frames{"40"});  // no sid payload
    ASSERT_TRUE(seen);
    EXPECT_TRUE(seen->connected());
    EXPECT_EQ(seen->auth(), boost::json::object{});
    EXPECT_EQ(h.server.of("/").sockets().size(), 1u);
    EXPECT_FALSE(c.session->closed());
}

TEST(SocketioClientEio3, Protocol4ClientsAreNotJoinedOnTheirOwn) {
    Harness h;
    auto c = h.open(4);
    h.ioc.poll();
    EXPECT_TRUE(c.take().empty());
    EXPECT_TRUE(h.server.of("/").sockets().empty());
}

TEST(SocketioClientEio3, NoImplicitJoinOnceTheSessionClosed) {
    Harness h;
    int connections = 0;
    h.server.of("/").on_connection([&](Socket&) { ++connections; });
    auto c = h.open(3);
    c.engine_close(CloseReason::transport_close);
    h.ioc.poll();
    EXPECT_EQ(connections, 0);
    EXPECT_TRUE(c.take().empty());
}

TEST(SocketioClientEio3, CustomNamespaceAnswerHasNoPayloadAndTheQueryIsTheAuth) {
    Harness h;
    std::shared_ptr<Socket> seen;
    h.server.of("/custom").on_connection([&](Socket& s) { seen = s.shared_from_this(); });
    auto c = h.open(3);
    h.ioc.poll();
    c.take();
    c.recv("0/custom?token=abc&x=a+b%21&token=last,");
    EXPECT_EQ(c.take(), Frames{"40/custom,"});
    ASSERT_TRUE(seen);
    EXPECT_EQ(&seen->nsp(), h.server.find("/custom"));
    EXPECT_EQ(seen->auth(), (boost::json::object{{"token", "last"}, {"x", "a b!"}}));

    // Its packets name the namespace without the query.
    std::vector<std::string> got;
    h.server.of("/custom").on("ev", [&](Socket&, Payload args, Ack ack) {
        got.push_back(boost::json::serialize(args.args));
        if (ack) ack(std::move(args));
    });
    c.recv("2/custom,7[\"ev\",1]");
    EXPECT_EQ(got, std::vector<std::string>{"[1]"});
    EXPECT_EQ(c.take(), Frames{"43/custom,7[1]"});
}

TEST(SocketioClientEio3, MiddlewareRefusalSendsTheErrorDataOrElseItsMessage) {
    Harness h;
    h.server.of("/data").use([](Socket&, std::function<void(std::optional<ConnectError>)> next) {
        next(ConnectError{"unauthorized", boost::json::object{{"code", 401}}});
    });
    h.server.of("/plain").use([](Socket&, std::function<void(std::optional<ConnectError>)> next) {
        next(ConnectError{"not today", nullptr});
    });
    auto c = h.open(3);
    h.ioc.poll();
    c.take();
    c.recv("0/data,");
    EXPECT_EQ(c.take(), Frames{"44/data,{\"code\":401}"});
    c.recv("0/plain,");
    EXPECT_EQ(c.take(), Frames{"44/plain,\"not today\""});
    EXPECT_FALSE(c.session->closed());
}

TEST(SocketioClientEio3, UnknownNamespaceRefusalIsTheSameObjectAsForProtocol4) {
    Harness h;
    auto c = h.open(3);
    h.ioc.poll();
    c.take();
    c.recv("0/nope,");
    EXPECT_EQ(c.take(), Frames{"44/nope,{\"message\":\"Invalid namespace\"}"});
}

TEST(SocketioClientEio3, EventsAcksAndBinaryAreProtocol4s) {
    Harness h;
    h.server.of("/").on("echo", [](Socket& s, Payload args, Ack ack) {
        if (ack) {
            ack(std::move(args));
        } else {
            s.emit("echo", std::move(args));
        }
    });
    auto c = h.open(3);
    h.ioc.poll();
    c.take();
    c.recv("21[\"echo\",\"x\"]");
    EXPECT_EQ(c.take(), Frames{"431[\"x\"]"});
    c.recv("51-[\"echo\",{\"_placeholder\":true,\"num\":0}]");
    c.recv_binary("\x01\x02");
    EXPECT_EQ(c.take(), (Frames{"451-[\"echo\",{\"_placeholder\":true,\"num\":0}]", "bin:\x01\x02"}));
    c.recv("1");  // DISCONNECT from "/": the engine connection stays
    EXPECT_TRUE(h.server.of("/").sockets().empty());
    EXPECT_FALSE(c.session->closed());
}

TEST(SocketioClientEio3, AConnectForTheImplicitMainNamespaceIsAProtocolError) {
    Harness h;
    auto c = h.open(3);
    h.ioc.poll();
    c.take();
    c.recv("0");
    EXPECT_TRUE(c.session->closed());
}

}  // namespace
