#pragma once
// The Engine.IO v4 server for one path: handshake, long-polling, WebSocket, upgrade,
// heartbeat (docs/protocol.md §1). One per event loop; call on its executor only.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>

#include <sio/core/id_generator.hpp>
#include <sio/engineio/engine_events.hpp>
#include <sio/engineio/options.hpp>
#include <sio/engineio/session.hpp>
#include <sio/http/connection.hpp>

namespace sio::engineio {

class DelayQueue;
class SessionImpl;
class WebSocketContext;
class WebSocketTransport;

class Server {
public:
    /** Creates the handler of each new session. The handler is owned by the session. */
    using ConnectionCallback = std::function<std::unique_ptr<SessionHandler>(Session&)>;

    /** Takes a request for a session of shard `shard` (not this one) to that shard. */
    using Forwarder =
        std::function<void(std::size_t shard, const std::shared_ptr<http::HttpConnection>&, http::Request&&)>;

    Server(boost::asio::any_io_executor executor, std::string path, Options options, ConnectionCallback on_connection);
    ~Server();

    /** With several shards: where requests naming another shard's session go (typically
        http::HttpConnection::hand_over to that shard's loop and router). Without one, such a
        request is refused as an unknown sid. */
    void set_forwarder(Forwarder forwarder) { forwarder_ = std::move(forwarder); }

    /** Serves one HTTP request whose target starts with path() (polling GET/POST, preflight,
        WebSocket upgrade). */
    void handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request);

    // ---- events (engine.io's `io.engine.on(...)`, docs/protocol.md §1.16) -------------------
    /** Every refused request: its code, the default message and engine.io's context. */
    void on_connection_error(ConnectionErrorListener fn) { events_.on_connection_error(std::move(fn)); }
    /** The first response of a session (the polling handshake answer, or the 101 of a
        WebSocket opened without sid): add or change its headers, e.g. a Set-Cookie. */
    void on_initial_headers(HeadersListener fn) { events_.on_initial_headers(std::move(fn)); }
    /** Every response of a session (the handshake included, after on_initial_headers): polling
        GET and POST answers, the 101 of an upgrade. Not error answers. */
    void on_headers(HeadersListener fn) { events_.on_headers(std::move(fn)); }

    const std::string& path() const noexcept { return path_; }
    /** Adds this engine's CORS headers to `res` (for answers written outside the engine, such
        as the HTTP layer's 413). */
    void apply_cors(const http::Request& req, http::Response& res) const;
    const Options& options() const noexcept { return options_; }
    std::size_t clients_count() const noexcept { return sessions_.size(); }

    /** Calls `done` on this loop once every WebSocket frame sent so far on it has been handed
        to the kernel (a connection whose socket buffer is full does not hold it back). A
        broadcast's frames leave a slice of connections per loop turn; an answer given from
        here follows them, as Node answers after its synchronous writes, so that a caller
        that waits for it cannot queue broadcasts faster than they are written. */
    void when_written(std::function<void()> done);

    /** Closes every session (transport discarded, no close packet guaranteed). */
    void close_all(CloseReason reason);

    // ---- used by sessions ----------------------------------------------------------------
    void remove(const std::string& sid);
    /** Runs the headers hooks on a response about to be written for `request`. */
    void emit_headers(HeaderMap& headers, const http::Request& request, bool initial) const {
        if (events_.wants_headers()) events_.emit_headers(headers, request, initial);
    }
    boost::asio::any_io_executor executor() const { return executor_; }
    core::IdGenerator& ids() noexcept { return ids_; }
    /** Every session's heartbeat deadlines (pingInterval, then pingTimeout after a ping). */
    DelayQueue& ping_interval_queue() noexcept { return *ping_interval_queue_; }
    DelayQueue& ping_timeout_queue() noexcept { return *ping_timeout_queue_; }
    /** Protocol 3 sessions' deadline (pingInterval + pingTimeout after the client's last ping);
        only with allow_eio3. */
    DelayQueue& v3_ping_timeout_queue() noexcept { return *v3_ping_timeout_queue_; }

    /** A request's query parameters, decoded (defined in server.cpp). */
    struct Query;

private:
    /** Takes the socket (and any bytes read past the request) from the HTTP layer. */
    std::shared_ptr<WebSocketTransport> take_websocket(http::HttpConnection& connection);
    /** After the checks and allow_request: the protocol check, then a new session. */
    void open_session(const std::shared_ptr<http::HttpConnection>& connection, const http::Request& req,
                      const Query& query, bool upgrade);
    /** Answers a refused request (JSON for HTTP, a raw 400 text for an upgrade) and raises
        connection_error. */
    void refuse(http::HttpConnection& connection, const http::Request& req, bool upgrade, error code,
                boost::json::object context);

    boost::asio::any_io_executor executor_;
    std::string path_;
    Options options_;
    ConnectionCallback on_connection_;
    Forwarder forwarder_;
    core::IdGenerator ids_;
    std::shared_ptr<WebSocketContext> websockets_;  // this loop's shared read buffer and flush list
    std::shared_ptr<DelayQueue> ping_interval_queue_;
    std::shared_ptr<DelayQueue> ping_timeout_queue_;
    std::shared_ptr<DelayQueue> v3_ping_timeout_queue_;  // null without allow_eio3
    EngineEvents events_;
    // Expires with the server: an allow_request answer that comes after it does nothing.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    // Keyed by a view of the session's own id (the value keeps it alive): no second copy.
    std::unordered_map<std::string_view, std::shared_ptr<SessionImpl>> sessions_;
};

}  // namespace sio::engineio
