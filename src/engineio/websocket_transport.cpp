#include "engineio/websocket_transport.hpp"

#include <array>
#include <cerrno>
#include <utility>

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>

#include "engineio/websocket_handshake.hpp"

namespace sio::engineio {

namespace asio = boost::asio;

namespace {

bool would_block(const boost::system::error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

engineio::SharedFrame raw_frame(std::string bytes) {
    return engineio::make_binary_frame(std::move(bytes));
}

/** Exactly sized blocks for the wait an idle connection keeps pending. Asio's default
    recycling allocator hands a handler any cached block large enough, typically one left by
    an accept operation (~285 bytes, about twice the wait's own size), and an idle
    connection would hold it for its whole life. */
template <typename T>
struct ExactAllocator {
    using value_type = T;
    ExactAllocator() = default;
    template <typename U>
    ExactAllocator(const ExactAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
    friend bool operator==(const ExactAllocator&, const ExactAllocator&) noexcept { return true; }
};

}  // namespace

WebSocketTransport::WebSocketTransport(http::Socket socket, std::shared_ptr<WebSocketContext> context,
                                       std::string leftover)
    : socket_(std::move(socket)), context_(std::move(context)) {
    if (!leftover.empty()) pending_input().partial = std::move(leftover);
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
}

WebSocketTransport::~WebSocketTransport() = default;

void WebSocketTransport::accept(const http::Request& request, WebSocketOwner* owner,
                                const boost::beast::http::fields& extra) {
    owner_ = owner;
    accepted_ = true;
    // The answer goes before anything the owner queued already (the open packet).
    auto answer = raw_frame(ws::switching_protocols_response(request, extra));
    queued_bytes_ += answer->bytes.size();
    queue_.push_front(OutgoingFrame{std::move(answer), true});
    schedule_flush();
    // Not from here: a frame callback must not run inside the owner's setup.
    asio::post(context_->executor(), [self = shared_from_this()] {
        if (self->input_) {  // nothing read yet: it holds only the leftover
            std::string leftover = std::move(self->input_->partial);
            self->input_.reset();
            self->consume(leftover.data(), leftover.size());
        }
        self->read_available();
    });
}

// ---- writing -----------------------------------------------------------------------------

void WebSocketTransport::send(engineio::SharedFrame frame) {
    if (finished_ || closing_) return;
    enqueue(std::move(frame), false);
}

void WebSocketTransport::enqueue(engineio::SharedFrame frame, bool raw) {
    queued_bytes_ += frame->bytes.size();
    queue_.push_back(OutgoingFrame{std::move(frame), raw});
    schedule_flush();
}

void WebSocketTransport::schedule_flush() {
    if (flush_scheduled_ || waiting_writable_ || !accepted_ || finished_) return;
    flush_scheduled_ = true;
    context_->schedule_flush(shared_from_this());
}

void WebSocketTransport::flush() {
    flush_scheduled_ = false;
    if (finished_ || waiting_writable_) return;
    while (pending() > 0) {
        // Up to 16 frames per sendmsg: header and payload of each, the payload never copied.
        // (Plain sendmsg rather than Asio's write_some, which copies the buffers into an
        // iovec array of 64 of its own on every call.)
        constexpr std::size_t max_frames = 16;
        std::array<ws::FrameHeader, max_frames> headers;
        std::array<::iovec, 2 * max_frames> buffers;
        std::size_t count = 0;
        std::size_t skip = sent_;
        for (std::size_t n = 0; n < pending() && n < max_frames; ++n) {
            const auto& out = queue_[n];
            std::string_view header;
            if (!out.raw) {
                headers[n] = ws::encode_header(out.frame->binary ? ws::Opcode::binary : ws::Opcode::text,
                                               out.frame->bytes.size());
                header = headers[n].view();
            }
            std::string_view body = out.frame->bytes;
            if (skip > 0) {  // the first frame may be partly written
                std::size_t from_header = std::min(skip, header.size());
                header.remove_prefix(from_header);
                body.remove_prefix(skip - from_header);
                skip = 0;
            }
            if (!header.empty()) buffers[count++] = ::iovec{const_cast<char*>(header.data()), header.size()};
            if (!body.empty()) buffers[count++] = ::iovec{const_cast<char*>(body.data()), body.size()};
        }
        ::msghdr message{};
        message.msg_iov = buffers.data();
        message.msg_iovlen = count;
        ::ssize_t written = ::sendmsg(socket_.native_handle(), &message, MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                wait_writable();
                return;
            }
            fail(CloseReason::transport_close);  // the peer is gone (EPIPE, reset)
            return;
        }
        consume_written(static_cast<std::size_t>(written));
    }
    after_flushed();
}

void WebSocketTransport::consume_written(std::size_t n) {
    while (n > 0 && pending() > 0) {
        const auto& out = queue_[0];
        std::size_t size = out.frame->bytes.size();
        std::size_t total = (out.raw ? 0 : ws::header_size(size)) + size;
        std::size_t left = total - sent_;
        if (n < left) {
            sent_ += n;
            return;
        }
        n -= left;
        queued_bytes_ -= size;
        queue_.pop_front();
        sent_ = 0;
    }
}

void WebSocketTransport::after_flushed() {
    queue_.clear();  // an idle connection keeps no queue allocation
    if (!closing_) return;
    // Our close frame is out: end our side; the peer answers with its own FIN.
    boost::system::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_send, ignored);
    if (peer_closed_) finish();
}

void WebSocketTransport::wait_writable() {
    waiting_writable_ = true;
    socket_.async_wait(asio::socket_base::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
        self->waiting_writable_ = false;
        if (ec || self->finished_) return;  // aborted: the socket was closed
        self->flush();
    });
}

// ---- reading -----------------------------------------------------------------------------

void WebSocketTransport::read_available() {
    if (finished_) return;
    if (context_->writing_slices()) {  // input waits for the broadcast being written
        context_->read_after_flush(shared_from_this());
        return;
    }
    auto self = shared_from_this();  // a callback may drop the owner's reference
    std::span<char> buffer = context_->borrow_read_buffer();
    std::string own;
    if (buffer.empty()) {
        own.resize(16 * 1024);
        buffer = {own.data(), own.size()};
    }
    struct Release {
        WebSocketContext* context;
        bool borrowed;
        ~Release() {
            if (borrowed) context->release_read_buffer();
        }
    } release{context_.get(), own.empty()};

    // The socket is edge-triggered (Asio's epoll reactor): read until the kernel has nothing
    // left before waiting again, but yield to other connections after a few full buffers.
    for (int round = 0; round < 8; ++round) {
        boost::system::error_code ec;
        std::size_t n = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), ec);
        if (would_block(ec)) {
            wait_readable();
            return;
        }
        if (ec) {
            // EOF or reset. While closing, the peer's FIN is what we were waiting for.
            if (draining_) {
                peer_closed_ = true;
                if (pending() == 0 || ec != asio::error::eof) finish();
                return;
            }
            fail(CloseReason::transport_close);
            return;
        }
        if (!draining_) consume(buffer.data(), n);
        if (finished_) return;
    }
    asio::post(context_->executor(), [self] { self->read_available(); });
}

void WebSocketTransport::wait_readable() {
    socket_.async_wait(
        asio::socket_base::wait_read,
        asio::bind_allocator(ExactAllocator<void>(), [self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->finished_) return;  // aborted: the socket was closed
            self->read_available();
        }));
}

WebSocketTransport::PendingInput& WebSocketTransport::pending_input() {
    if (!input_) input_ = std::make_unique<PendingInput>();
    return *input_;
}

void WebSocketTransport::consume(char* data, std::size_t size) {
    if (!input_ || input_->partial.empty()) {
        std::size_t used = parse_frames(data, size);
        if (!draining_ && !finished_ && used < size) pending_input().partial.assign(data + used, size - used);
    } else {
        std::string& partial = input_->partial;
        partial.append(data, size);
        std::size_t used = parse_frames(partial.data(), partial.size());
        if (draining_ || finished_ || used == partial.size()) {
            std::string().swap(partial);  // its capacity too: a fragmented message may go on
        } else {
            partial.erase(0, used);
        }
    }
    // Released here, after parsing, never during it (a callback may be reading the partial
    // frame or the message): idle and closing connections keep no input buffer.
    if (input_ && (draining_ || finished_ || (input_->partial.empty() && !input_->in_message))) input_.reset();
}

std::size_t WebSocketTransport::parse_frames(char* data, std::size_t size) {
    std::size_t used = 0;
    while (!draining_ && !finished_) {
        ws::IncomingHeader header;
        std::string_view rest(data + used, size - used);
        auto result = ws::parse_header(rest, header);
        if (result == ws::HeaderResult::protocol_error) {
            protocol_error(ws::CloseCode::protocol_error);
            break;
        }
        if (result == ws::HeaderResult::need_more) break;
        const bool data_frame = !ws::is_control(header.opcode);
        if (data_frame) {
            bool continuation = header.opcode == ws::Opcode::continuation;
            if (continuation != in_message()) {  // a continuation out of nowhere, or a new message mid-way
                protocol_error(ws::CloseCode::protocol_error);
                break;
            }
            // Refused on its header, before a byte of payload is buffered.
            std::size_t so_far = in_message() ? input_->message.size() : 0;
            if (header.payload_size > context_->max_message() - so_far) {
                protocol_error(ws::CloseCode::message_too_big);
                break;
            }
        }
        if (rest.size() - header.header_size < header.payload_size) break;  // payload incomplete
        char* payload = data + used + header.header_size;
        auto payload_size = static_cast<std::size_t>(header.payload_size);
        ws::unmask(payload, payload_size, header.mask);
        used += header.header_size + payload_size;
        if (!on_frame(header, std::string_view(payload, payload_size))) break;
    }
    return used;
}

bool WebSocketTransport::on_frame(const ws::IncomingHeader& header, std::string_view payload) {
    switch (header.opcode) {
        case ws::Opcode::ping:
            if (!closing_) enqueue(raw_frame(ws::encode_control_frame(ws::Opcode::pong, payload)), true);
            return true;
        case ws::Opcode::pong:
            return true;
        case ws::Opcode::close:
            return on_close_frame(payload);
        default:
            break;
    }
    if (header.fin && !in_message()) return on_message(payload, header.opcode == ws::Opcode::binary);
    PendingInput& input = pending_input();  // `payload` may lie in its partial: that stays put
    if (!input.in_message) {
        input.in_message = true;
        input.message_binary = header.opcode == ws::Opcode::binary;
    }
    input.message.append(payload);
    if (!header.fin) return true;
    input.in_message = false;
    const bool binary = input.message_binary;
    std::string message = std::move(input.message);
    std::string().swap(input.message);
    return on_message(message, binary);
}

bool WebSocketTransport::on_message(std::string_view message, bool binary) {
    if (!binary && !ws::is_valid_utf8(message)) {
        protocol_error(ws::CloseCode::invalid_payload);
        return false;
    }
    if (owner_) owner_->on_ws_message(*this, message, binary);
    return !finished_ && !draining_;
}

bool WebSocketTransport::on_close_frame(std::string_view payload) {
    if (payload.size() == 1) {
        protocol_error(ws::CloseCode::protocol_error);
        return false;
    }
    std::optional<ws::CloseCode> echo;
    if (payload.size() >= 2) {
        auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                               static_cast<std::uint8_t>(payload[1]));
        if (!ws::is_valid_close_code(code)) {
            protocol_error(ws::CloseCode::protocol_error);
            return false;
        }
        if (!ws::is_valid_utf8(payload.substr(2))) {
            protocol_error(ws::CloseCode::invalid_payload);
            return false;
        }
        echo = static_cast<ws::CloseCode>(code);  // echoed, as `ws` does
    }
    WebSocketOwner* owner = std::exchange(owner_, nullptr);
    start_closing(ws::encode_close_frame(echo));
    if (owner) owner->on_ws_close(*this, CloseReason::transport_close);
    return false;
}

// ---- closing -----------------------------------------------------------------------------

void WebSocketTransport::close() {
    if (closing_ || finished_) return;
    owner_ = nullptr;
    start_closing(ws::encode_close_frame(std::nullopt));
}

void WebSocketTransport::protocol_error(ws::CloseCode code) {
    if (closing_ || finished_) return;
    WebSocketOwner* owner = std::exchange(owner_, nullptr);
    start_closing(ws::encode_close_frame(code));
    // As engine.io: a WebSocket error (ws's 'error' event) closes the session "transport error".
    if (owner) owner->on_ws_close(*this, CloseReason::transport_error);
}

void WebSocketTransport::start_closing(std::string close_frame) {
    enqueue(raw_frame(std::move(close_frame)), true);
    closing_ = true;
    draining_ = true;  // input_ is released by consume(): a callback may be reading it
    start_linger_timer();
}

void WebSocketTransport::start_linger_timer() {
    linger_timer_ = std::make_unique<asio::steady_timer>(context_->executor(), linger_timeout);
    linger_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->finish();
    });
}

void WebSocketTransport::fail(CloseReason reason) {
    if (finished_) return;
    WebSocketOwner* owner = std::exchange(owner_, nullptr);
    finish();
    if (owner) owner->on_ws_close(*this, reason);
}

void WebSocketTransport::finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);  // pending waits complete with operation_aborted
    if (linger_timer_) linger_timer_->cancel();
    queue_.clear();
    sent_ = 0;
    queued_bytes_ = 0;
}

}  // namespace sio::engineio
