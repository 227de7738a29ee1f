#pragma once
// The WebSocket transport: owns the Beast stream, runs the read loop and writes one frame at a
// time from a FIFO of shared frames (Beast: "no other calls to async_write until this
// operation completes"). It knows nothing of sessions: it reports frames and its end through
// callbacks set by the owner.

#include <deque>
#include <functional>
#include <memory>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <sio/core/frame.hpp>
#include <sio/engineio/error.hpp>
#include <sio/http/types.hpp>

#include "engineio/websocket_teardown.hpp"  // before the stream is instantiated

namespace sio::engineio {

class WebSocketTransport : public std::enable_shared_from_this<WebSocketTransport> {
public:
    using FrameCallback = std::function<void(std::string_view data, bool binary)>;
    using CloseCallback = std::function<void(CloseReason)>;

    WebSocketTransport(http::Socket socket, std::size_t max_message);

    /** Completes the upgrade with `request`; the first frame (the open packet for a new
        session) may already be queued. `on_frame`/`on_close` are the owner's callbacks. */
    void accept(http::Request request, FrameCallback on_frame, CloseCallback on_close);

    /** Replaces the callbacks (a probe WebSocket becoming the session's transport). */
    void set_callbacks(FrameCallback on_frame, CloseCallback on_close);

    void send(core::SharedFrame frame);
    /** True when a frame sent now would not wait behind another: nothing queued beyond the
        frame being written. A write counts as "being written" until Beast's composed write
        completes, a few handler hops after the kernel took the bytes; treating that frame as
        still busy made volatile packets depend on scheduling luck (an idle client that had
        just been sent a packet could receive none), so one frame may wait behind it. */
    bool accepts_volatile() const noexcept { return queue_.size() <= 1 && !closing_ && !finished_; }
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }

    /** Sends what is queued, then a close frame without status (Node: the client sees 1005).
        `on_close` is not called for a close we started. */
    void close();

private:
    void do_read();
    void on_read(boost::system::error_code ec);
    void do_write();
    void on_write(boost::system::error_code ec);
    void do_close();
    void fail(CloseReason reason);

    boost::beast::websocket::stream<http::Socket> ws_;
    boost::beast::flat_buffer read_buffer_;
    std::deque<core::SharedFrame> queue_;
    std::size_t queued_bytes_ = 0;
    FrameCallback on_frame_;
    CloseCallback on_close_;
    bool accepted_ = false;
    bool writing_ = false;
    bool closing_ = false;  // close requested by us: flush, then close frame
    bool finished_ = false;
};

}  // namespace sio::engineio
