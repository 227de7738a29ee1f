#include "engineio/delay_queue.hpp"

#include "engineio/session_impl.hpp"

namespace sio::engineio {

DelayQueue::DelayQueue(boost::asio::any_io_executor executor, std::chrono::milliseconds delay)
    : delay_(delay), timer_(std::move(executor)) {}

DelayQueue::~DelayQueue() = default;

void DelayQueue::arm(std::weak_ptr<SessionImpl> session, std::uint32_t token) {
    entries_.push_back(Entry{std::chrono::steady_clock::now() + delay_, std::move(session), token});
    if (!timer_armed_) start_timer();
}

void DelayQueue::clear() {
    entries_.clear();
    timer_.cancel();
    timer_armed_ = false;
}

void DelayQueue::start_timer() {
    if (entries_.empty()) return;
    timer_armed_ = true;
    timer_.expires_at(entries_.front().due);
    timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timer();
    });
}

void DelayQueue::on_timer() {
    // Still "armed" while the callbacks run: their arm() calls only append.
    auto now = std::chrono::steady_clock::now();
    // Only what is due now: sessions armed by the callbacks below land behind, with later deadlines.
    std::size_t due = 0;
    while (due < entries_.size() && entries_[due].due <= now) ++due;
    for (std::size_t i = 0; i < due; ++i) {
        Entry entry = std::move(entries_.front());
        entries_.pop_front();
        if (auto session = entry.session.lock()) session->on_deadline(entry.token);
    }
    timer_armed_ = false;
    start_timer();
}

}  // namespace sio::engineio
