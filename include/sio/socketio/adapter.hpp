#pragma once
// The adapter seam (socket.io-adapter's contract, docs/protocol.md §3.6): every namespace-wide or
// cluster-wide operation goes through it, asynchronously, so that a Redis adapter plugs in
// without changes to the core. Callbacks run on the namespace's event loop.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/socketio/error.hpp>
#include <sio/socketio/packet.hpp>
#include <sio/socketio/payload.hpp>

namespace sio::socketio {

class Namespace;

struct BroadcastFlags {
    bool local = false;                                // never leave this instance
    bool is_volatile = false;                          // drop for sockets whose transport is not writable now
    std::optional<std::chrono::milliseconds> timeout;  // for broadcasts with ack
};

/** Targeting: sockets in any of `rooms` (all sockets when empty), minus those in any `except`. */
struct BroadcastOptions {
    std::vector<std::string> rooms;
    std::vector<std::string> except;
    BroadcastFlags flags;
};

/** A socket as seen from anywhere in the cluster (`fetchSockets`). */
struct SocketInfo {
    std::string id;
    boost::json::value handshake;    // the Node `socket.handshake` object shape
    std::vector<std::string> rooms;  // including the socket's own id
    boost::json::value data;
};

/** What a recovered session brings back (connection state recovery). */
struct RecoveredSession {
    std::string sid;
    std::string pid;
    std::vector<std::string> rooms;
    boost::json::value data;
    /** The EVENT packets it missed, in order, each as the frames it was sent as (offset
        included): replayed as they are, as Node re-emits the logged packet. */
    std::vector<std::vector<engineio::SharedFrame>> missed_packets;
};

/** A session kept after a recoverable disconnect. */
struct PersistedSession {
    std::string sid;
    std::string pid;
    std::vector<std::string> rooms;
    boost::json::value data;
};

/** Listeners of the local room index's changes (socket.io-adapter's create-room,
    delete-room, join-room and leave-room events). A socket's own-id room counts, as in Node. */
struct RoomListeners {
    using RoomFn = std::function<void(const std::string& room)>;
    using MemberFn = std::function<void(const std::string& room, const std::string& sid)>;
    std::vector<RoomFn> create;
    std::vector<RoomFn> remove;
    std::vector<MemberFn> join;
    std::vector<MemberFn> leave;
};

class Adapter {
public:
    virtual ~Adapter() = default;

    // ---- room events (allocated on first registration) -------------------------------
    void on_create_room(RoomListeners::RoomFn fn) { room_listeners().create.push_back(std::move(fn)); }
    void on_delete_room(RoomListeners::RoomFn fn) { room_listeners().remove.push_back(std::move(fn)); }
    void on_join_room(RoomListeners::MemberFn fn) { room_listeners().join.push_back(std::move(fn)); }
    void on_leave_room(RoomListeners::MemberFn fn) { room_listeners().leave.push_back(std::move(fn)); }

    // ---- local room index (this instance's sockets only) ------------------------------
    virtual void add_all(const std::string& sid, const std::vector<std::string>& rooms) = 0;
    virtual void del(const std::string& sid, const std::string& room) = 0;
    /** Removes the socket from every room: O(rooms of that socket). */
    virtual void del_all(const std::string& sid) = 0;
    /** Rooms of a local socket (including its own id), sorted. Empty for unknown sids. */
    virtual std::vector<std::string> socket_rooms(const std::string& sid) const = 0;

    // ---- cluster-wide operations -------------------------------------------------------
    /** Delivers `packet` (EVENT, possibly with attachments) to every targeted socket. */
    virtual void broadcast(const Packet& packet, const BroadcastOptions& opts) = 0;

    /** Same, with one ack id for all targets: `on_client_count(n)` is called once per
        instance that delivered (n sockets), `on_ack` once per client acknowledgement. */
    virtual void broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                    std::function<void(std::size_t)> on_client_count,
                                    std::function<void(Payload)> on_ack) = 0;

    /** Matching sockets across the cluster. Errors: timeout / unavailable (cluster only). */
    virtual void fetch_sockets(const BroadcastOptions& opts,
                               std::function<void(ErrorCode, std::vector<SocketInfo>)> done) = 0;
    virtual void add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) = 0;
    virtual void del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) = 0;
    virtual void disconnect_sockets(const BroadcastOptions& opts, bool close) = 0;

    /** serverSideEmit to every other instance. With `on_acks`: one value per other instance
        (their handler's single ack argument); error `timed_out` after the requests timeout. */
    virtual void server_side_emit(const std::string& event, const Payload& args,
                                  std::function<void(ErrorCode, std::vector<boost::json::value>)> on_acks) = 0;

    /** allRooms: every room name of this namespace on every instance, each once, socket-id
        rooms included. Errors: timed_out (with the rooms of the instances that answered) or
        unavailable (this instance's rooms only), cluster only. */
    virtual void all_rooms(std::function<void(ErrorCode, std::vector<std::string>)> done) = 0;

    /** Number of instances serving this namespace (1 when standalone). */
    virtual void server_count(std::function<void(ErrorCode, std::size_t)> done) = 0;

    // ---- connection state recovery -----------------------------------------------------
    /** True if this adapter implements persist/restore. */
    virtual bool supports_recovery() const noexcept = 0;
    virtual void persist_session(PersistedSession session) = 0;
    /** `socket.emit` with recovery on: gives `packet` (for socket `sid` only) its offset as
        last argument, logs it for that socket's recovery and returns its frames, to be sent
        as they are (encoded once for both). Empty (packet unchanged) when this adapter keeps
        no log. */
    virtual std::vector<engineio::SharedFrame> log_for_socket(Packet& /*packet*/, const std::string& /*sid*/) {
        return {};
    }
    /** Restores the session `pid` if it exists, has not expired and `offset` is still in the
        packet log; `done(nullopt)` otherwise. `done` runs on this adapter's loop, before
        returning when the session is kept here, later when another shard keeps it. */
    virtual void restore_session(const std::string& pid, const std::string& offset,
                                 std::function<void(std::optional<RecoveredSession>)> done) = 0;

protected:
    /** Null while nobody listens: the room index then does no extra lookup. */
    const RoomListeners* room_listeners_if_any() const noexcept { return room_listeners_.get(); }

private:
    RoomListeners& room_listeners() {
        if (!room_listeners_) room_listeners_ = std::make_unique<RoomListeners>();
        return *room_listeners_;
    }
    std::unique_ptr<RoomListeners> room_listeners_;
};

/** Makes the adapter of a namespace; the default makes a MemoryAdapter. */
using AdapterFactory = std::function<std::unique_ptr<Adapter>(Namespace&)>;

}  // namespace sio::socketio
