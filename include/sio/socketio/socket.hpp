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

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/session.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/disconnect_reason.hpp>
#include <sio/socketio/packet.hpp>
#include <sio/socketio/payload.hpp>

namespace sio::socketio {

class Client;
class Namespace;
class Socket;

/** Node's `socket.handshake.query` (querystring.parse): a repeated key becomes an array. */
boost::json::object query_json(const engineio::FieldList::Range& query);
boost::json::object query_json(const engineio::FieldList& query);

/** The acknowledgement callback of an incoming event. Empty (`!ack`) when the client asked for
    none. Calling it sends ACK (BINARY_ACK when `args` has attachments) once: later calls, also
    through copies, do nothing. Safe to keep after the socket closed (then it sends nothing). */
class Ack {
public:
    Ack() = default;
    Ack(std::weak_ptr<Socket> socket, std::uint64_t id);
    explicit operator bool() const noexcept { return state_ != nullptr; }
    void operator()(Payload args = {}) const;

private:
    struct State {
        std::weak_ptr<Socket> socket;
        std::uint64_t id;
        bool sent = false;
    };
    std::shared_ptr<State> state_;  // shared by copies, so the ACK goes out once
};

/** Result of an emit with ack to one socket. */
struct AckResult {
    bool timed_out = false;
    Payload args;  // all arguments of the client's ack
};

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
    /** Emits with an ack and a timeout; `done` runs exactly once on this loop, never before
        this call returns: with the client's ack arguments, or `timed_out` at the timeout (also
        when the socket disconnected meanwhile: pending acks are not failed early, as in
        Node). False (and `done` never runs) for a reserved name or a disconnected socket. */
    bool emit_with_ack(std::string_view event, Payload args, std::chrono::milliseconds timeout,
                       std::function<void(AckResult)> done);
    /** Volatile emit: dropped when the transport is not writable now. */
    bool emit_volatile(std::string_view event, Payload args = {});

    /** Broadcast to everyone in the namespace but this socket / to rooms excluding this socket. */
    BroadcastOperator broadcast() const;
    BroadcastOperator to(std::string room) const;
    BroadcastOperator except(std::string room) const;

    /** Disconnects from this namespace (sends DISCONNECT); `close` also closes the Engine.IO
        connection, disconnecting the client's other namespaces. */
    void disconnect(bool close = false);

    /** Called once when the socket disconnects (after it left its rooms and its namespace). */
    void on_disconnect(std::function<void(Socket&, DisconnectReason)> fn);

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
        forgotten, uncalled, if the socket closes first. */
    void expect_ack(std::uint64_t id, std::function<void(Payload)> fn);

private:
    void send_ack(std::uint64_t id, Payload args);
    friend class Ack;

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
    // Allocated when set: most applications use Namespace::on_disconnect, and an empty
    // std::function inline cost every socket 32 bytes.
    std::unique_ptr<std::function<void(Socket&, DisconnectReason)>> on_disconnect_;
    struct PendingAcks;
    std::unique_ptr<PendingAcks> acks_;  // allocated on first emit_with_ack
};

}  // namespace sio::socketio
