// HttpConnection: the Beast http_session pattern (do_read -> on_header -> on_read -> handler ->
// respond -> on_write -> do_read). The header is read first so that the body limit can depend
// on the path (Engine.IO: maxHttpBufferSize, REST: 1 MiB). While a response is held for a long
// poll, the socket is watched so that a client hanging up is noticed (Node: "poll connection
// closed prematurely").

#include <sio/http/connection.hpp>

#include <sys/socket.h>

#include <array>
#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <sio/core/log.hpp>

#include "http/socket_transfer.hpp"

namespace sio::http {
namespace {

namespace http = beast::http;

// A client gets this long to send a complete request (and an idle keep-alive connection this
// long before we close it). Long-poll GETs are exempt: the timer is stopped once the request is in.
constexpr auto request_timeout = std::chrono::seconds(30);
constexpr std::size_t header_limit = 16 * 1024;
// How long a connection we refused may keep sending before we cut it.
constexpr auto drain_timeout = std::chrono::seconds(5);

Response error_response(unsigned version, http::status status, std::string_view message) {
    Response res{status, version};
    res.set(http::field::content_type, "application/json");
    res.body() = std::string("{\"error\":\"") + std::string(message) + "\"}";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

}  // namespace

HttpConnection::HttpConnection(Socket socket, std::string remote_address, std::shared_ptr<const Handler> handler)
    : socket_(std::move(socket)),
      remote_address_(std::move(remote_address)),
      handler_(std::move(handler)),
      idle_timer_(socket_.get_executor()) {}

void HttpConnection::start() {
    do_read();
}

void HttpConnection::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    // Beast's default body limit (1 MiB) would already fail the header read on Content-Length;
    // the real limit depends on the path and is set in on_header.
    parser_->body_limit(boost::none);
    idle_timer_.expires_after(request_timeout);
    idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->close();
    });
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpConnection::on_header(boost::system::error_code ec) {
    if (ec) {
        // Garbage on the port gets a 400 before we hang up; a peer that simply went away does not.
        if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted && ec != asio::error::eof &&
            ec != asio::error::connection_reset && socket_.is_open()) {
            reject(error_response(11, http::status::bad_request, "malformed HTTP request"));
            return;
        }
        close();
        return;
    }
    auto limit = handler_->body_limit(parser_->get().target());
    if (auto length = parser_->content_length(); length && *length > limit) {
        reject_too_large();
        return;
    }
    parser_->body_limit(limit);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](boost::system::error_code ec2, std::size_t) { self->on_read(ec2); });
}

void HttpConnection::on_read(boost::system::error_code ec) {
    idle_timer_.cancel();
    if (ec == http::error::body_limit) {
        reject_too_large();
        return;
    }
    if (ec) {
        if (ec != asio::error::operation_aborted && ec != http::error::end_of_stream && socket_.is_open() &&
            ec != asio::error::eof && ec != asio::error::connection_reset) {
            reject(error_response(11, http::status::bad_request, "malformed HTTP request"));
            return;
        }
        close();
        return;
    }
    Request request = parser_->release();
    parser_.reset();
    dispatch(std::move(request));
}

void HttpConnection::dispatch(Request&& request) {
    awaiting_ = true;
    auto self = shared_from_this();
    handler_->handle(self, std::move(request));
    if (awaiting_ && !released_) {
        watch_for_abort();
    }
}

void HttpConnection::watch_for_abort() {
    socket_.async_wait(Socket::wait_read, [weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !self->awaiting_ || self->released_) return;
        char byte;
        auto n = ::recv(self->socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return;  // a pipelined request: read after the pending answer
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            self->watch_for_abort();
            return;
        }
        self->awaiting_ = false;
        if (auto fn = std::move(self->abort_handler_)) {
            self->abort_handler_ = nullptr;
            fn();
        }
        self->close();
    });
}

void HttpConnection::on_abort(std::function<void()> fn) {
    abort_handler_ = std::move(fn);
}

void HttpConnection::respond(Response response) {
    if (!awaiting_ || released_) return;
    awaiting_ = false;
    abort_handler_ = nullptr;
    bool keep_alive = response.keep_alive();
    writing_ = std::make_shared<Response>(std::move(response));
    // Written on the next turn, after the frames this handler queued on WebSockets have been
    // flushed (engineio::WebSocketContext posts its flush first): a `POST /emit` is answered
    // once its fan-out is in the kernel, as Node answers after its synchronous writes, and a
    // caller emitting back-to-back does not outrun the fan-out.
    asio::post(socket_.get_executor(), [self = shared_from_this(), keep_alive] {
        http::async_write(
            self->socket_, *self->writing_,
            [self, keep_alive](boost::system::error_code ec, std::size_t) { self->on_write(keep_alive, ec); });
    });
}

void HttpConnection::reject_too_large() {
    auto response = error_response(parser_->get().version(), http::status::payload_too_large, "request body too large");
    if (handler_->decorate_error) handler_->decorate_error(parser_->get(), response);
    reject(std::move(response));
}

void HttpConnection::reject(Response response) {
    awaiting_ = true;
    response.keep_alive(false);
    respond(std::move(response));
}

void HttpConnection::on_write(bool keep_alive, boost::system::error_code ec) {
    writing_.reset();
    if (ec) {
        close();
        return;
    }
    if (!keep_alive) {
        close_after_draining();
        return;
    }
    do_read();
}

void HttpConnection::close_after_draining() {
    // The peer may still be sending (a refused oversize body): closing now, with its bytes
    // unread, makes the kernel answer with a reset that can destroy the answer we just wrote
    // before the client reads it. So: no more writes, read and discard until the peer closes,
    // and give up after drain_timeout.
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_send, ignored);
    idle_timer_.expires_after(drain_timeout);
    idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->close();
    });
    drain(std::make_shared<std::array<char, 4096>>());
}

void HttpConnection::drain(std::shared_ptr<std::array<char, 4096>> scratch) {
    auto buffer = asio::buffer(*scratch);
    socket_.async_read_some(buffer, [self = shared_from_this(), scratch = std::move(scratch)](
                                        boost::system::error_code ec, std::size_t) mutable {
        if (ec) {
            self->close();
            return;
        }
        self->drain(std::move(scratch));
    });
}

Socket HttpConnection::release_socket(beast::flat_buffer& leftover) {
    released_ = true;
    awaiting_ = false;
    abort_handler_ = nullptr;
    idle_timer_.cancel();
    leftover = std::move(buffer_);
    return std::move(socket_);
}

void HttpConnection::hand_over(const std::shared_ptr<HttpConnection>& from, Request&& request, Executor to,
                               std::shared_ptr<const Handler> handler) {
    beast::flat_buffer leftover;
    Socket socket = from->release_socket(leftover);
    // Moved as values: the request, the bytes after it, the peer's address.
    struct Carried {
        Request request;
        beast::flat_buffer leftover;
        std::string remote_address;
    };
    auto carried = std::make_shared<Carried>(Carried{std::move(request), std::move(leftover), from->remote_address_});
    transfer_socket(std::move(socket), to, [carried, handler = std::move(handler)](Socket arrived) mutable {
        auto connection = std::make_shared<HttpConnection>(std::move(arrived), std::move(carried->remote_address),
                                                           std::move(handler));
        connection->buffer_ = std::move(carried->leftover);
        connection->dispatch(std::move(carried->request));
    });
}

void HttpConnection::close() {
    idle_timer_.cancel();
    if (released_) return;
    boost::system::error_code ignored;
    socket_.close(ignored);
}

}  // namespace sio::http
