#pragma once
// The frames a WebSocketTransport has queued and not yet fully written, oldest first.
//
// Most loop turns queue one frame for a connection (a broadcast, a ping), so the first frame
// lives in the queue itself and only a second one queued before the queue drains allocates.
// That allocation is given back when the queue drains: an idle connection holds none (a
// std::vector kept its last capacity, a heap block of 48 bytes or more per connection).
// Written frames are dropped one by one (pop_front), not moved: a queue under backpressure
// does not shift its tail on every partial write.

#include <cstddef>
#include <utility>
#include <vector>

#include <sio/engineio/frame.hpp>

namespace sio::engineio {

struct OutgoingFrame {
    engineio::SharedFrame frame;  // never null while queued
    bool raw = false;             // bytes go out as they are (the 101 answer, control frames)
};

class OutgoingQueue {
public:
    /** Frames not yet fully written. */
    std::size_t pending() const noexcept { return size() - head_; }
    /** The i-th frame not yet fully written (0: the one being written). */
    const OutgoingFrame& operator[](std::size_t i) const noexcept { return at(head_ + i); }

    void push_back(OutgoingFrame out) {
        if (size() == 0) {
            first_ = std::move(out);
        } else {
            rest_.push_back(std::move(out));
        }
    }

    /** Queues `out` before every pending frame (it must not cut into a frame being written). */
    void push_front(OutgoingFrame out) {
        if (pending() == 0) {
            clear();
            push_back(std::move(out));
        } else if (head_ == 0) {  // first_ is pending: it moves behind `out`
            rest_.insert(rest_.begin(), std::move(first_));
            first_ = std::move(out);
        } else {
            rest_.insert(rest_.begin() + static_cast<std::ptrdiff_t>(head_ - 1), std::move(out));
        }
    }

    /** The oldest pending frame is written: its reference is dropped at once. */
    void pop_front() noexcept {
        at(head_).frame.reset();
        ++head_;
    }

    /** Drops every frame and gives back the allocation. */
    void clear() noexcept {
        first_ = {};
        std::vector<OutgoingFrame>().swap(rest_);
        head_ = 0;
    }

private:
    // Logical index 0 is first_, i > 0 is rest_[i - 1]; [0, head_) are written and dropped.
    // first_ is in use while it holds a frame or has been written (head_ > 0).
    std::size_t size() const noexcept { return first_.frame || head_ > 0 ? 1 + rest_.size() : 0; }
    OutgoingFrame& at(std::size_t i) noexcept { return i == 0 ? first_ : rest_[i - 1]; }
    const OutgoingFrame& at(std::size_t i) const noexcept { return i == 0 ? first_ : rest_[i - 1]; }

    OutgoingFrame first_;
    std::vector<OutgoingFrame> rest_;
    std::size_t head_ = 0;
};

}  // namespace sio::engineio
