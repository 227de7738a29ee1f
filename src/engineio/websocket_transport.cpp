#include "engineio/websocket_transport.hpp"

#include <boost/beast/websocket/error.hpp>

#include <sio/core/log.hpp>

namespace sio::engineio {

namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;

WebSocketTransport::WebSocketTransport(http::Socket socket, std::size_t max_message) : ws_(std::move(socket)) {
    ws_.read_message_max(max_message);
    // Engine.IO runs its own heartbeat: no Beast keep-alive pings, no idle timeout.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.auto_fragment(false);
}

void WebSocketTransport::accept(http::Request request, FrameCallback on_frame, CloseCallback on_close) {
    on_frame_ = std::move(on_frame);
    on_close_ = std::move(on_close);
    ws_.async_accept(request, [self = shared_from_this()](boost::system::error_code ec) {
        if (ec) {
            self->fail(CloseReason::transport_error);
            return;
        }
        self->accepted_ = true;
        self->do_read();
        self->do_write();
    });
}

void WebSocketTransport::set_callbacks(FrameCallback on_frame, CloseCallback on_close) {
    on_frame_ = std::move(on_frame);
    on_close_ = std::move(on_close);
}

void WebSocketTransport::do_read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->on_read(ec);
    });
}

void WebSocketTransport::on_read(boost::system::error_code ec) {
    if (ec) {
        // Beast has already answered an oversize message with close code 1009.
        fail(ec == websocket::error::message_too_big ? CloseReason::transport_error : CloseReason::transport_close);
        return;
    }
    if (finished_) return;
    auto data = read_buffer_.cdata();
    std::string_view view(static_cast<const char*>(data.data()), data.size());
    bool binary = ws_.got_binary();
    if (on_frame_) on_frame_(view, binary);
    read_buffer_.consume(read_buffer_.size());
    // Release a large buffer once the message is handled: idle sessions should stay small.
    if (read_buffer_.capacity() > 64 * 1024) read_buffer_.shrink_to_fit();
    if (!finished_) do_read();
}

void WebSocketTransport::send(core::SharedFrame frame) {
    if (finished_ || closing_) return;
    queued_bytes_ += frame->bytes.size();
    queue_.push_back(std::move(frame));
    do_write();
}

void WebSocketTransport::do_write() {
    if (writing_ || !accepted_ || finished_) return;
    if (queue_.empty()) {
        if (closing_) do_close();
        return;
    }
    writing_ = true;
    const auto& frame = queue_.front();
    ws_.binary(frame->binary);
    ws_.async_write(asio::buffer(frame->bytes), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->on_write(ec);
    });
}

void WebSocketTransport::on_write(boost::system::error_code ec) {
    writing_ = false;
    if (!queue_.empty()) {
        queued_bytes_ -= queue_.front()->bytes.size();
        queue_.pop_front();
    }
    if (ec) {
        fail(CloseReason::transport_error);
        return;
    }
    do_write();
}

void WebSocketTransport::close() {
    if (closing_ || finished_) return;
    closing_ = true;
    on_frame_ = nullptr;
    on_close_ = nullptr;
    if (!accepted_) return;  // the accept handler will see closing_ and flush/close
    do_write();
}

void WebSocketTransport::do_close() {
    if (finished_) return;
    finished_ = true;
    ws_.async_close(websocket::close_reason{}, [self = shared_from_this()](boost::system::error_code) {
        boost::system::error_code ignored;
        self->ws_.next_layer().close(ignored);
    });
}

void WebSocketTransport::fail(CloseReason reason) {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    boost::system::error_code ignored;
    ws_.next_layer().close(ignored);
    if (auto cb = std::move(on_close_)) {
        on_close_ = nullptr;
        on_frame_ = nullptr;
        cb(reason);
    }
}

}  // namespace sio::engineio
