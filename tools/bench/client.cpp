// Client flow: start -> async_connect -> on_connect -> async_handshake (WebSocket upgrade of
// /socket.io/?EIO=4&transport=websocket) -> on_handshake -> read loop. Engine.IO packets:
// "0{...}" open -> send CONNECT ("40" or "40/nsp,"); "2" ping -> "3"; "4..." message, where a
// Socket.IO "40" is the CONNECT reply, "44" a refusal and "42[...]" an event for the Worker.
#include "client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "worker.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // linux/in.h; glibc's netinet/in.h lacks it
#endif

namespace sio::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using tcp = asio::ip::tcp;

Client::Client(Worker& worker, asio::io_context& ioc, std::uint32_t target)
    : worker_(worker), ws_(ioc), target_(target) {}

void Client::start(const asio::ip::address_v4& source, std::int64_t now) {
    started_ns = now;
    state_ = State::connecting;
    auto& sock = ws_.next_layer();
    error_code ec;
    sock.open(tcp::v4(), ec);
    if (ec) return fail("socket", ec);
    const int one = 1;
    if (worker_.options().kernel_ports) {
        // Let connect() pick the port per destination. Its search grows with the ports in use
        // (~275 us of client CPU per connection at 19k instead of ~60 us): hence the default below.
        ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sock.bind(tcp::endpoint(source, 0), ec);
    } else {
        // Our own port counter (outside the ephemeral range): bind() to a given port is O(1).
        // SO_REUSEADDR lets us reuse ports still in TIME_WAIT; a port in use is skipped.
        ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        for (int tries = 0;; ++tries) {
            sock.bind(tcp::endpoint(source, worker_.next_port()), ec);
            if (!ec || ec != asio::error::address_in_use || tries == 1000) break;
        }
    }
    if (ec) return fail("bind", ec);
    sock.async_connect(worker_.endpoints()[target_], [this](error_code e) { on_connect(e); });
}

void Client::on_connect(error_code ec) {
    if (ec) return fail("connect", ec);
    ws_.next_layer().set_option(tcp::no_delay(true), ec);
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(30);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(1 << 20);
    ws_.auto_fragment(false);
    ws_.async_handshake(worker_.hosts()[target_], "/socket.io/?EIO=4&transport=websocket",
                        [this](error_code e) { on_handshake(e); });
}

void Client::on_handshake(error_code ec) {
    if (ec) return fail("handshake", ec);
    state_ = State::open;
    ws_.text(true);
    do_read();
}

void Client::do_read() {
    ws_.async_read(buf_, [this](error_code ec, std::size_t n) { on_read(ec, n); });
}

void Client::on_read(error_code ec, std::size_t) {
    if (ec) {
        if (state_ == State::connected) {
            state_ = State::closed;
            worker_.on_closed(*this, ec);
        } else if (state_ != State::closed && state_ != State::failed) {
            fail("read", ec);
        }
        return;
    }
    const auto data = buf_.cdata();
    handle(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buf_.consume(buf_.size());
    if (state_ == State::open || state_ == State::connected) do_read();
}

void Client::handle(std::string_view msg) {
    if (msg.empty()) return;
    switch (msg[0]) {
        case '2':  // ping
            send("3");
            return;
        case '0':  // open
            send(worker_.connect_packet());
            return;
        case '1':  // close
            return;
        case '4':
            break;
        default:
            return;
    }
    if (msg.size() < 2) return;
    const char t = msg[1];
    if (t == '2') {
        auto p = msg.find('[');
        if (p != std::string_view::npos && state_ == State::connected) worker_.on_event(*this, msg.substr(p));
    } else if (t == '0' && state_ == State::open) {
        state_ = State::connected;
        worker_.on_connected(*this);
    } else if (t == '4' && state_ == State::open) {
        fail("connect_error", error_code{});
    } else if (t == '1' && state_ == State::connected) {  // server-side namespace disconnect
        state_ = State::closed;
        worker_.on_closed(*this, error_code{});
        abort();
    }
}

void Client::send(std::string_view packet) {
    if (writing_) {
        queue_.emplace_back(packet);
        return;
    }
    out_.assign(packet);
    do_write();
}

void Client::do_write() {
    writing_ = true;
    ws_.async_write(asio::buffer(out_), [this](error_code ec, std::size_t n) { on_write(ec, n); });
}

void Client::on_write(error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return;  // the read side reports the failure
    if (!queue_.empty()) {
        out_.swap(queue_.front());
        queue_.erase(queue_.begin());
        do_write();
    }
}

void Client::fail(const char* where, error_code ec) {
    if (state_ == State::failed || state_ == State::closed) return;
    state_ = State::failed;
    error_code ignored;
    ws_.next_layer().close(ignored);
    worker_.on_failed(*this, where, ec);
}

void Client::abort() {
    // A client given up during its handshake is failed: its pending handlers must not report it again.
    if (state_ != State::connected && state_ != State::closed) state_ = State::failed;
    error_code ignored;
    ws_.next_layer().close(ignored);
}

}  // namespace sio::bench
