#pragma once
// A minimal Engine.IO 4 / Socket.IO 5 client over a Beast WebSocket: handshake straight on the
// websocket transport, pong every ping, CONNECT to one namespace, and hand `42[...]` events to
// its Worker. Per-client state is the Beast stream, one flat_buffer (reused for every read) and
// a few counters; nothing is allocated per received message.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace sio::bench {

class Worker;

class Client {
public:
    enum class State : std::uint8_t { idle, connecting, open, connected, closed, failed };

    Client(Worker& worker, boost::asio::io_context& ioc, std::uint32_t target);
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /** Opens TCP from `source` (port chosen by the kernel at connect) to the target, then the
        WebSocket and Socket.IO handshakes. Reports to Worker::on_connected / on_failed. */
    void start(const boost::asio::ip::address_v4& source, std::int64_t now_ns);
    /** Queues one Engine.IO packet (one WebSocket text message); one write in flight. */
    void send(std::string_view packet);
    /** Closes the TCP socket at once (no close handshake); a client not yet connected is failed. */
    void abort();

    State state() const noexcept { return state_; }
    std::uint32_t target() const noexcept { return target_; }

    // Scenario counters, owned by the Worker's logic.
    std::int64_t started_ns = 0;
    std::uint32_t received = 0;  // bench/echo events received
    std::uint32_t last_seq = 0;  // highest seq seen (fanout), to count duplicates/reordering
    std::uint32_t echo_sent = 0;

private:
    void on_connect(boost::system::error_code ec);
    void on_handshake(boost::system::error_code ec);
    void do_read();
    void on_read(boost::system::error_code ec, std::size_t bytes);
    void do_write();
    void on_write(boost::system::error_code ec, std::size_t bytes);
    void handle(std::string_view msg);
    void fail(const char* where, boost::system::error_code ec);

    Worker& worker_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    boost::beast::flat_buffer buf_;
    std::string out_;                 // the message being written
    std::vector<std::string> queue_;  // further messages (rare: pongs while echoing)
    std::uint32_t target_;
    State state_ = State::idle;
    bool writing_ = false;
};

}  // namespace sio::bench
