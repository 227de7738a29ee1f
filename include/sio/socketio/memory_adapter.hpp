#pragma once
// The default adapter (socket.io-adapter's in-memory Adapter, and its SessionAwareAdapter when
// connection state recovery is on): the room index of one namespace on this instance and the
// local fan-out of broadcasts, each packet encoded once for all recipients. A cluster adapter
// derives from it and calls the local operations for the part of the work done here.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sio/engineio/frame.hpp>
#include <sio/socketio/adapter.hpp>

namespace sio::socketio {

class Namespace;
class Socket;
class SessionStore;
struct LoggedPacket;
class RoomIndex;

struct MemoryAdapterOptions {
    /** Connection state recovery: offsets on eligible broadcasts, packet log, sessions. */
    bool session_aware = false;
    std::chrono::milliseconds max_disconnection_duration{120000};
    /** Appended to every offset this adapter makes (unique across shards): "~<shard>". */
    std::string offset_suffix;
    /** Injected clocks (tests); empty: steady_clock / system_clock. The steady clock drives
        expiry, the wall clock the offsets. */
    std::function<std::chrono::steady_clock::time_point()> steady_clock;
    std::function<std::chrono::system_clock::time_point()> wall_clock;
};

/** One per namespace and shard, owned by the namespace; every call on the namespace's event
    loop. With several shards (ServerOptions::group) the operations of Adapter cover
    the whole process: the same namespace's adapter on every other shard does its part on its
    own loop (the `local_*` functions), reached by posting immutable data, and answers that
    are gathered come back to the caller's loop. A broadcast is encoded once, and the same
    frames are fanned out on every shard. */
class MemoryAdapter : public Adapter {
public:
    explicit MemoryAdapter(Namespace& nsp, MemoryAdapterOptions options = {});
    ~MemoryAdapter() override;
    MemoryAdapter(const MemoryAdapter&) = delete;
    MemoryAdapter& operator=(const MemoryAdapter&) = delete;

    // ---- socketio::Adapter ---------------------------------------------------------------
    void add_all(const std::string& sid, const std::vector<std::string>& rooms) override;
    void del(const std::string& sid, const std::string& room) override;
    void del_all(const std::string& sid) override;
    std::vector<std::string> socket_rooms(const std::string& sid) const override;

    /** Delivery on every shard. Session-aware: an eligible packet (EVENT, no ack id, not
        volatile) gets an offset appended as its last argument and is logged (on every shard)
        before it is encoded. */
    void broadcast(const Packet& packet, const BroadcastOptions& opts) override;
    /** Each shard allocates the ack id from its namespace and registers `on_ack` on its
        targets; `on_client_count(targets on all shards)` is called once. */
    void broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                            std::function<void(std::size_t)> on_client_count,
                            std::function<void(Payload)> on_ack) override;
    /** Never an error. With one shard `done` runs before returning. */
    void fetch_sockets(const BroadcastOptions& opts,
                       std::function<void(ErrorCode, std::vector<SocketInfo>)> done) override;
    void add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) override;
    void del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) override;
    void disconnect_sockets(const BroadcastOptions& opts, bool close) override;
    /** Standalone: nobody to tell; `on_acks` (if any) gets an empty vector at once. */
    void server_side_emit(const std::string& event, const Payload& args,
                          std::function<void(ErrorCode, std::vector<boost::json::value>)> on_acks) override;
    /** Always 1, before returning. */
    void server_count(std::function<void(ErrorCode, std::size_t)> done) override;
    /** This instance's rooms (local_rooms): there is no other instance. */
    void all_rooms(std::function<void(ErrorCode, std::vector<std::string>)> done) override;

    bool supports_recovery() const noexcept override { return sessions_ != nullptr; }
    /** Kept by the shard where the socket lived; restore_session asks its own shard first,
        then every other one. */
    void persist_session(PersistedSession session) override;
    void restore_session(const std::string& pid, const std::string& offset,
                         std::function<void(std::optional<RecoveredSession>)> done) override;
    /** Session-aware: an eligible packet for socket `sid` alone gets its offset and is logged
        on this shard (the one that will keep the socket's session). */
    std::vector<engineio::SharedFrame> log_for_socket(Packet& packet, const std::string& sid) override;

    // ---- this shard's part (each shard runs it on its own loop) --------------------------
    /** A broadcast prepared once by the shard that emitted it: shared, never modified. */
    struct SharedBroadcast {
        Packet packet;  // for the targets' outgoing listeners (read only on every shard)
        std::vector<engineio::SharedFrame> frames;
        BroadcastOptions opts;
        /** Session-aware and eligible: the packet (`frames`, offset included) with its
            targeting, logged as it is by every shard. */
        std::shared_ptr<const LoggedPacket> logged;
    };
    void deliver(const SharedBroadcast& broadcast);
    /** Sends with one ack id from this shard's namespace; returns the number of targets. */
    std::size_t local_broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                         std::function<void(Payload)> on_ack);
    std::vector<SocketInfo> local_socket_infos(const BroadcastOptions& opts) const;
    void local_add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms);
    void local_del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms);
    void local_disconnect_sockets(const BroadcastOptions& opts, bool close);

    // ---- for derived (cluster) adapters --------------------------------------------------
    /** Local sockets matching `opts`, each once (rooms/except only; flags ignored). */
    std::vector<std::shared_ptr<Socket>> local_sockets(const BroadcastOptions& opts) const;
    /** Ids of the sockets matching `opts` on every shard (`done` on this loop). */
    void socket_ids(const BroadcastOptions& opts, std::function<void(std::vector<std::string>)> done);
    /** Sid-addressed operations on one socket (the legacy Redis requests), run by the shard
        that made `sid`: `done(false)`, doing nothing, when it is not a connected socket of
        this namespace there. `done` runs on this loop (before returning when the socket is
        here). */
    void join_socket(const std::string& sid, const std::string& room, std::function<void(bool)> done);
    void leave_socket(const std::string& sid, const std::string& room, std::function<void(bool)> done);
    void disconnect_socket(const std::string& sid, bool close, std::function<void(bool)> done);
    /** Runs this namespace's serverSideEmit handler for `event`, if any (`ack` empty unless
        the sender asked for one). */
    void dispatch_server_side(const std::string& event, Payload args, std::function<void(boost::json::value)> ack);
    /** True when `room` has at least one member on this shard (socket-id rooms included). */
    bool has_room(const std::string& room) const noexcept;
    /** Every room name of this instance (all its shards), socket-id rooms included, each once,
        sorted (socket.io-adapter's `rooms.keys()`, answered to ALL_ROOMS). */
    void local_rooms(std::function<void(std::vector<std::string>)> done);
    /** More than one shard: this shard's index is not the whole instance's. */
    bool sharded() const noexcept { return shard_count() > 1; }
    Namespace& nsp() const noexcept { return *nsp_; }
    /** The namespace name ("/", "/admin"), usable without including namespace.hpp. */
    const std::string& namespace_name() const noexcept { return nsp_name_; }

private:
    /** Runs `fn(MemoryAdapter&)` on every other shard, with that shard's adapter of this
        namespace (skipped where the namespace does not exist). */
    void for_each_peer(std::function<void(MemoryAdapter&)> fn) const;
    /** Same, with null on a shard where the namespace does not exist. */
    void for_each_peer_or_none(std::function<void(MemoryAdapter*)> fn) const;
    /** Runs `part(adapter)` on every shard (this one included, now) and `done(parts)` on this
        loop once every shard answered. */
    template <class T>
    void gather(std::function<T(MemoryAdapter&)> part, std::function<void(std::vector<T>)> done);
    /** Runs `op(socket)` on the shard that made `sid`, if the socket is connected there, and
        `done(whether it was)` back here. */
    void on_owner_of(const std::string& sid, std::function<void(Socket&)> op, std::function<void(bool)> done);
    std::size_t shard_count() const noexcept;
    /** `packet`'s frames with the server's parser (ServerOptions::parser). */
    std::vector<engineio::SharedFrame> encode(const Packet& packet) const;
    /** leave-room, then delete-room when `room` is now empty. */
    void announce_left(const std::string& sid, const std::string& room);
    /** Sends `packet` to the local targets of `opts`: its `frames` when given (encoded once
        for every shard), else encoded here once there is a target. */
    void deliver_targets(const Packet& packet, const std::vector<engineio::SharedFrame>* frames,
                         const BroadcastOptions& opts);

    Namespace* nsp_;
    std::string nsp_name_;
    std::unique_ptr<RoomIndex> index_;
    std::unique_ptr<SessionStore> sessions_;  // null unless session-aware
};

}  // namespace sio::socketio
