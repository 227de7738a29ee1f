#include "engineio/websocket_context.hpp"

#include <algorithm>
#include <utility>

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
    post_flush();
}

void WebSocketContext::post_flush() {
    if (flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(executor_, [self = shared_from_this()] { self->flush_some(); });
}

void WebSocketContext::read_after_flush(std::shared_ptr<WebSocketTransport> transport) {
    deferred_reads_.push_back(std::move(transport));
}

void WebSocketContext::when_flushed(std::function<void()> done) {
    if (!to_flush_.empty()) {
        after_to_flush_.push_back(std::move(done));  // (a flush is posted)
    } else if (flushed_ < flushing_.size()) {
        after_flushing_.push_back(std::move(done));  // what was queued sits in this list
    } else {
        boost::asio::post(executor_, std::move(done));
    }
}

void WebSocketContext::flush_some() {
    flush_posted_ = false;
    if (flushed_ == flushing_.size()) {
        flushing_.clear();
        flushed_ = 0;
        flushing_.swap(to_flush_);
        after_flushing_.swap(after_to_flush_);  // after_flushing_ was empty: its list is done
    }
    // A flush may queue more (a failed write closes a session, whose handlers may send):
    // those land in to_flush_ and wait for the current list to be done. A transport still
    // waiting here keeps its flush_scheduled_ and takes what is sent to it meanwhile.
    const std::size_t end = std::min(flushing_.size(), flushed_ + flush_slice);
    while (flushed_ < end) std::exchange(flushing_[flushed_++], nullptr)->flush();
    if (flushed_ == flushing_.size()) {
        if (!deferred_reads_.empty()) {
            boost::asio::post(executor_, [reads = std::move(deferred_reads_)] {
                for (const auto& transport : reads) transport->resume_reading();
            });
            deferred_reads_.clear();
        }
        if (!after_flushing_.empty()) {
            auto callbacks = std::move(after_flushing_);
            after_flushing_.clear();
            for (auto& done : callbacks) done();
        }
    }
    if (flushed_ < flushing_.size() || !to_flush_.empty()) post_flush();
}

}  // namespace sio::engineio
