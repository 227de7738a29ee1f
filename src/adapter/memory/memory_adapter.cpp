// In-memory adapter. Flow of a broadcast: targets from the room index (rooms minus except, each
// once) -> session-aware: offset appended and packet logged -> encoded once into shared frames
// -> Socket::send_frames for each target, which hands the same frames to every session.

#include <sio/adapter/memory_adapter.hpp>

#include <sio/socketio/namespace.hpp>
#include <sio/socketio/parser.hpp>
#include <sio/socketio/socket.hpp>

#include "adapter/memory/room_index.hpp"
#include "socketio/recovery.hpp"

namespace sio::adapter {

using socketio::BroadcastOptions;
using socketio::Packet;

MemoryAdapter::MemoryAdapter(socketio::Namespace& nsp, MemoryAdapterOptions options)
    : nsp_(&nsp), nsp_name_(nsp.name()), index_(std::make_unique<RoomIndex>()) {
    if (options.session_aware)
        sessions_ = std::make_unique<socketio::SessionStore>(options.max_disconnection_duration,
                                                             std::move(options.steady_clock),
                                                             std::move(options.wall_clock));
}

MemoryAdapter::~MemoryAdapter() = default;

// ---- room index --------------------------------------------------------------------------

void MemoryAdapter::add_all(const std::string& sid, const std::vector<std::string>& rooms) {
    for (const auto& room : rooms) index_->add(sid, room);
}

void MemoryAdapter::del(const std::string& sid, const std::string& room) { index_->del(sid, room); }

void MemoryAdapter::del_all(const std::string& sid) { index_->del_all(sid); }

std::vector<std::string> MemoryAdapter::socket_rooms(const std::string& sid) const { return index_->rooms_of(sid); }

std::vector<std::shared_ptr<socketio::Socket>> MemoryAdapter::local_sockets(const BroadcastOptions& opts) const {
    std::vector<std::shared_ptr<socketio::Socket>> out;
    // A sid can be indexed before its socket is in the namespace (recovered rooms while
    // middlewares run): only connected sockets of the namespace are targets.
    index_->for_each_target(opts.rooms, opts.except, [&](const std::string& sid) {
        if (auto socket = nsp_->socket(sid)) out.push_back(std::move(socket));
    });
    return out;
}

std::vector<std::string> MemoryAdapter::local_socket_ids(const BroadcastOptions& opts) const {
    std::vector<std::string> out;
    for (const auto& socket : local_sockets(opts)) out.push_back(socket->id());
    return out;
}

bool MemoryAdapter::join_socket(const std::string& sid, const std::string& room) {
    auto socket = nsp_->socket(sid);
    if (!socket) return false;
    socket->join(room);
    return true;
}

bool MemoryAdapter::leave_socket(const std::string& sid, const std::string& room) {
    auto socket = nsp_->socket(sid);
    if (!socket) return false;
    socket->leave(room);
    return true;
}

bool MemoryAdapter::disconnect_socket(const std::string& sid, bool close) {
    auto socket = nsp_->socket(sid);
    if (!socket) return false;
    socket->disconnect(close);
    return true;
}

void MemoryAdapter::dispatch_server_side(const std::string& event, socketio::Payload args,
                                         std::function<void(boost::json::value)> ack) {
    nsp_->dispatch_server_side(event, std::move(args), std::move(ack));
}

bool MemoryAdapter::has_room(const std::string& room) const noexcept { return index_->has_room(room); }

std::vector<std::string> MemoryAdapter::all_rooms() const { return index_->room_names(); }

std::vector<core::SharedFrame> MemoryAdapter::encode_frames(const Packet& packet) {
    std::vector<core::SharedFrame> frames;
    frames.reserve(1 + packet.attachments.size());
    std::string text = "4";
    text += socketio::encode(packet);
    frames.push_back(core::make_text_frame(std::move(text)));
    for (const auto& bytes : packet.attachments) frames.push_back(core::make_binary_frame(bytes));
    return frames;
}

// ---- broadcast ---------------------------------------------------------------------------

void MemoryAdapter::broadcast(const Packet& packet, const BroadcastOptions& opts) {
    const Packet* out = &packet;
    Packet copy;
    if (packet.nsp != nsp_name_ || (sessions_ && socketio::SessionStore::eligible(packet, opts))) {
        copy = packet;
        copy.nsp = nsp_name_;
        // Logged even without a local target: the socket it was meant for may be disconnected
        // right now and come back with an older offset.
        if (sessions_ && socketio::SessionStore::eligible(copy, opts)) sessions_->record(copy, opts);
        out = &copy;
    }
    // Raw pointers, no id copies: sending never removes a socket synchronously (a session
    // that fails reports its close on a later loop turn).
    std::vector<socketio::Socket*> targets;
    // Sized up front: grown from empty, a 10k-target vector reallocates 14 times and glibc
    // returns the 128 KiB block after every emit (page faults on the next one).
    if (opts.rooms.empty()) targets.reserve(index_->sid_count());
    index_->for_each_target(opts.rooms, opts.except, [&](const std::string& sid) {
        if (auto* socket = nsp_->find_socket(sid)) targets.push_back(socket);
    });
    if (targets.empty()) return;
    auto frames = encode_frames(*out);
    for (auto* socket : targets) socket->send_frames(frames, opts.flags.is_volatile);
}

void MemoryAdapter::broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                       std::function<void(std::size_t)> on_client_count,
                                       std::function<void(socketio::Payload)> on_ack) {
    Packet out = packet;
    out.nsp = nsp_name_;
    out.id = nsp_->next_ack_id();  // one id for every target, from the namespace counter
    auto targets = local_sockets(opts);
    if (!targets.empty()) {
        auto frames = encode_frames(out);
        for (const auto& socket : targets) {
            socket->expect_ack(*out.id, on_ack);
            socket->send_frames(frames, opts.flags.is_volatile);
        }
    }
    if (on_client_count) on_client_count(targets.size());
}

// ---- socket operations -------------------------------------------------------------------

void MemoryAdapter::fetch_sockets(const BroadcastOptions& opts,
                                  std::function<void(socketio::ErrorCode, std::vector<socketio::SocketInfo>)> done) {
    std::vector<socketio::SocketInfo> infos;
    for (const auto& socket : local_sockets(opts))
        infos.push_back(socketio::SocketInfo{socket->id(), socket->handshake_json(), socket->rooms(), socket->data()});
    if (done) done({}, std::move(infos));
}

void MemoryAdapter::add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    for (const auto& socket : local_sockets(opts)) socket->join(rooms);
}

void MemoryAdapter::del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    for (const auto& socket : local_sockets(opts))
        for (const auto& room : rooms) socket->leave(room);
}

void MemoryAdapter::disconnect_sockets(const BroadcastOptions& opts, bool close) {
    // Targets are collected first: each disconnect edits the index being walked.
    for (const auto& socket : local_sockets(opts)) socket->disconnect(close);
}

void MemoryAdapter::server_side_emit(const std::string&, const socketio::Payload&,
                                     std::function<void(socketio::ErrorCode, std::vector<boost::json::value>)> on_acks) {
    if (on_acks) on_acks({}, {});
}

void MemoryAdapter::server_count(std::function<void(socketio::ErrorCode, std::size_t)> done) {
    if (done) done({}, 1);
}

// ---- connection state recovery -----------------------------------------------------------

void MemoryAdapter::persist_session(socketio::PersistedSession session) {
    if (sessions_) sessions_->persist(std::move(session));
}

std::optional<socketio::RecoveredSession> MemoryAdapter::restore_session(const std::string& pid,
                                                                         const std::string& offset) {
    if (!sessions_) return std::nullopt;
    return sessions_->restore(pid, offset);
}

}  // namespace sio::adapter
