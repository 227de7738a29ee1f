// sio::Server end to end on 127.0.0.1: the owned loop runs on a thread of the test, a blocking
// Beast client talks to it, and the test waits on futures that the server's handlers fulfil.

#include <chrono>
#include <future>
#include <regex>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/errc.hpp>

#include <sio/sio.hpp>

#include "unit/facade/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using boost::beast::http::verb;
using sio::test::http_request;
using sio::test::PollingClient;

/** Runs `io` on a thread; closes it and joins on destruction, so that a failed assertion
    never leaves the loop running. */
class Running {
public:
    explicit Running(sio::Server& io) : io_(io), thread_([&io] { io.run(); }) {}
    ~Running() { stop(); }
    void stop() {
        if (!thread_.joinable()) return;
        io_.close();
        thread_.join();
    }

private:
    sio::Server& io_;
    std::thread thread_;
};

TEST(FacadeServer, ListensOnAFreePortAndServesTheSocketIoPath) {
    sio::Server io;
    ASSERT_FALSE(io.listen(0));
    ASSERT_NE(io.port(), 0);
    Running running(io);

    PollingClient client(io.port());
    std::string handshake = client.open();
    EXPECT_TRUE(handshake.starts_with("0{\"sid\":")) << handshake;
    EXPECT_FALSE(client.sid().empty());
}

TEST(FacadeServer, ReportsAnAddressInUseAsAValue) {
    boost::asio::io_context other;
    boost::asio::ip::tcp::acceptor taken(other, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const unsigned short port = taken.local_endpoint().port();

    sio::Server io;
    auto ec = io.listen(port);
    EXPECT_EQ(ec, boost::system::errc::address_in_use) << ec.message();
    const std::error_code std_ec = ec;
    EXPECT_EQ(std_ec, std::errc::address_in_use) << std_ec.message();
    EXPECT_TRUE(io.listen(0, "not an address"));
}

TEST(FacadeServer, ConnectionHandlersAndBroadcastsReachAClient) {
    sio::Server io;
    std::promise<std::string> connected;
    io.on_connection([&](sio::Socket& socket) {
        socket.join("lobby");
        socket.emit("hello", "world", 1);
        connected.set_value(socket.auth().contains("user") ? std::string(socket.auth().at("user").as_string()) : "");
    });
    ASSERT_FALSE(io.listen(0));
    Running running(io);

    PollingClient client(io.port());
    client.open();
    ASSERT_EQ(client.send(R"(40{"user":"u1"})"), 200u);
    EXPECT_TRUE(client.next_starting_with("40").starts_with("40{\"sid\":"));
    EXPECT_EQ(client.next_starting_with("42"), R"(42["hello","world",1])");
    EXPECT_EQ(connected.get_future().get(), "u1");

    boost::asio::post(io.executor(), [&io] { io.to("lobby").emit("news", sio::make_payload("for the lobby")); });
    EXPECT_EQ(client.next_starting_with("42"), R"(42["news","for the lobby"])");
    boost::asio::post(io.executor(), [&io] { io.emit("all", true); });
    EXPECT_EQ(client.next_starting_with("42"), R"(42["all",true])");
}

TEST(FacadeServer, TypedHandlersOnANamespace) {
    sio::Server io;
    io.of("/chat").on("add", [](sio::Socket&, int a, int b, sio::Ack ack) { ack(a + b); });
    ASSERT_FALSE(io.listen(0));
    Running running(io);

    PollingClient client(io.port());
    client.open();
    client.send("40/chat,");
    EXPECT_TRUE(client.next_starting_with("40/chat,").starts_with("40/chat,{\"sid\":"));
    client.send(R"(42/chat,7["add",2,3])");
    EXPECT_EQ(client.next_starting_with("43"), "43/chat,7[5]");
}

TEST(FacadeServer, DynamicNamespacesByPattern) {
    sio::Server io;
    io.of(std::regex("^/room-\\d+$")).on_connection([](sio::Socket& socket) {
        socket.emit("in", socket.nsp().name());
    });
    ASSERT_FALSE(io.listen(0));
    Running running(io);

    PollingClient client(io.port());
    client.open();
    client.send("40/room-42,");
    EXPECT_EQ(client.next_starting_with("42"), R"(42/room-42,["in","/room-42"])");
    client.send("40/lobby,");
    EXPECT_TRUE(client.next_starting_with("44/lobby,").starts_with("44/lobby,{\"message\":\"Invalid namespace\""));
}

TEST(FacadeServer, CloseDisconnectsEverySocketAndRunReturns) {
    sio::Server io;
    std::promise<void> connected;
    std::promise<sio::DisconnectReason> disconnected;
    io.on_connection([&](sio::Socket&) { connected.set_value(); });
    io.sockets().on_disconnect([&](sio::Socket&, sio::DisconnectReason reason) { disconnected.set_value(reason); });
    ASSERT_FALSE(io.listen(0));
    const unsigned short port = io.port();
    std::promise<void> run_returned;
    std::thread loop([&] {
        io.run();
        run_returned.set_value();
    });

    PollingClient client(port);
    client.open();
    client.send("40");
    connected.get_future().get();
    std::promise<void> closed;
    io.close([&] { closed.set_value(); });  // from this thread, not the loop's
    EXPECT_EQ(disconnected.get_future().get(), sio::DisconnectReason::server_shutting_down);
    closed.get_future().get();
    run_returned.get_future().get();
    loop.join();
    // The listener is closed: nothing answers on the port any more.
    EXPECT_THROW(http_request(port, verb::get, "/"), boost::system::system_error);
}

TEST(FacadeServer, CloseDoesNotWaitForAnIdlePollingSession) {
    sio::ServerOptions opts;
    opts.close_timeout = 300ms;
    sio::Server io(opts);
    ASSERT_FALSE(io.listen(0));
    std::thread loop([&] { io.run(); });

    // A handshake and no GET after it: the engine would hold the session 30 s for its close
    // packet; close() stops at its timeout instead.
    PollingClient client(io.port());
    client.open();
    const auto start = std::chrono::steady_clock::now();
    io.close();
    loop.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(FacadeServer, AttachesToTheCallersLoop) {
    boost::asio::io_context ioc(1);
    sio::Server io(ioc.get_executor(), sio::ServerOptions{});
    EXPECT_THROW(io.run(), std::logic_error);
    io.route(verb::get, "/hi", [](const sio::HttpRequest&, sio::HttpReply reply) { reply.json({{"hi", true}}); });

    // The application's own acceptor hands its connections to the Server.
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    std::function<void()> accept = [&] {
        acceptor.async_accept([&](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
            if (ec) return;
            io.serve(std::move(socket));
            accept();
        });
    };
    accept();
    std::thread loop([&] { ioc.run(); });

    const unsigned short port = acceptor.local_endpoint().port();
    auto hi = http_request(port, verb::get, "/hi");
    EXPECT_EQ(hi.result_int(), 200u);
    EXPECT_EQ(hi.body(), R"({"hi":true})");
    PollingClient client(port);
    EXPECT_TRUE(client.open().starts_with("0{\"sid\":"));

    // close() cannot stop a loop it does not own: its callback tells the application.
    boost::asio::post(ioc, [&] {
        acceptor.close();
        io.close([&] { ioc.stop(); });
    });
    loop.join();
}

}  // namespace
