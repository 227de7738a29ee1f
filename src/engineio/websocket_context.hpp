#pragma once
// What all WebSockets of one event loop share (uWebSockets' LoopData):
//  * the read buffer: a transport reads into it only when the socket is readable and keeps
//    only an incomplete frame for itself, so an idle connection holds no buffer;
//  * the flush list: frames queued for a connection during one loop turn leave in one
//    writev when the turn's handlers have run, however many sends queued them. A long list
//    (a broadcast to thousands) is flushed a slice per turn, so that the loop reads its other
//    sockets in between: a message that arrives meanwhile (the next broadcast from Redis or
//    REST) joins the queues of the connections not yet flushed, and leaves with the earlier
//    frame in the same write. Under a backlog, a connection then costs one write for several
//    messages instead of one each, and the loop never stops answering for a whole broadcast.
//    WebSocket input waits for the list to be done, so that clients are held to its pace.
// One per engineio::Server (one per loop); used on that loop only.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace sio::engineio {

class WebSocketTransport;

class WebSocketContext : public std::enable_shared_from_this<WebSocketContext> {
public:
    WebSocketContext(boost::asio::any_io_executor executor, std::size_t max_message);

    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }
    /** The largest message (after reassembly) a client may send: larger closes with 1009. */
    std::size_t max_message() const noexcept { return max_message_; }

    /** The loop's read buffer, or an empty span while another read holds it (a frame
        callback that, through the layers above, reads another socket: the caller then reads
        into a buffer of its own). Give it back with release_read_buffer(). */
    std::span<char> borrow_read_buffer() noexcept;
    void release_read_buffer() noexcept { read_buffer_busy_ = false; }

    /** `transport` has frames queued: it flushes once the current handlers are done. */
    void schedule_flush(std::shared_ptr<WebSocketTransport> transport);

    /** True while a flush list longer than one slice is being written, a slice per turn.
        WebSocket input waits meanwhile (read_after_flush), as it did when a whole list was
        written in one turn: clients cannot queue broadcasts faster than they leave, while
        the loop's other sockets (Redis, HTTP, new connections) are still served. */
    bool writing_slices() const noexcept { return flushed_ < flushing_.size(); }
    /** `transport` is readable but waits for the list being written (see writing_slices). */
    void read_after_flush(std::shared_ptr<WebSocketTransport> transport);

    /** Calls `done` (on a later loop turn) once every frame queued on this loop so far has
        been handed to the kernel, or is waiting for a full socket buffer to drain. */
    void when_flushed(std::function<void()> done);

    /** Connections flushed per loop turn before the loop polls its sockets again. A slice
        takes about a millisecond (one sendmsg each), so the loop reacts within one. */
    static constexpr std::size_t flush_slice = 128;

private:
    void post_flush();
    void flush_some();

    boost::asio::any_io_executor executor_;
    std::size_t max_message_;
    std::vector<char> read_buffer_;
    bool read_buffer_busy_ = false;
    std::vector<std::shared_ptr<WebSocketTransport>> to_flush_;
    // The list being flushed, a slice per turn from flushed_; new entries go to to_flush_.
    std::vector<std::shared_ptr<WebSocketTransport>> flushing_;  // kept to reuse its capacity
    std::size_t flushed_ = 0;
    // when_flushed callbacks: after the list being flushed, and after the one being gathered.
    std::vector<std::function<void()>> after_flushing_;
    std::vector<std::function<void()>> after_to_flush_;
    std::vector<std::shared_ptr<WebSocketTransport>> deferred_reads_;  // see read_after_flush
    bool flush_posted_ = false;
};

}  // namespace sio::engineio
