#pragma once
// A socketio::Server without an engine, fed through accept() with FakeSessions; an io_context
// the test drives (poll / run_one_for) for timers. No sockets, no sleeps.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <sio/socketio/server.hpp>

#include "support/fake_session.hpp"

namespace sio::test {

/** One Engine.IO connection: the fake session and the Socket.IO handler it owns. */
struct Connection {
    std::unique_ptr<FakeSession> session;
    std::unique_ptr<engineio::SessionHandler> handler;  // destroyed before the session

    void recv(std::string_view text) { handler->on_message(text); }
    void recv_binary(std::string_view bytes) { handler->on_binary(bytes); }
    void engine_close(engineio::CloseReason reason) { handler->on_close(reason); }
    std::vector<std::string> take() { return session->take(); }
};

struct Harness {
    explicit Harness(socketio::ServerOptions options = {})
        : server(ioc.get_executor(), std::move(options), socketio::without_engine) {}

    /** `protocol` 3: a socket.io-client 2.x connection (allowEIO3). */
    Connection open(int protocol = 4) {
        Connection c;
        c.session = std::make_unique<FakeSession>("engine" + std::to_string(next_++), protocol);
        c.handler = server.accept(*c.session);
        return c;
    }

    /** Opens a connection and joins `nsp`; returns the socket id from the CONNECT answer. */
    std::string join(Connection& c, const std::string& nsp = "/", std::string_view auth = {}) {
        std::string packet = "0";
        if (nsp != "/") packet += nsp + ",";
        packet += auth;
        c.recv(packet);
        auto frames = c.take();
        if (frames.empty()) return {};
        return sid_of(frames.back());
    }

    /** The "sid" of a CONNECT answer `40[/nsp,]{...}`. */
    static std::string sid_of(const std::string& frame) {
        auto brace = frame.find('{');
        if (brace == std::string::npos) return {};
        auto v = boost::json::parse(frame.substr(brace));
        auto* sid = v.as_object().if_contains("sid");
        return sid ? std::string(sid->as_string()) : std::string();
    }

    /** Runs every handler that is ready (also after an earlier poll ran out of work). */
    std::size_t poll() {
        if (ioc.stopped()) ioc.restart();
        return ioc.poll();
    }

    /** Runs handlers until `done()` or `limit` elapsed (timer tests use 1 ms timeouts, so
        this returns after about that long). */
    template <class Pred>
    bool run_until(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(2)) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            if (ioc.stopped()) ioc.restart();
            ioc.run_one_until(deadline);
        }
        return true;
    }

    boost::asio::io_context ioc;
    socketio::Server server;
    int next_ = 0;
};

/** A harness with one connection joined to "/" and its socket. */
struct OneSocket {
    Harness h;
    Connection c;
    std::shared_ptr<socketio::Socket> socket;
    OneSocket() : c(h.open()) { socket = h.server.of("/").socket(h.join(c)); }
};

}  // namespace sio::test
