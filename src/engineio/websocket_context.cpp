#include "engineio/websocket_context.hpp"

#include <boost/asio/post.hpp>

#include "engineio/websocket_transport.hpp"

namespace sio::engineio {

namespace {
// Large enough for a whole burst of small frames per read() call, small enough to stay in
// cache; a message larger than this is assembled in the transport's own buffer.
constexpr std::size_t read_buffer_size = 64 * 1024;
}  // namespace

WebSocketContext::WebSocketContext(boost::asio::any_io_executor executor, std::size_t max_message)
    : executor_(std::move(executor)), max_message_(max_message), read_buffer_(read_buffer_size) {}

std::span<char> WebSocketContext::borrow_read_buffer() noexcept {
    if (read_buffer_busy_) return {};
    read_buffer_busy_ = true;
    return {read_buffer_.data(), read_buffer_.size()};
}

void WebSocketContext::schedule_flush(std::shared_ptr<WebSocketTransport> transport) {
    to_flush_.push_back(std::move(transport));
    if (flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(executor_, [self = shared_from_this()] { self->flush_all(); });
}

void WebSocketContext::flush_all() {
    flush_posted_ = false;
    flushing_.swap(to_flush_);
    // A flush may queue more (a failed write closes a session, whose handlers may send):
    // those land in to_flush_ and get their own turn.
    for (auto& transport : flushing_) transport->flush();
    flushing_.clear();
}

}  // namespace sio::engineio
