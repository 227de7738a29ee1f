#pragma once
// An engineio::Server behind a real http::Listener on 127.0.0.1 (port 0), and raw TCP clients
// on the same io_context, for engine-level tests: HTTP requests and WebSocket frames are
// written and read byte for byte. Everything runs on the test's thread: run_until() runs the
// loop until a condition holds (every wait ends on an event of the loop, bounded by a limit
// so that a broken behaviour fails the test instead of hanging it).

#include <array>
#include <chrono>
#include <stdexcept>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <sio/engineio/server.hpp>
#include <sio/http/listener.hpp>

namespace sio::test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

/** One raw TCP connection to the harness's port. Reads everything that arrives into `input()`
    while the loop runs. */
class RawConnection {
public:
    RawConnection(asio::io_context& ioc, unsigned short port) : state_(std::make_shared<State>(ioc)) {
        state_->socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        read(state_);
    }
    ~RawConnection() { close(); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    /** Small writes: the kernel takes them at once, so blocking is fine on the test's thread. */
    void write(std::string_view bytes) { asio::write(state_->socket, asio::buffer(bytes.data(), bytes.size())); }
    void close() {
        boost::system::error_code ignored;
        state_->socket.close(ignored);
    }
    std::string& input() { return state_->input; }
    bool closed_by_peer() const { return state_->eof; }

    /** A complete HTTP response at the front of the input (taken from it), or nullopt. */
    std::optional<http::Response> take_response() {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.eager(true);
        std::string& in = state_->input;
        std::size_t used = 0;
        while (!parser.is_done()) {
            boost::system::error_code ec;
            std::size_t n = parser.put(asio::buffer(in.data() + used, in.size() - used), ec);
            used += n;
            if (ec || (n == 0 && !parser.is_done())) {
                if (ec == bhttp::error::need_more || n == 0) {
                    // A body that ends with the connection (a raw 400 without keep-alive).
                    if (state_->eof && parser.is_header_done()) {
                        parser.put_eof(ec);
                        if (!ec && parser.is_done()) break;
                    }
                    return std::nullopt;
                }
                return std::nullopt;
            }
        }
        in.erase(0, used);
        return parser.release();
    }

    /** A complete unmasked server WebSocket frame at the front of the input: {opcode, payload}. */
    std::optional<std::pair<int, std::string>> take_frame() {
        std::string& in = state_->input;
        if (in.size() < 2) return std::nullopt;
        int opcode = static_cast<unsigned char>(in[0]) & 0x0F;
        std::size_t len = static_cast<unsigned char>(in[1]) & 0x7F;
        std::size_t header = 2;
        if (len == 126) {
            if (in.size() < 4) return std::nullopt;
            len =
                (static_cast<std::size_t>(static_cast<unsigned char>(in[2])) << 8) | static_cast<unsigned char>(in[3]);
            header = 4;
        } else if (len == 127) {
            if (in.size() < 10) return std::nullopt;
            len = 0;
            for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(in[i]);
            header = 10;
        }
        if (in.size() < header + len) return std::nullopt;
        std::pair<int, std::string> frame{opcode, in.substr(header, len)};
        in.erase(0, header + len);
        return frame;
    }

    /** Sends a masked client frame (mask 0: the payload as is). */
    void send_frame(std::string_view payload, bool binary = false) {
        std::string frame;
        frame += static_cast<char>(binary ? 0x82 : 0x81);
        if (payload.size() < 126) {
            frame += static_cast<char>(0x80 | payload.size());
        } else {
            frame += static_cast<char>(0x80 | 126);
            frame += static_cast<char>((payload.size() >> 8) & 0xFF);
            frame += static_cast<char>(payload.size() & 0xFF);
        }
        frame.append(4, '\0');
        frame += payload;
        write(frame);
    }

private:
    struct State {
        explicit State(asio::io_context& ioc) : socket(ioc) {}
        asio::ip::tcp::socket socket;
        std::string input;
        std::array<char, 4096> buffer{};
        bool eof = false;
    };
    static void read(const std::shared_ptr<State>& state) {
        state->socket.async_read_some(asio::buffer(state->buffer),
                                      [state](boost::system::error_code ec, std::size_t n) {
                                          if (ec) {
                                              state->eof = true;
                                              return;
                                          }
                                          state->input.append(state->buffer.data(), n);
                                          read(state);
                                      });
    }
    std::shared_ptr<State> state_;
};

class EngineHarness {
public:
    explicit EngineHarness(engineio::Options options = {}, engineio::Server::ConnectionCallback on_connection = {},
                           std::string path = "/engine.io/") {
        auto handler = std::make_shared<http::Handler>();
        handler->body_limit = [max = options.max_payload](std::string_view) { return max; };
        engine_ = std::make_unique<engineio::Server>(ioc_.get_executor(), std::move(path), std::move(options),
                                                     std::move(on_connection));
        handler->handle = [this](const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request) {
            if (engine_) {
                engine_->handle(connection, std::move(request));
            } else {
                connection->close();
            }
        };
        listener_ = std::make_shared<http::Listener>(ioc_.get_executor(), handler);
        auto ec = listener_->listen(http::ListenAddress{"127.0.0.1", 0, ""});
        if (ec) throw std::runtime_error("listen: " + ec.message());
        listener_->start();
    }
    ~EngineHarness() {
        listener_->stop();
        engine_.reset();
        ioc_.poll();  // lets the closed sessions' handlers run before the loop goes
    }

    engineio::Server& engine() { return *engine_; }
    /** Destroys the engine (the listener stays, and closes whatever arrives). */
    void reset_engine() { engine_.reset(); }
    asio::io_context& ioc() { return ioc_; }
    unsigned short port() const { return listener_->port(); }

    /** Runs the loop until `done()` holds; false if `limit` passed first. */
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            ioc_.run_one_until(deadline);
        }
        return true;
    }

    std::unique_ptr<RawConnection> connect() { return std::make_unique<RawConnection>(ioc_, port()); }

    /** Writes an HTTP/1.1 request on `c` (the body, if any, with its Content-Length). */
    static void send_request(RawConnection& c, std::string_view method, std::string_view target,
                             const std::vector<std::pair<std::string, std::string>>& headers = {},
                             std::string_view body = {}) {
        std::string req;
        req += method;
        req += ' ';
        req += target;
        req += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto& [name, value] : headers) req += name + ": " + value + "\r\n";
        if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        req += "\r\n";
        req += body;
        c.write(req);
    }

    /** Waits for the next response on `c`. */
    std::optional<http::Response> response(RawConnection& c, std::chrono::milliseconds limit = 5000ms) {
        std::optional<http::Response> res;
        run_until(
            [&] {
                if (!res) res = c.take_response();
                return res.has_value();
            },
            limit);
        return res;
    }

    /** One request on a fresh connection, and its answer. */
    std::optional<http::Response> request(std::string_view method, std::string_view target,
                                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                                          std::string_view body = {}) {
        auto c = connect();
        send_request(*c, method, target, headers, body);
        return response(*c);
    }

    /** The headers of a WebSocket upgrade request. */
    static std::vector<std::pair<std::string, std::string>> upgrade_headers() {
        return {{"Connection", "Upgrade"},
                {"Upgrade", "websocket"},
                {"Sec-WebSocket-Version", "13"},
                {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    }

    /** Waits for the next server frame on `c`. */
    std::optional<std::pair<int, std::string>> frame(RawConnection& c, std::chrono::milliseconds limit = 5000ms) {
        std::optional<std::pair<int, std::string>> f;
        run_until(
            [&] {
                if (!f) f = c.take_frame();
                return f.has_value();
            },
            limit);
        return f;
    }

private:
    asio::io_context ioc_;
    std::unique_ptr<engineio::Server> engine_;
    std::shared_ptr<http::Listener> listener_;
};

}  // namespace sio::test
