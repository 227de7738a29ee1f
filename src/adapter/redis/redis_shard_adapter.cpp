#include "adapter/redis/redis_shard_adapter.hpp"

// Every callback of the caller stays on this loop (core::HomeBound); shard 0 gets a relay
// that posts the answers back.

#include <sio/adapter/redis_adapter.hpp>
#include <sio/core/home_bound.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/server.hpp>
#include <sio/socketio/server_group.hpp>

namespace sio::adapter {

using socketio::BroadcastOptions;
using socketio::ErrorCode;
using socketio::Packet;
using socketio::Payload;
using socketio::SocketInfo;

namespace {

/** `fn` kept on the loop of `nsp`, callable from any loop: the call is posted there. */
template <class... Args>
std::function<void(Args...)> relay_home(socketio::Namespace& nsp, std::function<void(Args...)> fn) {
    if (!fn) return {};
    auto& server = nsp.server();
    using Fn = std::function<void(Args...)>;
    core::HomeBound<Fn> home(server.group()->shards().executor(server.shard()), std::make_shared<Fn>(std::move(fn)));
    return [home](Args... args) { home.post([... args = std::move(args)](Fn& f) mutable { f(std::move(args)...); }); };
}

}  // namespace

RedisShardAdapter::RedisShardAdapter(socketio::Namespace& nsp) : MemoryAdapter(nsp) {}

void RedisShardAdapter::on_leader(std::function<void(RedisAdapter&)> fn) const {
    auto* group = nsp().server().group();
    group->shards().post_to(0, [group, name = namespace_name(), fn = std::move(fn)] {
        auto* server = group->server(0);
        auto* nsp = server ? server->find(name) : nullptr;
        if (auto* leader = nsp ? dynamic_cast<RedisAdapter*>(&nsp->adapter()) : nullptr) fn(*leader);
    });
}

void RedisShardAdapter::broadcast(const Packet& packet, const BroadcastOptions& opts) {
    if (!opts.flags.local) {
        on_leader([packet, opts](RedisAdapter& leader) { leader.publish_broadcast(packet, opts); });
    }
    MemoryAdapter::broadcast(packet, opts);
}

void RedisShardAdapter::broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                           std::function<void(std::size_t)> on_client_count,
                                           std::function<void(Payload)> on_ack) {
    if (!opts.flags.local) {
        on_leader([packet, opts, count = relay_home(nsp(), on_client_count), ack = relay_home(nsp(), on_ack)](
                      RedisAdapter& leader) { leader.publish_broadcast_with_ack(packet, opts, count, ack); });
    }
    MemoryAdapter::broadcast_with_ack(packet, opts, std::move(on_client_count), std::move(on_ack));
}

void RedisShardAdapter::fetch_sockets(const BroadcastOptions& opts,
                                      std::function<void(ErrorCode, std::vector<SocketInfo>)> done) {
    if (opts.flags.local) return MemoryAdapter::fetch_sockets(opts, std::move(done));
    on_leader(
        [opts, done = relay_home(nsp(), std::move(done))](RedisAdapter& leader) { leader.fetch_sockets(opts, done); });
}

void RedisShardAdapter::all_rooms(std::function<void(ErrorCode, std::vector<std::string>)> done) {
    on_leader([done = relay_home(nsp(), std::move(done))](RedisAdapter& leader) { leader.all_rooms(done); });
}

void RedisShardAdapter::add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    if (opts.flags.local) return MemoryAdapter::add_sockets(opts, rooms);
    on_leader([opts, rooms](RedisAdapter& leader) { leader.add_sockets(opts, rooms); });
}

void RedisShardAdapter::del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    if (opts.flags.local) return MemoryAdapter::del_sockets(opts, rooms);
    on_leader([opts, rooms](RedisAdapter& leader) { leader.del_sockets(opts, rooms); });
}

void RedisShardAdapter::disconnect_sockets(const BroadcastOptions& opts, bool close) {
    if (opts.flags.local) return MemoryAdapter::disconnect_sockets(opts, close);
    on_leader([opts, close](RedisAdapter& leader) { leader.disconnect_sockets(opts, close); });
}

void RedisShardAdapter::server_side_emit(const std::string& event, const Payload& args,
                                         std::function<void(ErrorCode, std::vector<boost::json::value>)> on_acks) {
    on_leader([event, args, on_acks = relay_home(nsp(), std::move(on_acks))](RedisAdapter& leader) {
        leader.server_side_emit(event, args, on_acks);
    });
}

void RedisShardAdapter::server_count(std::function<void(ErrorCode, std::size_t)> done) {
    on_leader([done = relay_home(nsp(), std::move(done))](RedisAdapter& leader) { leader.server_count(done); });
}

}  // namespace sio::adapter
