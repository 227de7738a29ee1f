// In-memory adapter. Flow of a broadcast: session-aware: offset appended -> encoded once into
// shared frames (session-aware: these very frames logged, by every shard) -> posted (shared,
// immutable) to the other shards -> on each shard, targets from its room index (rooms minus
// except, each once) -> Socket::send_frames for each target, which hands the same frames to
// every session. Operations that gather (fetch, ack counts, restore) post their part's result
// back with a core::HomeBound callback. Every packet is encoded with the server's parser
// (ServerOptions::parser), once, whatever the number of recipients.

#include <sio/socketio/memory_adapter.hpp>

#include <algorithm>
#include <utility>

#include <sio/core/home_bound.hpp>
#include <sio/core/id_generator.hpp>
#include <sio/socketio/frames.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/parser.hpp>
#include <sio/socketio/server.hpp>
#include <sio/socketio/server_group.hpp>
#include <sio/socketio/socket.hpp>

#include "socketio/room_index.hpp"
#include "socketio/recovery.hpp"

namespace sio::socketio {

namespace {

/** The same namespace's adapter on `shard` (call on that shard's loop), or null. */
MemoryAdapter* adapter_on(const ServerGroup& group, std::size_t shard, const std::string& nsp) {
    auto* server = group.server(shard);
    auto* found = server ? server->find(nsp) : nullptr;
    return found ? dynamic_cast<MemoryAdapter*>(&found->adapter()) : nullptr;
}

}  // namespace

MemoryAdapter::MemoryAdapter(Namespace& nsp, MemoryAdapterOptions options)
    : nsp_(&nsp), nsp_name_(nsp.name()), index_(std::make_unique<RoomIndex>()) {
    if (options.session_aware) {
        sessions_ = std::make_unique<SessionStore>(options.max_disconnection_duration, std::move(options.steady_clock),
                                                   std::move(options.wall_clock));
        sessions_->set_offset_suffix(std::move(options.offset_suffix));
    }
}

std::size_t MemoryAdapter::shard_count() const noexcept {
    auto* group = nsp_->server().group();
    return group ? group->size() : 1;
}

void MemoryAdapter::for_each_peer(std::function<void(MemoryAdapter&)> fn) const {
    for_each_peer_or_none([fn = std::move(fn)](MemoryAdapter* peer) {
        if (peer) fn(*peer);
    });
}

void MemoryAdapter::for_each_peer_or_none(std::function<void(MemoryAdapter*)> fn) const {
    auto* group = nsp_->server().group();
    if (!group) return;
    auto shared = std::make_shared<const std::function<void(MemoryAdapter*)>>(std::move(fn));
    auto me = nsp_->server().shard();
    for (std::size_t shard = 0; shard < group->size(); ++shard) {
        if (shard == me) continue;
        group->shards().post_to(
            shard, [group, shard, shared, name = nsp_name_] { (*shared)(adapter_on(*group, shard, name)); });
    }
}

MemoryAdapter::~MemoryAdapter() = default;

std::vector<engineio::SharedFrame> MemoryAdapter::encode(const Packet& packet) const {
    return encode_frames(packet, nsp_->server().options().parser.get());
}

// ---- room index --------------------------------------------------------------------------

void MemoryAdapter::add_all(const std::string& sid, const std::vector<std::string>& rooms) {
    const RoomListeners* listeners = room_listeners_if_any();
    if (!listeners) {
        for (const auto& room : rooms) index_->add(sid, room);
        return;
    }
    const RoomListeners copy = *listeners;  // a listener may register another one
    for (const auto& room : rooms) {
        const bool existed = index_->has_room(room);
        if (!index_->add(sid, room)) continue;
        if (!existed)
            for (const auto& fn : copy.create) fn(room);
        for (const auto& fn : copy.join) fn(room, sid);
    }
}

void MemoryAdapter::del(const std::string& sid, const std::string& room) {
    if (index_->del(sid, room)) announce_left(sid, room);
}

void MemoryAdapter::del_all(const std::string& sid) {
    auto rooms = index_->del_all(sid);
    if (room_listeners_if_any())
        for (const auto& room : rooms) announce_left(sid, room);
}

void MemoryAdapter::announce_left(const std::string& sid, const std::string& room) {
    const RoomListeners* listeners = room_listeners_if_any();
    if (!listeners) return;
    // Copied: a listener may register another one (Node: leave-room, then delete-room).
    RoomListeners copy = *listeners;
    for (const auto& fn : copy.leave) fn(room, sid);
    if (!index_->has_room(room))
        for (const auto& fn : copy.remove) fn(room);
}

std::vector<std::string> MemoryAdapter::socket_rooms(const std::string& sid) const {
    return index_->rooms_of(sid);
}

std::vector<std::shared_ptr<Socket>> MemoryAdapter::local_sockets(const BroadcastOptions& opts) const {
    std::vector<std::shared_ptr<Socket>> out;
    // A sid can be indexed before its socket is in the namespace (recovered rooms while
    // middlewares run): only connected sockets of the namespace are targets.
    index_->for_each_target(opts.rooms, opts.except, [&](const std::string& sid) {
        if (auto socket = nsp_->socket(sid)) out.push_back(std::move(socket));
    });
    return out;
}

template <class T>
void MemoryAdapter::gather(std::function<T(MemoryAdapter&)> part, std::function<void(std::vector<T>)> done) {
    auto* group = nsp_->server().group();
    if (!group || group->size() == 1) {
        std::vector<T> parts;
        parts.push_back(part(*this));
        done(std::move(parts));
        return;
    }
    struct Gather {
        std::size_t waiting;
        std::vector<T> parts;
        std::function<void(std::vector<T>)> done;
        void add(T value) {
            parts.push_back(std::move(value));
            if (--waiting == 0) done(std::move(parts));
        }
    };
    core::HomeBound<Gather> gathering(group->shards().executor(nsp_->server().shard()),
                                      std::make_shared<Gather>(Gather{group->size(), {}, std::move(done)}));
    // A shard without this namespace answers with an empty part: every shard answers.
    for_each_peer_or_none([gathering, part](MemoryAdapter* peer) {
        gathering.post([value = peer ? part(*peer) : T{}](Gather& g) mutable { g.add(std::move(value)); });
    });
    gathering.local().add(part(*this));
}

void MemoryAdapter::socket_ids(const BroadcastOptions& opts, std::function<void(std::vector<std::string>)> done) {
    using Ids = std::vector<std::string>;
    gather<Ids>(
        [opts](MemoryAdapter& adapter) {
            Ids ids;
            for (const auto& socket : adapter.local_sockets(opts)) ids.push_back(socket->id());
            return ids;
        },
        [done = std::move(done)](std::vector<Ids> parts) {
            Ids all;
            for (auto& part : parts)
                for (auto& id : part) all.push_back(std::move(id));
            done(std::move(all));
        });
}

void MemoryAdapter::all_rooms(std::function<void(ErrorCode, std::vector<std::string>)> done) {
    local_rooms([done = std::move(done)](std::vector<std::string> rooms) { done({}, std::move(rooms)); });
}

void MemoryAdapter::local_rooms(std::function<void(std::vector<std::string>)> done) {
    using Names = std::vector<std::string>;
    gather<Names>([](MemoryAdapter& adapter) { return adapter.index_->room_names(); },
                  [done = std::move(done)](std::vector<Names> parts) {
                      Names all;
                      for (auto& part : parts)
                          for (auto& name : part) all.push_back(std::move(name));
                      // A room with members on two shards is named once.
                      std::sort(all.begin(), all.end());
                      all.erase(std::unique(all.begin(), all.end()), all.end());
                      done(std::move(all));
                  });
}

void MemoryAdapter::on_owner_of(const std::string& sid, std::function<void(Socket&)> op,
                                std::function<void(bool)> done) {
    // Runs `op` on the socket if that shard has it connected in this namespace.
    auto apply = [sid, op = std::move(op)](MemoryAdapter* adapter) {
        auto socket = adapter ? adapter->nsp_->socket(sid) : nullptr;
        if (socket) op(*socket);
        return socket != nullptr;
    };
    auto me = nsp_->server().shard();
    auto owner = core::shard_of(sid, shard_count()).value_or(me);
    if (owner == me) return done(apply(this));
    auto* group = nsp_->server().group();
    core::HomeBound<std::function<void(bool)>> reply(group->shards().executor(me),
                                                     std::make_shared<std::function<void(bool)>>(std::move(done)));
    group->shards().post_to(owner, [group, owner, name = nsp_name_, apply = std::move(apply), reply] {
        bool found = apply(adapter_on(*group, owner, name));
        reply.post([found](std::function<void(bool)>& fn) { fn(found); });
    });
}

void MemoryAdapter::join_socket(const std::string& sid, const std::string& room, std::function<void(bool)> done) {
    on_owner_of(
        sid, [room](Socket& socket) { socket.join(room); }, std::move(done));
}

void MemoryAdapter::leave_socket(const std::string& sid, const std::string& room, std::function<void(bool)> done) {
    on_owner_of(
        sid, [room](Socket& socket) { socket.leave(room); }, std::move(done));
}

void MemoryAdapter::disconnect_socket(const std::string& sid, bool close, std::function<void(bool)> done) {
    on_owner_of(
        sid, [close](Socket& socket) { socket.disconnect(close); }, std::move(done));
}

void MemoryAdapter::dispatch_server_side(const std::string& event, Payload args,
                                         std::function<void(boost::json::value)> ack) {
    nsp_->dispatch_server_side(event, std::move(args), std::move(ack));
}

bool MemoryAdapter::has_room(const std::string& room) const noexcept {
    return index_->has_room(room);
}

// ---- broadcast ---------------------------------------------------------------------------

void MemoryAdapter::broadcast(const Packet& packet, const BroadcastOptions& opts) {
    const Packet* out = &packet;
    Packet copy;
    std::shared_ptr<const LoggedPacket> logged;
    if (packet.nsp != nsp_name_ || (sessions_ && SessionStore::eligible(packet, opts))) {
        copy = packet;
        copy.nsp = nsp_name_;
        // Logged even without a local target: the socket it was meant for may be disconnected
        // right now and come back with an older offset. The log keeps the frames sent, shared
        // with every shard's log, rather than a copy of the packet per shard.
        if (sessions_ && SessionStore::eligible(copy, opts)) {
            std::string offset = sessions_->stamp(copy);
            logged = std::make_shared<const LoggedPacket>(
                LoggedPacket{encode(copy), opts.rooms, opts.except, std::move(offset)});
            sessions_->append(logged);
        }
        out = &copy;
    }
    if (shard_count() == 1) {
        // Encoded only when there is a target (unless logged: then it already is).
        if (logged)
            deliver_targets(*out, &logged->frames, opts);
        else
            deliver_targets(*out, nullptr, opts);
        return;
    }
    auto shared = std::make_shared<const SharedBroadcast>(
        SharedBroadcast{*out, logged ? logged->frames : encode(*out), opts, logged});
    for_each_peer([shared](MemoryAdapter& peer) { peer.deliver(*shared); });
    deliver_targets(shared->packet, &shared->frames, opts);
}

void MemoryAdapter::deliver(const SharedBroadcast& broadcast) {
    if (sessions_ && broadcast.logged) sessions_->append(broadcast.logged);
    deliver_targets(broadcast.packet, &broadcast.frames, broadcast.opts);
}

void MemoryAdapter::deliver_targets(const Packet& packet, const std::vector<engineio::SharedFrame>* frames,
                                    const BroadcastOptions& opts) {
    // Raw pointers, no id copies: sending never removes a socket synchronously (a session
    // that fails reports its close on a later loop turn).
    std::vector<Socket*> targets;
    // Sized up front: grown from empty, a 10k-target vector reallocates 14 times and glibc
    // returns the 128 KiB block after every emit (page faults on the next one).
    if (opts.rooms.empty()) targets.reserve(index_->sid_count());
    index_->for_each_target(opts.rooms, opts.except, [&](const std::string& sid) {
        if (auto* socket = nsp_->find_socket(sid)) targets.push_back(socket);
    });
    if (targets.empty()) return;
    // Frames made by the emitting shard are shared; on one shard they are made here, only
    // once there is someone to send them to.
    std::vector<engineio::SharedFrame> encoded;
    if (!frames) encoded = encode(packet);
    const auto& sent = frames ? *frames : encoded;
    for (auto* socket : targets) {
        socket->notify_outgoing(packet);
        socket->send_frames(sent, opts.flags.is_volatile);
    }
}

void MemoryAdapter::broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                       std::function<void(std::size_t)> on_client_count,
                                       std::function<void(Payload)> on_ack) {
    auto* group = nsp_->server().group();
    if (!group || group->size() == 1) {
        auto count = local_broadcast_with_ack(packet, opts, std::move(on_ack));
        if (on_client_count) on_client_count(count);
        return;
    }
    // Acks are relayed home one by one; the counts are gathered, on_client_count(sum) once.
    using AckFn = std::function<void(Payload)>;
    core::HomeBound<AckFn> ack(group->shards().executor(nsp_->server().shard()),
                               std::make_shared<AckFn>(std::move(on_ack)));
    auto shared_packet = std::make_shared<const Packet>(packet);
    gather<std::size_t>(
        // Captures only what may be copied and dropped on any loop: the callback itself stays
        // at home (HomeBound) and is used directly only here.
        [this, ack, shared_packet, opts](MemoryAdapter& adapter) {
            if (&adapter == this) return local_broadcast_with_ack(*shared_packet, opts, ack.local());
            return adapter.local_broadcast_with_ack(*shared_packet, opts, [ack](Payload answer) {
                ack.post([answer = std::move(answer)](AckFn& fn) mutable {
                    if (fn) fn(std::move(answer));
                });
            });
        },
        [on_client_count = std::move(on_client_count)](std::vector<std::size_t> counts) {
            std::size_t total = 0;
            for (auto n : counts) total += n;
            if (on_client_count) on_client_count(total);
        });
}

std::size_t MemoryAdapter::local_broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                                    std::function<void(Payload)> on_ack) {
    Packet out = packet;
    out.nsp = nsp_name_;
    out.id = nsp_->next_ack_id();  // one id for every target, from the namespace counter
    auto targets = local_sockets(opts);
    if (!targets.empty()) {
        auto frames = encode(out);
        for (const auto& socket : targets) {
            socket->expect_ack(*out.id, on_ack);
            socket->notify_outgoing(out);
            socket->send_frames(frames, opts.flags.is_volatile);
        }
    }
    return targets.size();
}

// ---- socket operations -------------------------------------------------------------------

std::vector<SocketInfo> MemoryAdapter::local_socket_infos(const BroadcastOptions& opts) const {
    std::vector<SocketInfo> infos;
    for (const auto& socket : local_sockets(opts))
        infos.push_back(
            SocketInfo{socket->id(), socket->handshake_json(), socket->rooms(), std::as_const(*socket).data()});
    return infos;
}

void MemoryAdapter::fetch_sockets(const BroadcastOptions& opts,
                                  std::function<void(ErrorCode, std::vector<SocketInfo>)> done) {
    using Infos = std::vector<SocketInfo>;
    gather<Infos>([opts](MemoryAdapter& adapter) { return adapter.local_socket_infos(opts); },
                  [done = std::move(done)](std::vector<Infos> parts) {
                      Infos all;
                      for (auto& part : parts)
                          for (auto& info : part) all.push_back(std::move(info));
                      if (done) done({}, std::move(all));
                  });
}

void MemoryAdapter::add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    for_each_peer([opts, rooms](MemoryAdapter& peer) { peer.local_add_sockets(opts, rooms); });
    local_add_sockets(opts, rooms);
}

void MemoryAdapter::del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    for_each_peer([opts, rooms](MemoryAdapter& peer) { peer.local_del_sockets(opts, rooms); });
    local_del_sockets(opts, rooms);
}

void MemoryAdapter::disconnect_sockets(const BroadcastOptions& opts, bool close) {
    for_each_peer([opts, close](MemoryAdapter& peer) { peer.local_disconnect_sockets(opts, close); });
    local_disconnect_sockets(opts, close);
}

void MemoryAdapter::local_add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    for (const auto& socket : local_sockets(opts)) socket->join(rooms);
}

void MemoryAdapter::local_del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    for (const auto& socket : local_sockets(opts))
        for (const auto& room : rooms) socket->leave(room);
}

void MemoryAdapter::local_disconnect_sockets(const BroadcastOptions& opts, bool close) {
    // Targets are collected first: each disconnect edits the index being walked.
    for (const auto& socket : local_sockets(opts)) socket->disconnect(close);
}

void MemoryAdapter::server_side_emit(const std::string&, const Payload&,
                                     std::function<void(ErrorCode, std::vector<boost::json::value>)> on_acks) {
    if (on_acks) on_acks({}, {});
}

void MemoryAdapter::server_count(std::function<void(ErrorCode, std::size_t)> done) {
    if (done) done({}, 1);
}

// ---- connection state recovery -----------------------------------------------------------

void MemoryAdapter::persist_session(PersistedSession session) {
    // Kept where the socket lived: this loop's log holds every packet it was sent, in the
    // order it was sent, so a restore here computes exactly what it missed.
    if (sessions_) sessions_->persist(std::move(session));
}

void MemoryAdapter::restore_session(const std::string& pid, const std::string& offset,
                                    std::function<void(std::optional<RecoveredSession>)> done) {
    if (!sessions_) return done(std::nullopt);
    // Most reconnections come back to a loop that kept nothing: asked of every loop then (a
    // pid is kept by one loop at most), answered by the one that has it.
    if (auto here = sessions_->restore(pid, offset); here || shard_count() == 1) return done(std::move(here));
    using Found = std::optional<RecoveredSession>;
    gather<Found>(
        [pid, offset](MemoryAdapter& adapter) -> Found {
            return adapter.sessions_ ? adapter.sessions_->restore(pid, offset) : std::nullopt;
        },
        [done = std::move(done)](std::vector<Found> answers) {
            for (auto& answer : answers)
                if (answer) return done(std::move(answer));
            done(std::nullopt);
        });
}

std::vector<engineio::SharedFrame> MemoryAdapter::log_for_socket(Packet& packet, const std::string& sid) {
    if (!sessions_ || !SessionStore::eligible(packet, BroadcastOptions{})) return {};
    packet.nsp = nsp_name_;
    std::string offset = sessions_->stamp(packet);
    auto frames = encode(packet);
    sessions_->append_for_socket(sid, frames, offset);
    return frames;
}

}  // namespace sio::socketio
