#pragma once
// The WebSocket transport: RFC 6455 over a non-blocking socket, written for many idle
// connections and for fan-out rather than on Beast's websocket::stream (which keeps about 4 kB
// of buffers and state per connection and costs one composed async_write per frame).
//
//  * Reading: wait until the socket is readable, read into the loop's shared buffer, unmask
//    and deliver whole messages in place; only an incomplete frame or a fragmented message is
//    copied into a buffer of the connection's own, released once complete. While the loop
//    writes a flush list a slice per turn, reading waits until it is done (WebSocketContext).
//  * Writing: frames are shared (a broadcast's frame is one allocation for every recipient);
//    the queue holds references, frame headers are computed at write time, and everything
//    queued in one loop turn leaves in one writev (WebSocketContext's flush list). Only when
//    the kernel buffer is full does the transport wait for writability.
//  * Closing: the close frame goes after what is queued; then the send side is shut down and
//    input is drained until the peer closes (at most linger_timeout), so that unread input
//    never turns the close into a TCP reset that destroys the close frame.
//
// It knows nothing of sessions: it reports messages and its end to its owner (WebSocketOwner).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/fields.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/error.hpp>
#include <sio/http/types.hpp>

#include "engineio/outgoing_queue.hpp"
#include "engineio/websocket_context.hpp"
#include "engineio/websocket_frame.hpp"

namespace sio::engineio {

class WebSocketTransport;

/** Whoever holds a WebSocketTransport and hears from it (the Engine.IO session). The transport
    keeps a plain pointer to it, one word instead of two std::function callbacks (64 bytes per
    connection), so the owner must detach() every transport it owns before it is destroyed;
    a callback may drop the owner's last reference, so the owner keeps itself alive across
    one (as the callbacks' weak_ptr::lock() used to). `transport` says which of the owner's
    transports speaks (the session's own, or the probe of an upgrade). */
class WebSocketOwner {
public:
    virtual void on_ws_message(WebSocketTransport& transport, std::string_view data, bool binary) = 0;
    /** The peer closed, the connection failed, or a protocol error; not for a close we started. */
    virtual void on_ws_close(WebSocketTransport& transport, CloseReason reason) = 0;

protected:
    ~WebSocketOwner() = default;
};

class WebSocketTransport : public std::enable_shared_from_this<WebSocketTransport> {
public:
    /** `leftover`: bytes the HTTP layer read past the upgrade request (normally none). */
    WebSocketTransport(http::Socket socket, std::shared_ptr<WebSocketContext> context, std::string leftover = {});
    ~WebSocketTransport();

    /** Queues the 101 answer to `request` (already checked with ws::upgrade_error), with the
        `extra` headers the engine's hooks added, and starts reading on the next loop turn.
        Frames sent after this follow the answer. `owner` (may be null: nobody listens) hears
        until close(), the end, or detach(). */
    void accept(const http::Request& request, WebSocketOwner* owner, const boost::beast::http::fields& extra = {});

    /** The owner is going away: nothing is reported to it any more. */
    void detach() noexcept { owner_ = nullptr; }

    void send(engineio::SharedFrame frame);
    /** True when a frame sent now would not wait behind others: at most one frame pending
        (the one a volatile packet may follow in the same write). */
    bool accepts_volatile() const noexcept { return pending() <= 1 && !closing_ && !finished_; }
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }

    /** Sends what is queued, then a close frame without status (Node: the client sees 1005).
        The owner is detached: it hears nothing of a close we started. */
    void close();

    /** Writes what is queued, as far as the kernel takes it (called by WebSocketContext). */
    void flush();
    /** Reads what arrived while the loop wrote a long flush list (called by WebSocketContext). */
    void resume_reading() { read_available(); }

    /** How long a closing connection waits for the peer to close its side. */
    static constexpr std::chrono::seconds linger_timeout{5};

private:
    std::size_t pending() const noexcept { return queue_.pending(); }
    void enqueue(engineio::SharedFrame frame, bool raw);
    void schedule_flush();
    void wait_writable();
    void consume_written(std::size_t n);
    void after_flushed();

    /** Input that outlives one read: allocated only while a frame is incomplete or a
        fragmented message is being reassembled (an idle connection holds none of it). */
    struct PendingInput {
        std::string partial;      // an incomplete frame, carried to the next read
        std::string message;      // a fragmented message being reassembled
        bool in_message = false;  // fragments of `message` arriving
        bool message_binary = false;
    };
    PendingInput& pending_input();
    bool in_message() const noexcept { return input_ && input_->in_message; }

    void read_available();
    void wait_readable();
    void consume(char* data, std::size_t size);
    std::size_t parse_frames(char* data, std::size_t size);
    bool on_frame(const ws::IncomingHeader& header, std::string_view payload);
    bool on_message(std::string_view message, bool binary);
    bool on_close_frame(std::string_view payload);

    void protocol_error(ws::CloseCode code);
    void start_closing(std::string close_frame);
    void start_linger_timer();
    void fail(CloseReason reason);
    void finish();

    http::Socket socket_;
    std::shared_ptr<WebSocketContext> context_;
    WebSocketOwner* owner_ = nullptr;  // null once detached (see WebSocketOwner)

    OutgoingQueue queue_;
    std::size_t sent_ = 0;  // bytes of queue_[0] (header included) already written
    std::size_t queued_bytes_ = 0;

    std::unique_ptr<PendingInput> input_;                      // see PendingInput
    std::unique_ptr<boost::asio::steady_timer> linger_timer_;  // only while closing

    bool accepted_ = false;
    bool flush_scheduled_ = false;
    bool waiting_writable_ = false;
    bool closing_ = false;      // close frame queued: nothing more is sent
    bool draining_ = false;     // input is read and dropped until the peer closes
    bool peer_closed_ = false;  // EOF seen while draining
    bool finished_ = false;     // socket closed
};

}  // namespace sio::engineio
