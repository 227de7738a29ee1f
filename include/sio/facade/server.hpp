#pragma once
// sio::Server: a Socket.IO server in one object, as socket.io's `new Server(opts)`:
//
//     sio::ServerOptions opts;
//     sio::Server io(opts);                        // owns its event loop
//     io.on_connection([](sio::Socket& socket) { socket.emit("hello", "world"); });
//     if (auto ec = io.listen(3000)) { ... }       // errors are values: address_in_use, ...
//     io.run();                                    // until close()
//
// It wires the layers below the way sio-server does: the HTTP listener, the Socket.IO server
// and its Engine.IO path, the application's own HTTP routes (route()), and in cluster mode
// (ServerOptions::redis) the RedisCluster and one Redis adapter per namespace. One event loop;
// for several, build one socketio::Server per loop as server/instance.cpp does.
//
// Threading: every method but close() and executor() is called on the loop's thread, or
// before run(); handlers run there too.

#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sio/facade/http_route.hpp>
#include <sio/facade/options.hpp>
#include <sio/http/connection.hpp>
#include <sio/http/listener.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/make_payload.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/parent_namespace.hpp>
#include <sio/socketio/server.hpp>

namespace sio {

namespace adapter {
class RedisCluster;
}

class Server {
public:
    /** Owns an io_context: run() runs it on the calling thread until close(). */
    explicit Server(ServerOptions options = {});
    /** Attaches to the caller's loop, which the caller runs; run() is not used. */
    Server(http::Executor executor, ServerOptions options);
    /** Stops listening and the Redis connections. Call close() first for an orderly
        shutdown; with an attached loop, destroy the Server on that loop's thread (or once it
        stopped), after close()'s callback. */
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // ---- Socket.IO ---------------------------------------------------------------------
    /** The namespace `name`, created on first use (io.of). */
    socketio::Namespace& of(std::string name) { return io_->of(std::move(name)); }
    /** A parent namespace: a client may connect to any name that `pattern` matches, made on
        its first CONNECT with the parent's middlewares and handlers (io.of(/regex/)). */
    socketio::ParentNamespace& of(std::regex pattern) { return io_->of(std::move(pattern)); }
    /** The same, with a function deciding per CONNECT (name, auth). */
    socketio::ParentNamespace& of(socketio::NamespaceMatcher matcher) { return io_->of(std::move(matcher)); }
    /** The main namespace "/" (io.sockets). */
    socketio::Namespace& sockets() { return of("/"); }
    /** A connection middleware of "/" (io.use). */
    void use(socketio::Middleware fn) { sockets().use(std::move(fn)); }
    /** A new socket of "/" (io.on("connection")). */
    void on_connection(socketio::ConnectionHandler fn) { sockets().on_connection(std::move(fn)); }

    socketio::BroadcastOperator to(std::string room) { return sockets().to(std::move(room)); }
    socketio::BroadcastOperator to(const std::vector<std::string>& rooms) { return sockets().to(rooms); }
    socketio::BroadcastOperator in(std::string room) { return to(std::move(room)); }
    socketio::BroadcastOperator except(std::string room) { return sockets().except(std::move(room)); }
    socketio::BroadcastOperator local() { return sockets().local(); }
    socketio::BroadcastOperator volatile_() { return sockets().volatile_(); }
    socketio::BroadcastOperator timeout(std::chrono::milliseconds ms) { return sockets().timeout(ms); }
    /** `io.emit("ev", args...)` to every socket of "/", arguments converted as Socket::emit
        does. False for a reserved event name. */
    template <class... Args>
    bool emit(std::string_view event, Args&&... args) {
        return sockets().emit(event, socketio::make_payload(std::forward<Args>(args)...));
    }

    /** The Socket.IO server underneath (engine, options, when_written, ...). */
    socketio::Server& socketio() noexcept { return *io_; }

    // ---- HTTP ----------------------------------------------------------------------------
    /** Serves `verb` requests whose path is `path` or below it ("/push" serves "/push" and
        "/push/u1", not "/pushy"; "/" serves every path). The longest matching path wins;
        a path that matches with another verb only is answered 405, no match 404, both with a
        JSON `{"error"}` body. Add routes before listen(). */
    void route(HttpVerb verb, std::string path, RouteHandler handler);

    /** What the listener serves: the Socket.IO path to the engine, everything else to the
        routes. To serve from a server of your own instead of listen(): put a
        sio::http::Listener with this handler on your io_context, or give serve() the
        connections your acceptor takes. The handler is safe to use after the Server is gone
        (it then answers 503). */
    std::shared_ptr<const http::Handler> http_handler() const { return handler_; }
    /** Serves one TCP connection that an acceptor of your own took on this loop, e.g.
        `acceptor.async_accept([&](auto ec, tcp::socket s) { if (!ec) io.serve(std::move(s)); })`:
        Socket.IO and the routes, keep-alive until the peer leaves. Call on the loop. */
    void serve(boost::asio::ip::tcp::socket socket);

    // ---- lifecycle -----------------------------------------------------------------------
    /** Binds `host:port` (port 0: any free port, see port()) and starts accepting. Errors are
        returned, not thrown: compare with boost::system::errc::address_in_use,
        permission_denied, ... (they convert to std::error_code as well). */
    socketio::ErrorCode listen(unsigned short port, std::string host = "127.0.0.1");
    /** The same for any address, a Unix socket path included. */
    socketio::ErrorCode listen(const http::ListenAddress& address);
    /** The port bound by listen() (0 before, or on a Unix socket). */
    unsigned short port() const;

    /** `done({})` once the server is part of its cluster (Redis connected and every
        subscription confirmed), or at once (posted) when standalone; `done(error)` when that
        did not happen within `limit` (adapter::redis_error::startup_timeout; cluster()->
        last_error() says why). The connection keeps retrying either way. */
    void wait_ready(std::chrono::milliseconds limit, std::function<void(socketio::ErrorCode)> done);

    /** Runs the owned loop on this thread until close() is done. Throws std::logic_error on
        a Server attached to the caller's loop. */
    void run();

    /** Stops accepting, disconnects every socket with "server shutting down" and closes every
        session; `done` runs on the loop once they are gone (plus a short grace for the close
        frames) or at ServerOptions::close_timeout, whichever comes first. The owned loop then
        stops, so run() returns. Callable from any thread, handlers included: it starts on a
        later turn of the loop, never inside the call. Later calls only add their `done`. */
    void close(std::function<void()> done = {});

    /** SIGINT or SIGTERM (or `signals`) call close(); a second one stops the owned loop at
        once. */
    void close_on_signals(std::vector<int> signals = {SIGINT, SIGTERM});

    http::Executor executor() const noexcept { return executor_; }
    /** The Redis cluster membership (null when standalone): ready(), publish_failures(), ... */
    const std::shared_ptr<adapter::RedisCluster>& cluster() const noexcept { return cluster_; }

private:
    struct Core;
    struct Shutdown;
    Server(std::unique_ptr<boost::asio::io_context> owned, ServerOptions options);
    void init(ServerOptions options);
    void start_close(std::function<void()> done);
    /** Waits for the engine to have no session left, then a grace, or the close deadline. */
    void drain();
    void finish_close();

    std::unique_ptr<boost::asio::io_context> owned_;  // first: destroyed last
    http::Executor executor_;
    std::shared_ptr<adapter::RedisCluster> cluster_;
    std::unique_ptr<socketio::Server> io_;
    std::shared_ptr<Core> core_;  // routes and settings, shared (weakly) with the handler
    std::shared_ptr<const http::Handler> handler_;
    std::shared_ptr<http::Listener> listener_;
    std::shared_ptr<Shutdown> shutdown_;  // its timers and signals hold it weakly
    std::chrono::milliseconds close_timeout_{};
};

}  // namespace sio
