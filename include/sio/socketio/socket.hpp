#pragma once
// A Socket.IO socket: one client connected to one namespace (socket.io's Socket).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/session.hpp>
#include <sio/socketio/ack.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/disconnect_reason.hpp>
#include <sio/socketio/error.hpp>
#include <sio/socketio/make_payload.hpp>
#include <sio/socketio/packet.hpp>
#include <sio/socketio/payload.hpp>
#include <sio/socketio/typed_handler.hpp>

namespace sio::socketio {

class Client;
class Namespace;
class Socket;

/** Node's `socket.handshake.query` (querystring.parse): a repeated key becomes an array. */
boost::json::object query_json(const engineio::FieldList::Range& query);
boost::json::object query_json(const engineio::FieldList& query);

/** Identifies a listener for off(). Unique within its socket. */
using ListenerId = std::uint64_t;
/** Sees every incoming (on_any) or outgoing (on_any_outgoing) event: name and arguments. */
using AnyListener = std::function<void(Socket&, std::string_view event, const Payload& args)>;
using DisconnectListener = std::function<void(Socket&, DisconnectReason)>;
using ErrorListener = std::function<void(Socket&, const Error&)>;
/** `next()` goes on, `next(Error{...})` stops here. May be called later, on the same loop. */
using Next = std::function<void(std::optional<Error>)>;

/** An incoming event on its way through the packet middlewares, which may change it. */
struct Event {
    std::string name;
    Payload args;
    Ack ack;
};
/** socket.use(): runs for every incoming event before its handlers. An error stops the event
    and goes to the socket's error listeners. */
using PacketMiddleware = std::function<void(Socket&, Event&, Next next)>;

/** Completion of an emit with ack to one socket: the client's ack arguments, or an error
    (ack_errc::timeout, ack_errc::not_sent, ack_errc::disconnected). */
using AckHandler = std::function<void(ErrorCode, Payload)>;

class SocketEmitter;

class Socket : public std::enable_shared_from_this<Socket> {
public:
    Socket(Namespace& nsp, Client& client, std::string id, std::string pid, boost::json::object auth);
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    const std::string& id() const noexcept { return id_; }
    /** Private session id for recovery; empty when recovery is off. */
    const std::string& pid() const noexcept { return pid_; }
    Namespace& nsp() const noexcept { return *nsp_; }
    boost::asio::any_io_executor executor() const;
    /** True from the CONNECT answer until the socket closes (false while middlewares run). */
    bool connected() const noexcept { return connected_; }
    bool recovered() const noexcept { return recovered_; }

    /** The CONNECT payload (`{}` when none). */
    const boost::json::object& auth() const noexcept { return auth_; }
    /** The first HTTP request of the Engine.IO session (a copy taken at creation: valid for
        the socket's whole life). */
    const engineio::Handshake& handshake() const noexcept { return *handshake_; }
    /** Engine.IO sid and current transport ("polling"/"websocket"); empty once disconnected. */
    std::string engine_id() const;
    std::string transport() const;
    /** The Engine.IO session under this socket (socket.io's `socket.conn`): `transport_name()`,
        `protocol()`, the `on_upgrading` / `on_upgrade` / `on_close` listeners, `close()`.
        Shared by every socket of the same client. Null once the socket is disconnected: the
        session belongs to the engine, so keep no pointer to it past `on_disconnect`. */
    engineio::Session* conn() const noexcept;
    /** The Node `socket.handshake` object (headers, time, address, xdomain, secure, issued,
        url, query, auth), for fetchSockets. */
    boost::json::value handshake_json() const;

    /** Application data (socket.data), kept across recovery and shown by fetchSockets.
        Read through the const overload: the mutable one first copies a value given by
        share_data() (copy-on-write) so that the write stays this socket's. */
    const boost::json::value& data() const noexcept;
    boost::json::value& data();
    /** Makes `data` this socket's data without a copy. For the many sockets whose data is the
        same value (sio-server's anonymous `{"instance", "user": null}`): one object for all of
        them instead of ~150 bytes each. `data` is never written through. */
    void share_data(std::shared_ptr<const boost::json::value> data) noexcept;

    /** Rooms of this socket, sorted, including its own id. */
    std::vector<std::string> rooms() const;
    void join(const std::string& room);
    void join(const std::vector<std::string>& rooms);
    void leave(const std::string& room);

    /** Emits to this socket (through the adapter when recovery is on, so it gets an offset).
        False for a reserved name or a disconnected socket. */
    bool emit(std::string_view event, Payload args = {});
    /** `emit("ev", 1, "two", obj, Binary{...})`: each argument converted with
        boost::json::value_from (tag_invoke overloads and Boost.Describe types included);
        Binary and std::span<const std::byte> become attachments. */
    template <class... Args>
    requires(sizeof...(Args) > 0 && !is_single_payload_v<Args...>) bool emit(std::string_view event, Args&&... args) {
        return emit(event, make_payload(std::forward<Args>(args)...));
    }
    /** `emit("message", args...)`, as socket.send / socket.write. */
    template <class... Args>
    bool send(Args&&... args) {
        return emit("message", std::forward<Args>(args)...);
    }

    /** Emits with an acknowledgement: `emit_with_ack("ev", args..., token)`, the token last
        (a callback `void(ErrorCode, Payload)`, boost::asio::use_awaitable, use_future, ...).
        Without timeout() the ack is awaited as long as the socket lives and fails with
        ack_errc::disconnected when it disconnects first. */
    template <class... Args>
    auto emit_with_ack(std::string_view event, Args&&... args_then_token);

    /** Flags for the next emit, as socket.timeout(ms) / socket.volatile / socket.compress. */
    SocketEmitter timeout(std::chrono::milliseconds ms);
    SocketEmitter volatile_();
    /** Accepted for compatibility; sio does not compress messages. */
    SocketEmitter compress(bool enabled);
    /** Volatile emit: dropped when the transport is not writable now. */
    bool emit_volatile(std::string_view event, Payload args = {});

    /** The emit with ack under every form above; `done` runs exactly once on this loop, never
        before this call returns. */
    void start_emit_with_ack(std::string_view event, Payload args, std::optional<std::chrono::milliseconds> timeout,
                             bool is_volatile, AckHandler done);

    // ---- listeners (each returns an id for off()) ------------------------------------
    /** Handler for incoming `event`: (Socket&, Payload, Ack) or typed (Socket&, T..., [Ack]);
        see typed_handler.hpp. Runs after the namespace's handler of the same event. */
    template <class F>
    ListenerId on(std::string event, F&& handler) {
        return add_event_listener(std::move(event), make_event_handler(std::forward<F>(handler)), false);
    }
    /** The same, removed after its first call. */
    template <class F>
    ListenerId once(std::string event, F&& handler) {
        return add_event_listener(std::move(event), make_event_handler(std::forward<F>(handler)), true);
    }
    /** Every incoming event, before the packet middlewares and the handlers. */
    ListenerId on_any(AnyListener fn);
    ListenerId prepend_any(AnyListener fn);
    /** Every event sent to this socket (its own emits and the broadcasts that reach it). */
    ListenerId on_any_outgoing(AnyListener fn);
    ListenerId prepend_any_outgoing(AnyListener fn);
    void use(PacketMiddleware fn);
    /** Before the socket leaves its rooms (rooms() still answers). */
    ListenerId on_disconnecting(DisconnectListener fn);
    /** After it left its rooms and its namespace (before the namespace's on_disconnect). */
    ListenerId on_disconnect(DisconnectListener fn);
    /** Packet middleware errors and refused typed arguments. */
    ListenerId on_error(ErrorListener fn);

    /** Removes one listener of any kind; false if unknown. */
    bool off(ListenerId id);
    /** Removes every handler of `event`. */
    void off(std::string_view event);
    void off_any();
    void off_any_outgoing();
    /** Removes every listener, middleware included. */
    void remove_all_listeners();
    std::size_t listener_count(std::string_view event) const;
    std::size_t any_listener_count() const;
    std::size_t any_outgoing_listener_count() const;

    /** Broadcast to everyone in the namespace but this socket / to rooms excluding this socket. */
    BroadcastOperator broadcast() const;
    BroadcastOperator to(std::string room) const;
    BroadcastOperator except(std::string room) const;
    BroadcastOperator in(std::string room) const { return to(std::move(room)); }
    /** socket.local: broadcasts that never leave this instance (everyone but this socket). */
    BroadcastOperator local() const;

    /** Disconnects from this namespace (sends DISCONNECT); `close` also closes the Engine.IO
        connection, disconnecting the client's other namespaces. */
    void disconnect(bool close = false);

    // ---- used by Client / Namespace / Adapter (not application API) --------------------
    /** The connection; null once the socket closed or its client went away. */
    Client* client() const noexcept { return client_; }
    void set_recovered(bool v) noexcept { recovered_ = v; }
    /** Namespace::finish_connect: the CONNECT answer is about to be sent. */
    void mark_connected() noexcept { connected_ = true; }
    /** The client went away without a close path (pending middleware, server destroyed):
        forget it silently, no callback. */
    void detach() noexcept;
    /** Sends an already-built packet to this socket only (no offset added). Nothing once the
        client is gone. */
    void send_packet(const Packet& packet, bool is_volatile = false);
    /** Sends pre-encoded frames (broadcast fan-out). */
    void send_frames(std::span<const engineio::SharedFrame> frames, bool is_volatile);
    /** Incoming EVENT/ACK from the client. */
    void on_packet(Packet packet);
    /** Final close path: leave rooms, forget acks, run on_disconnect. Idempotent. */
    void on_close(DisconnectReason reason);
    /** Registers an ack callback for an outgoing packet id (used by broadcast with ack). It is
        forgotten, uncalled, if the socket closes first; `on_close` (if any) runs instead. */
    void expect_ack(std::uint64_t id, std::function<void(Payload)> fn, std::function<void()> on_close = {});
    /** Tells the outgoing listeners about a packet sent to this socket by a broadcast. */
    void notify_outgoing(const Packet& packet);
    /** A typed handler refused the event: ack the error, tell the error listeners. */
    void refuse_event(const Ack& ack, ArgumentError error);
    /** Runs the error listeners (logs when there is none). */
    void emit_error(const Error& error);

private:
    struct Listeners;
    void send_ack(std::uint64_t id, Payload args);
    friend class Ack;
    Listeners& listeners();
    ListenerId add_event_listener(std::string event, EventHandler fn, bool once);
    void on_event(std::string name, Payload args, Ack ack);
    void run_packet_middlewares(std::shared_ptr<Event> event, std::size_t index);
    void deliver_event(Event event);
    void notify_outgoing(std::string_view event, const Payload& args);
    void run_disconnect_listeners(bool disconnecting, DisconnectReason reason);

    Namespace* nsp_;
    Client* client_;  // null once disconnected
    std::string id_;
    std::string pid_;
    boost::json::object auth_;
    std::shared_ptr<const engineio::Handshake> handshake_;  // the session's, shared
    std::chrono::system_clock::time_point created_at_;      // handshake `time` and `issued`
    std::shared_ptr<boost::json::value> data_;              // null: JSON null
    bool data_shared_ = false;                              // data_ came from share_data(): copy before writing
    bool connected_ = false;
    bool closed_ = false;
    bool recovered_ = false;
    // Allocated on the first listener: most sockets have none (handlers on the namespace),
    // and every empty std::function inline would cost each socket 32 bytes.
    std::unique_ptr<Listeners> listeners_;
    struct PendingAcks;
    std::unique_ptr<PendingAcks> acks_;  // allocated on first emit_with_ack
};

/** Emit flags on one socket (socket.timeout(ms), socket.volatile): a value, as the
    BroadcastOperator is. */
class SocketEmitter {
public:
    explicit SocketEmitter(Socket& socket) : socket_(&socket) {}
    SocketEmitter timeout(std::chrono::milliseconds ms) const {
        auto out = *this;
        out.timeout_ = ms;
        return out;
    }
    SocketEmitter volatile_() const {
        auto out = *this;
        out.is_volatile_ = true;
        return out;
    }
    SocketEmitter compress(bool) const { return *this; }

    template <class... Args>
    bool emit(std::string_view event, Args&&... args) const {
        Payload payload = make_payload(std::forward<Args>(args)...);
        return is_volatile_ ? socket_->emit_volatile(event, std::move(payload))
                            : socket_->emit(event, std::move(payload));
    }

    /** `emit_with_ack("ev", args..., token)`; the completion signature is
        void(ErrorCode, Payload). */
    template <class... Args>
    auto emit_with_ack(std::string_view event, Args&&... args_then_token) const {
        static_assert(sizeof...(Args) >= 1, "emit_with_ack: the last argument is a completion token");
        auto all = std::forward_as_tuple(std::forward<Args>(args_then_token)...);
        constexpr std::size_t n = sizeof...(Args) - 1;
        Payload payload = [&]<std::size_t... I>(std::index_sequence<I...>) {
            return make_payload(std::forward<std::tuple_element_t<I, std::tuple<Args&&...>>>(std::get<I>(all))...);
        }
        (std::make_index_sequence<n>{});
        auto&& token = std::get<n>(all);
        return boost::asio::async_initiate<decltype(token), void(ErrorCode, Payload)>(
            [self = socket_->shared_from_this(), event = std::string(event), timeout = timeout_,
             is_volatile = is_volatile_](auto handler, Payload args) mutable {
                auto executor = boost::asio::get_associated_executor(handler, self->executor());
                auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                self->start_emit_with_ack(
                    event, std::move(args), timeout, is_volatile, [shared, executor](ErrorCode ec, Payload answer) {
                        boost::asio::dispatch(executor, [shared, ec, answer = std::move(answer)]() mutable {
                            std::move (*shared)(ec, std::move(answer));
                        });
                    });
            },
            token, std::move(payload));
    }

private:
    Socket* socket_;
    std::optional<std::chrono::milliseconds> timeout_;
    bool is_volatile_ = false;
};

template <class... Args>
auto Socket::emit_with_ack(std::string_view event, Args&&... args_then_token) {
    return SocketEmitter(*this).emit_with_ack(event, std::forward<Args>(args_then_token)...);
}

}  // namespace sio::socketio
