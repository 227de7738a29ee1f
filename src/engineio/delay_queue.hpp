#pragma once
// DelayQueue: the heartbeat deadlines of every session of one loop for one fixed delay
// (pingInterval, or pingTimeout). Each deadline is "now + the same delay", so arming appends
// in time order: a FIFO and one Asio timer serve all sessions, where a steady_timer and a
// pending wait per session cost about 260 bytes each (docs/architecture.md "WebSocket transport and timers": "one timer
// mechanism for many sessions"). Disarming is lazy: a session's token changes and the stale entry is skipped when it
// reaches the front.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sio::engineio {

class SessionImpl;

class DelayQueue : public std::enable_shared_from_this<DelayQueue> {
public:
    DelayQueue(boost::asio::any_io_executor executor, std::chrono::milliseconds delay);
    ~DelayQueue();

    /** In `delay` from now, `session->on_deadline(token)` runs (if the session still exists). */
    void arm(std::weak_ptr<SessionImpl> session, std::uint32_t token);

    /** Drops every entry and stops the timer (the server is going away). */
    void clear();

    std::chrono::milliseconds delay() const noexcept { return delay_; }

private:
    struct Entry {
        std::chrono::steady_clock::time_point due;
        std::weak_ptr<SessionImpl> session;
        std::uint32_t token;
    };

    void start_timer();
    void on_timer();

    std::chrono::milliseconds delay_;
    boost::asio::steady_timer timer_;
    std::deque<Entry> entries_;  // ascending `due`
    bool timer_armed_ = false;
};

}  // namespace sio::engineio
