#pragma once
// SessionImpl: one Engine.IO session. It owns the outbound queue (for long-polling), the current
// transport (a held GET, or a WebSocketTransport), the probe WebSocket during an upgrade, and the
// heartbeat timer, and it feeds decoded packets to its SessionHandler. A protocol 3 session
// (allowEIO3) differs in its encodings and its heartbeat only (docs/protocol.md §1.14).

#include <vector>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include <sio/engineio/options.hpp>
#include <sio/engineio/packet.hpp>
#include <sio/engineio/session.hpp>
#include <sio/http/connection.hpp>

#include "engineio/websocket_transport.hpp"

namespace sio::engineio {

class Server;

class SessionImpl final : public Session, public WebSocketOwner, public std::enable_shared_from_this<SessionImpl> {
public:
    /** `protocol`: 4, or 3 (allowEIO3); `base64`: a v3 client that asked for binary as base64
        (`b64`) on the handshake's transport. */
    SessionImpl(Server& server, std::string id, Handshake handshake, const Options& options, int protocol = 4,
                bool base64 = false);
    ~SessionImpl() override;

    // ---- Session ----------------------------------------------------------------------
    const std::string& id() const noexcept override { return id_; }
    std::string_view transport_name() const noexcept override { return ws_ ? "websocket" : "polling"; }
    int protocol() const noexcept override { return protocol_; }
    const std::shared_ptr<const Handshake>& shared_handshake() const noexcept override { return handshake_; }
    bool writable() const noexcept override;
    SendResult send(std::span<const engineio::SharedFrame> frames, bool is_volatile) override;
    using Session::send;
    void close(CloseReason reason) override;

    // ---- used by Server ---------------------------------------------------------------
    void set_handler(std::unique_ptr<SessionHandler> handler) { handler_ = std::move(handler); }
    /** The open packet `0{...}` for this session. */
    std::string open_packet(bool upgrades) const;
    /** The body of the polling handshake answer: the open packet as a payload. */
    std::string handshake_payload(bool upgrades) const;
    /** Starts the heartbeat (after the handshake answer is on its way). */
    void start();
    /** A heartbeat deadline armed with `token` is due (DelayQueue). */
    void on_deadline(std::uint32_t token);
    /** Makes `ws` the transport of a session opened directly over WebSocket. */
    void attach_websocket(std::shared_ptr<WebSocketTransport> ws, const http::Request& request);
    /** A WebSocket asking to take over this polling session. */
    void start_upgrade(std::shared_ptr<WebSocketTransport> ws, const http::Request& request, bool base64);
    bool upgrading_or_upgraded() const noexcept { return probe() != nullptr || ws_ != nullptr; }
    /** Long-polling GET. */
    void on_poll(const std::shared_ptr<http::HttpConnection>& connection, const http::Request& request);
    /** Long-polling POST. */
    void on_post(const std::shared_ptr<http::HttpConnection>& connection, const http::Request& request);

    // ---- WebSocketOwner: from ws_, or from the probe while an upgrade is probed --------
    void on_ws_message(WebSocketTransport& transport, std::string_view data, bool binary) override;
    void on_ws_close(WebSocketTransport& transport, CloseReason reason) override;

private:
    enum class State { open, closing, closed };

    void on_packet(const Packet& packet);
    void on_ws_frame(std::string_view data, bool binary);
    void on_probe_frame(std::string_view data, bool binary);
    void finish_upgrade();
    void abort_upgrade();
    void flush_poll();
    /** Answers the held GET with `body`, an encoded payload (binary: a v3 XHR2 payload). */
    void respond_poll(std::string body, bool binary = false);
    /** A payload of one control packet (`6`, `1`) in this session's revision. */
    std::string control_payload(std::string_view packet) const;
    /** A frame as it goes on this session's WebSocket (v3: binary messages get a type byte). */
    engineio::SharedFrame for_websocket(const engineio::SharedFrame& frame) const;
    void schedule_ping();
    void arm_v3_timeout();
    void cancel_heartbeat() noexcept { ++heartbeat_token_; }
    void on_pong();
    void finalize(CloseReason reason);

    /** Long-polling state, allocated on first use. */
    struct Polling;
    Polling& polling();
    WebSocketTransport* probe() const noexcept;

    Server* server_;
    std::string id_;
    std::shared_ptr<const Handshake> handshake_;
    const Options& options_;
    std::unique_ptr<SessionHandler> handler_;
    State state_ = State::open;
    CloseReason closing_reason_ = CloseReason::forced_close;

    // The queue, held GET and upgrade probe of long-polling, behind one pointer: a session
    // opened over WebSocket never allocates it, and an upgraded one releases it (inline they
    // cost every held WebSocket connection ~90 bytes).
    std::unique_ptr<Polling> polling_;
    std::shared_ptr<WebSocketTransport> ws_;  // the active WebSocket transport

    std::uint32_t heartbeat_token_ = 0;  // the armed deadline's; changed to disarm
    bool awaiting_pong_ = false;
    // In the padding after the flag above: a v3 session costs nothing more.
    std::uint8_t protocol_ = 4;
    bool base64_ = false;  // v3: binary as `b4<base64>` on the current transport
};

struct SessionImpl::Polling {
    std::vector<engineio::SharedFrame>
        queue;  // frames waiting for the next GET (a deque allocates ~600 bytes even when empty)
    std::size_t queued_bytes = 0;
    std::shared_ptr<http::HttpConnection> poll;                // the GET being held
    std::unique_ptr<http::Request> poll_request;               // its headers, for CORS on the held answer
    std::shared_ptr<WebSocketTransport> probe;                 // the WebSocket probing an upgrade
    bool probed = false;                                       // 2probe answered: pending GETs are released with noop
    bool probe_base64 = false;                                 // v3: the probe asked for base64 binary
    std::unique_ptr<boost::asio::steady_timer> upgrade_timer;  // only while an upgrade is probed
    std::unique_ptr<boost::asio::steady_timer> close_timer;    // a close waiting for a GET
};

}  // namespace sio::engineio
