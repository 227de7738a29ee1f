#pragma once
// One keep-alive HTTP/1.1 connection (Beast http_session): reads a request, hands it to the
// handler, writes the answer the handler gives (now or later: long-polling holds GETs), reads
// the next. A WebSocket upgrade takes the socket away with release_socket().

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <sio/http/types.hpp>

namespace sio::http {

class HttpConnection;

/** What a listener serves. `body_limit(target)` is the largest body accepted for a request
    path (larger: 413 with a JSON error, then the connection closes). `handle` must eventually
    call respond() or release_socket() exactly once. */
struct Handler {
    std::function<std::size_t(std::string_view target)> body_limit;
    std::function<void(const std::shared_ptr<HttpConnection>&, Request&&)> handle;
    /** Optional: adds headers (e.g. CORS) to the answers the connection writes itself, such
        as the 413 for an oversize body, from the request's headers. */
    std::function<void(const Request&, Response&)> decorate_error;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
public:
    HttpConnection(Socket socket, std::string remote_address, std::shared_ptr<const Handler> handler);

    /** Starts reading requests. */
    void start();

    /** Moves the connection, with `request` (already read) and the bytes read past it, to the
        loop of `to`, where a new connection serves the request with `handler` as if it had
        read it itself, then reads on. This connection is finished afterwards. Call from a
        handler, instead of answering (a request for a session another shard owns). */
    static void hand_over(const std::shared_ptr<HttpConnection>& from, Request&& request, Executor to,
                          std::shared_ptr<const Handler> handler);

    /** Answers the current request, then reads the next one (or closes if not keep-alive).
        Call on the connection's executor. */
    void respond(Response response);

    /** For a WebSocket upgrade request: takes the socket and the bytes read past the request.
        The connection is finished afterwards. */
    Socket release_socket(beast::flat_buffer& leftover);

    /** While a response is held (long-polling GET), `fn` runs if the peer closes the
        connection. Cleared by respond(). */
    void on_abort(std::function<void()> fn);

    /** True while a request has been handed out and not yet answered. */
    bool awaiting_response() const noexcept { return awaiting_; }
    const std::string& remote_address() const noexcept { return remote_address_; }
    asio::any_io_executor executor() { return socket_.get_executor(); }

    /** Closes the socket now (shutdown). */
    void close();

private:
    void do_read();
    /** Hands a complete request to the handler, then watches for an abort while it waits. */
    void dispatch(Request&& request);
    void on_header(boost::system::error_code ec);
    void on_read(boost::system::error_code ec);
    void on_write(bool keep_alive, boost::system::error_code ec);
    void watch_for_abort();
    void reject(Response response);
    void reject_too_large();
    void close_after_draining();
    void drain(std::shared_ptr<std::array<char, 4096>> scratch);

    Socket socket_;
    std::string remote_address_;
    std::shared_ptr<const Handler> handler_;
    beast::flat_buffer buffer_;
    std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
    std::shared_ptr<Response> writing_;
    asio::steady_timer idle_timer_;
    std::function<void()> abort_handler_;
    bool awaiting_ = false;
    bool released_ = false;
};

}  // namespace sio::http
