// Engine.IO session state machine (docs/protocol.md §1.5-1.9).
//
//   open --close(server reason)--> closing (flush queue + close packet) --> closed
//   open --transport gone / ping timeout / parse error--> closed
//
// Outbound frames go straight to the WebSocket transport when there is one; on long-polling
// they wait in the polling queue until a GET is held, and every frame queued in one loop turn
// leaves in one payload. The handler hears on_close once, posted, after the session left the server map.
//
// Protocol 3 (allowEIO3, docs/protocol.md §1.14) changes the encodings (length-prefixed
// payloads, a type byte on binary frames, optionally base64) and the heartbeat: the client
// pings, we answer pong, and a session with no ping for pingInterval + pingTimeout is closed.

#include "engineio/session_impl.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/string_body.hpp>

#include <sio/core/log.hpp>
#include <sio/engineio/parser.hpp>
#include <sio/engineio/parser_v3.hpp>
#include <sio/engineio/server.hpp>

#include "engineio/cors.hpp"
#include "engineio/delay_queue.hpp"

namespace sio::engineio {
namespace {

namespace bhttp = boost::beast::http;

auto log() {
    static auto logger = core::logger("engineio");
    return logger;
}

const engineio::SharedFrame& ping_frame() {
    static const auto frame = engineio::make_text_frame("2");
    return frame;
}

const engineio::SharedFrame& pong_frame() {
    static const auto frame = engineio::make_text_frame("3");
    return frame;
}

// Upgrade checks: a held GET is answered with a noop so that the client can pause polling.
constexpr std::string_view noop_payload = "6";
constexpr std::string_view close_payload = "1";

}  // namespace

SessionImpl::SessionImpl(Server& server, std::string id, Handshake handshake, const Options& options, int protocol,
                         bool base64)
    : server_(&server),
      id_(std::move(id)),
      handshake_(std::make_shared<const Handshake>(std::move(handshake))),
      options_(options),
      protocol_(static_cast<std::uint8_t>(protocol)),
      base64_(base64) {}

SessionImpl::~SessionImpl() {
    // Transports may outlive us (their pending waits hold them): they must not call us back.
    if (ws_) ws_->detach();
    if (auto* probe = this->probe()) probe->detach();
}

SessionImpl::Polling& SessionImpl::polling() {
    if (!polling_) polling_ = std::make_unique<Polling>();
    return *polling_;
}

WebSocketTransport* SessionImpl::probe() const noexcept {
    return polling_ ? polling_->probe.get() : nullptr;
}

std::string SessionImpl::open_packet(bool upgrades) const {
    return fmt::format(R"(0{{"sid":"{}","upgrades":{},"pingInterval":{},"pingTimeout":{},"maxPayload":{}}})", id_,
                       upgrades ? R"(["websocket"])" : "[]", options_.ping_interval.count(),
                       options_.ping_timeout.count(), options_.max_payload);
}

std::string SessionImpl::handshake_payload(bool upgrades) const {
    return control_payload(open_packet(upgrades));
}

std::string SessionImpl::control_payload(std::string_view packet) const {
    if (protocol_ != 3) return std::string(packet);
    std::string payload;
    v3::append_text_record(payload, packet);
    return payload;
}

engineio::SharedFrame SessionImpl::for_websocket(const engineio::SharedFrame& frame) const {
    return protocol_ == 3 ? v3::websocket_frame(frame, base64_) : frame;
}

void SessionImpl::start() {
    if (protocol_ == 3) {
        arm_v3_timeout();
    } else {
        schedule_ping();
    }
}

// ---- heartbeat ---------------------------------------------------------------------------

void SessionImpl::schedule_ping() {
    awaiting_pong_ = false;
    server_->ping_interval_queue().arm(weak_from_this(), ++heartbeat_token_);
}

void SessionImpl::arm_v3_timeout() {
    // engine.io: pingInterval + pingTimeout after the open, re-armed by each client ping.
    server_->v3_ping_timeout_queue().arm(weak_from_this(), ++heartbeat_token_);
}

void SessionImpl::on_deadline(std::uint32_t token) {
    if (token != heartbeat_token_ || state_ != State::open) return;  // disarmed since
    if (awaiting_pong_ || protocol_ == 3) {
        close(CloseReason::ping_timeout);
        return;
    }
    awaiting_pong_ = true;
    send(ping_frame(), false);
    server_->ping_timeout_queue().arm(weak_from_this(), ++heartbeat_token_);
}

void SessionImpl::on_pong() {
    // The next ping is due pingInterval after this pong (engine.io re-arms on each pong).
    if (awaiting_pong_) schedule_ping();
}

// ---- sending -----------------------------------------------------------------------------

bool SessionImpl::writable() const noexcept {
    if (state_ != State::open) return false;
    if (ws_) return ws_->accepts_volatile();
    return polling_ && polling_->poll != nullptr && polling_->queue.empty() && !polling_->probed;
}

SendResult SessionImpl::send(std::span<const engineio::SharedFrame> frames, bool is_volatile) {
    if (state_ != State::open) return SendResult::dropped;
    if (is_volatile && !writable()) return SendResult::dropped;
    std::size_t bytes = 0;
    for (const auto& f : frames) bytes += f->bytes.size();
    std::size_t queued = ws_ ? ws_->queued_bytes() : polling_ ? polling_->queued_bytes : 0;
    if (queued + bytes > options_.max_buffered_bytes) {
        // A client that stops reading must not grow our memory without limit.
        log()->warn("sid={} outbound queue over {} bytes: closing slow consumer", id_, options_.max_buffered_bytes);
        close(CloseReason::transport_error);
        return SendResult::dropped;
    }
    if (ws_) {
        for (const auto& f : frames) ws_->send(for_websocket(f));
        return SendResult::queued;
    }
    auto& p = polling();
    for (const auto& f : frames) p.queue.push_back(f);
    p.queued_bytes += bytes;
    // As engine.io: a held GET takes what is queued at once; what is sent after that waits for
    // the next GET (so a volatile burst over polling delivers its first packet only).
    flush_poll();
    return SendResult::queued;
}

void SessionImpl::flush_poll() {
    if (!polling_ || !polling_->poll || polling_->queue.empty() || ws_) return;
    auto& p = *polling_;
    std::string payload;
    bool binary = false;
    if (protocol_ == 3) {
        // engine.io-parser 2: an XHR2 binary payload when there is binary to send and the
        // client did not ask for base64, else text records.
        binary = !base64_ && std::any_of(p.queue.begin(), p.queue.end(), [](const auto& f) { return f->binary; });
        payload.reserve(p.queued_bytes + p.queue.size() * 8);
        for (const auto& f : p.queue) {
            if (binary) {
                v3::append_binary_record(payload, *f);
            } else {
                v3::append_text_record(payload, *f);
            }
        }
        if (state_ == State::closing) {
            if (binary) {
                v3::append_binary_record(payload, close_payload);
            } else {
                v3::append_text_record(payload, close_payload);
            }
        }
    } else {
        payload.reserve(p.queued_bytes + p.queue.size() * 2);
        for (const auto& f : p.queue) append_to_payload(payload, *f);
        if (state_ == State::closing) {
            payload += '\x1e';
            payload += close_payload;
        }
    }
    p.queue.clear();
    p.queued_bytes = 0;
    respond_poll(std::move(payload), binary);
    if (state_ == State::closing) finalize(closing_reason_);
}

void SessionImpl::respond_poll(std::string body, bool binary) {
    if (!polling_) return;
    auto connection = std::move(polling_->poll);
    polling_->poll.reset();
    if (!connection) return;
    const auto& request = *polling_->poll_request;
    http::Response res{bhttp::status::ok, request.version()};
    res.set(bhttp::field::content_type, binary ? "application/octet-stream" : "text/plain; charset=UTF-8");
    res.set(bhttp::field::cache_control, "no-store");
    apply_cors(options_.cors, request, res);
    server_->emit_headers(res, request, false);
    res.keep_alive(request.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    connection->respond(std::move(res));
}

// ---- long-polling requests ---------------------------------------------------------------

void SessionImpl::on_poll(const std::shared_ptr<http::HttpConnection>& connection, const http::Request& request) {
    auto& p = polling();
    if (p.poll) {
        // Overlapping GETs: the second is refused, the first gets the close packet.
        http::Response res{bhttp::status::bad_request, request.version()};
        apply_cors(options_.cors, request, res);
        res.keep_alive(false);
        res.prepare_payload();
        connection->respond(std::move(res));
        respond_poll(control_payload(close_payload));
        close(CloseReason::transport_error);
        return;
    }
    p.poll = connection;
    p.poll_request = std::make_unique<http::Request>(request.base());
    connection->on_abort([weak = weak_from_this()] {
        if (auto self = weak.lock()) {
            if (self->polling_) self->polling_->poll.reset();
            self->close(CloseReason::transport_error);
        }
    });
    if (!p.queue.empty()) {
        flush_poll();
    } else if (state_ == State::closing) {
        respond_poll(control_payload(close_payload));
        finalize(closing_reason_);
    } else if (p.probed) {
        respond_poll(control_payload(noop_payload));
    }
}

void SessionImpl::on_post(const std::shared_ptr<http::HttpConnection>& connection, const http::Request& request) {
    auto answer = [&](bhttp::status status, std::string_view content_type, std::string body) {
        http::Response res{status, request.version()};
        if (!content_type.empty()) res.set(bhttp::field::content_type, content_type);
        res.set(bhttp::field::cache_control, "no-store");
        apply_cors(options_.cors, request, res);
        // Only the `ok` answer goes through the headers hooks (engine.io writes its errors raw).
        if (status == bhttp::status::ok) server_->emit_headers(res, request, false);
        res.keep_alive(request.keep_alive());
        res.body() = std::move(body);
        res.prepare_payload();
        connection->respond(std::move(res));
    };
    const bool binary_body = request[bhttp::field::content_type] == "application/octet-stream";
    if (binary_body && protocol_ != 3) {
        // Binary POST bodies belong to Engine.IO v3 only.
        answer(bhttp::status::bad_request, "", "");
        close(CloseReason::transport_error);
        return;
    }
    auto self = shared_from_this();  // a packet handler may close us mid-payload
    if (protocol_ == 3) {
        // As engine.io-parser 2: the packets before a bad record are delivered, then the
        // session closes.
        auto decoded = binary_body ? v3::decode_binary_payload(request.body()) : v3::decode_payload(request.body());
        for (const auto& packet : decoded.packets) {
            if (state_ != State::open) break;
            on_packet(packet);
        }
        if (decoded.error) close(CloseReason::parse_error);
        answer(bhttp::status::ok, "text/html", "ok");
        return;
    }
    auto packets = decode_payload(request.body());
    if (!packets) {
        close(CloseReason::parse_error);
    } else {
        for (const auto& packet : *packets) {
            if (state_ != State::open) break;
            on_packet(packet);
        }
    }
    answer(bhttp::status::ok, "text/html", "ok");
}

// ---- incoming packets --------------------------------------------------------------------

void SessionImpl::on_packet(const Packet& packet) {
    switch (packet.type) {
        case PacketType::message:
            if (handler_) {
                if (packet.binary) {
                    handler_->on_binary(packet.data);
                } else {
                    handler_->on_message(packet.data);
                }
            }
            break;
        case PacketType::pong:
            if (protocol_ == 3) {
                close(CloseReason::transport_error);  // v3: only the client pings
                break;
            }
            on_pong();
            break;
        case PacketType::ping:
            if (protocol_ == 3) {
                arm_v3_timeout();
                send(pong_frame(), false);
                break;
            }
            // v4: only the server pings.
            close(CloseReason::transport_error);
            break;
        case PacketType::close:
            respond_poll(control_payload(noop_payload));  // the held GET, if any
            close(CloseReason::transport_close);
            break;
        default:
            break;  // open/upgrade/noop from a client carry nothing for us
    }
}

void SessionImpl::on_ws_frame(std::string_view data, bool binary) {
    if (state_ != State::open) return;
    auto self = shared_from_this();
    if (protocol_ == 3) {
        auto packet = binary ? v3::decode_binary_packet(data) : v3::decode_packet(data);
        if (!packet) {
            close(CloseReason::parse_error);
            return;
        }
        on_packet(*packet);
        return;
    }
    if (binary) {
        on_packet(Packet{PacketType::message, std::string(data), true});
        return;
    }
    auto packet = decode_packet(data);
    if (!packet) {
        close(CloseReason::parse_error);
        return;
    }
    on_packet(*packet);
}

// ---- WebSocket and upgrade ---------------------------------------------------------------

void SessionImpl::on_ws_message(WebSocketTransport& transport, std::string_view data, bool binary) {
    auto self = shared_from_this();  // what we do may drop the server map's reference
    if (&transport == ws_.get()) {
        on_ws_frame(data, binary);
    } else if (&transport == probe()) {
        on_probe_frame(data, binary);
    }
}

void SessionImpl::on_ws_close(WebSocketTransport& transport, CloseReason reason) {
    auto self = shared_from_this();
    if (&transport == ws_.get()) {
        close(reason);
    } else if (&transport == probe()) {
        abort_upgrade();
    }
}

void SessionImpl::attach_websocket(std::shared_ptr<WebSocketTransport> ws, const http::Request& request) {
    ws_ = std::move(ws);
    HeaderMap extra;
    server_->emit_headers(extra, request, true);  // the session's first response
    ws_->accept(request, this, extra);
    // In the same write as the 101 answer.
    ws_->send(engineio::make_text_frame(open_packet(false)));
}

void SessionImpl::start_upgrade(std::shared_ptr<WebSocketTransport> ws, const http::Request& request, bool base64) {
    auto& p = polling();
    p.probe = std::move(ws);
    p.probe_base64 = base64;
    HeaderMap extra;
    server_->emit_headers(extra, request, false);
    p.probe->accept(request, this, extra);  // its messages go to on_probe_frame until finish_upgrade
    p.upgrade_timer = std::make_unique<boost::asio::steady_timer>(server_->executor(), options_.upgrade_timeout);
    p.upgrade_timer->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->abort_upgrade();
    });
}

void SessionImpl::on_probe_frame(std::string_view data, bool binary) {
    if (state_ != State::open) return;
    auto& p = *polling_;  // a probe lives there
    if (!binary && data == "2probe" && !p.probed) {
        p.probe->send(engineio::make_text_frame("3probe"));
        p.probed = true;
        // Release the held GET so the client can pause polling.
        if (p.queue.empty()) respond_poll(control_payload(noop_payload));
        emit_upgrading("websocket");  // may close us: nothing of the session is used after it
        return;
    }
    if (!binary && data == "5" && p.probed) {
        finish_upgrade();
        return;
    }
    abort_upgrade();
}

void SessionImpl::finish_upgrade() {
    respond_poll(control_payload(noop_payload));  // the held GET, if any
    // From now on its messages go to on_ws_frame and its end closes the session.
    ws_ = std::move(polling_->probe);
    base64_ = polling_->probe_base64;  // v3: each transport says whether it takes binary
    for (auto& f : polling_->queue) ws_->send(for_websocket(f));
    polling_.reset();  // a WebSocket session now: nothing of polling is kept
    if (handler_) handler_->on_upgrade();
    emit_upgrade(transport_name());
}

void SessionImpl::abort_upgrade() {
    if (!polling_) return;
    polling_->upgrade_timer.reset();
    polling_->probed = false;
    if (auto probe = std::move(polling_->probe)) {
        polling_->probe.reset();
        probe->close();
    }
    // Anything queued while the GETs were being released goes out on the next GET.
}

// ---- closing -----------------------------------------------------------------------------

void SessionImpl::close(CloseReason reason) {
    if (state_ != State::open) return;
    auto self = shared_from_this();  // the server map may hold the last reference
    cancel_heartbeat();
    abort_upgrade();
    bool server_side = reason == CloseReason::forced_close || reason == CloseReason::server_shutting_down;
    if (ws_) {
        // Queued frames (e.g. DISCONNECT packets) are flushed before the close frame; after a
        // transport failure the transport is already gone and this is a no-op.
        ws_->close();
        finalize(reason);
        return;
    }
    if (server_side) {
        // Polling: the close packet goes out after what is queued, on this or the next GET.
        state_ = State::closing;
        closing_reason_ = reason;
        if (polling_ && polling_->poll) {
            if (!polling_->queue.empty()) {
                flush_poll();
            } else {
                respond_poll(control_payload(close_payload));
                finalize(reason);
            }
            return;
        }
        // No GET held: wait for one, but not forever (Node: 30 s close timeout).
        auto& timer = polling().close_timer;
        timer = std::make_unique<boost::asio::steady_timer>(server_->executor(), std::chrono::seconds(30));
        timer->async_wait([weak = weak_from_this(), reason](boost::system::error_code ec) {
            if (ec) return;
            if (auto session = weak.lock()) session->finalize(reason);
        });
        return;
    }
    respond_poll(control_payload(close_payload));  // the held GET, if any
    finalize(reason);
}

void SessionImpl::finalize(CloseReason reason) {
    if (state_ == State::closed) return;
    auto self = shared_from_this();  // the server map may hold the last reference
    state_ = State::closed;
    server_->remove(id_);  // new requests for this sid now get "Session ID unknown"
    cancel_heartbeat();
    if (polling_) {  // not released here: a caller up the stack (on_poll) may be using it
        polling_->upgrade_timer.reset();
        polling_->close_timer.reset();
        polling_->queue.clear();
        polling_->queued_bytes = 0;
    }
    log()->debug("sid={} closed: {}", id_, to_string(reason));
    // The handler hears about it on a fresh stack: close() may be called from inside it.
    boost::asio::post(server_->executor(), [self, reason] {
        if (auto handler = std::move(self->handler_)) {
            handler->on_close(reason);
        }
        self->emit_close(reason);  // the application's listeners, after the layer above
    });
}

}  // namespace sio::engineio
