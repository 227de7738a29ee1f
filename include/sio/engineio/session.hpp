#pragma once
// The seam between Engine.IO and the layer above (Socket.IO, or the raw echo endpoint):
// `Session` is what the upper layer may do with a connection, `SessionHandler` is what it is told.

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/error.hpp>
#include <sio/engineio/handshake.hpp>

namespace sio::engineio {

/** Outcome of `Session::send`. */
enum class SendResult {
    queued,   // accepted (written now or queued for the transport)
    dropped,  // a volatile frame the transport could not take right now, or the session is closing
};

/** One Engine.IO session, polling or WebSocket. All calls on the session's event loop only.
    Owned by the engine; the handler is owned by the session and may keep a reference to it. */
class Session {
public:
    Session();
    virtual ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /** The 20-character Engine.IO sid. */
    virtual const std::string& id() const noexcept = 0;
    /** "polling" or "websocket" (the current transport; changes on upgrade). */
    virtual std::string_view transport_name() const noexcept = 0;
    /** The Engine.IO protocol revision: 4, or 3 for a legacy client admitted with
        Options::allow_eio3 (docs/protocol.md §1.14). */
    virtual int protocol() const noexcept { return 4; }
    const Handshake& handshake() const noexcept { return *shared_handshake(); }
    /** The same, shared: a Socket.IO socket keeps it without a copy of its own. */
    virtual const std::shared_ptr<const Handshake>& shared_handshake() const noexcept = 0;

    /** True when a frame sent now goes out at once: WebSocket with no write in flight, or
        polling with a GET pending. Volatile packets are dropped otherwise. */
    virtual bool writable() const noexcept = 0;

    /** Queues message frames (already encoded: `4...` text or raw binary) as one unit: a
        binary Socket.IO packet and its attachments are never split by a volatile drop.
        Volatile: dropped unless `writable()`. A session whose queue exceeds its limit is closed
        (`transport error`) and the frames are dropped. */
    virtual SendResult send(std::span<const engineio::SharedFrame> frames, bool is_volatile = false) = 0;

    SendResult send(engineio::SharedFrame frame, bool is_volatile = false) {
        return send(std::span<const engineio::SharedFrame>(&frame, 1), is_volatile);
    }

    /** Closes the session from the server side after flushing what is queued. The handler's
        `on_close` runs later, on the loop, never from inside this call. Idempotent. */
    virtual void close(CloseReason reason = CloseReason::forced_close) = 0;

    // ---- events (engine.io Socket's `upgrading`, `upgrade`, `close`) -----------------------
    // Any number of listeners per event, called in registration order on the session's loop.
    // They are for the application (socket.io's `socket.conn.on(...)`); the layer above hears
    // the same through its SessionHandler first. Kept behind one pointer allocated by the first
    // registration: a session nobody listens to pays one word.

    using TransportListener = std::function<void(std::string_view transport)>;
    using CloseListener = std::function<void(CloseReason reason)>;

    /** The client probed a new transport (`2probe` answered); `transport` is its name. */
    void on_upgrading(TransportListener fn);
    /** The upgrade completed; `transport` is the new current transport. */
    void on_upgrade(TransportListener fn);
    /** The session closed (once, after SessionHandler::on_close). */
    void on_close(CloseListener fn);

protected:
    void emit_upgrading(std::string_view transport);
    void emit_upgrade(std::string_view transport);
    void emit_close(CloseReason reason);

private:
    struct Listeners;
    std::unique_ptr<Listeners> listeners_;
};

/** Implemented by the layer above; one per session, created by the engine's connection
    callback and owned by the session. Called on the session's loop. */
class SessionHandler {
public:
    virtual ~SessionHandler() = default;
    /** A text `message` packet (the data after the `4`). */
    virtual void on_message(std::string_view text) = 0;
    /** A binary `message` packet. */
    virtual void on_binary(std::string_view bytes) = 0;
    /** The transport changed (after an upgrade); optional. */
    virtual void on_upgrade() {}
    /** Called exactly once; the session is unusable afterwards (send() drops). */
    virtual void on_close(CloseReason reason) = 0;
};

}  // namespace sio::engineio
