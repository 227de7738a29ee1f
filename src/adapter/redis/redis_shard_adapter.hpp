#pragma once
// The adapter of a namespace on the shards other than 0, in cluster mode. The process is one
// member of the Redis cluster: its RedisAdapter (and its subscriptions) live on shard 0, so
// here the cluster part of every operation is posted to shard 0's adapter, with the answers
// posted back, while the local part covers every shard from this one (MemoryAdapter). A
// broadcast is delivered from here, as Node delivers before publishing, so that a socket
// never sees a broadcast overtake a direct emit made after it.

#include <sio/socketio/memory_adapter.hpp>

namespace sio::adapter {

class RedisAdapter;

class RedisShardAdapter final : public socketio::MemoryAdapter {
public:
    explicit RedisShardAdapter(socketio::Namespace& nsp);

    void broadcast(const socketio::Packet& packet, const socketio::BroadcastOptions& opts) override;
    void broadcast_with_ack(const socketio::Packet& packet, const socketio::BroadcastOptions& opts,
                            std::function<void(std::size_t)> on_client_count,
                            std::function<void(socketio::Payload)> on_ack) override;
    void fetch_sockets(const socketio::BroadcastOptions& opts,
                       std::function<void(socketio::ErrorCode, std::vector<socketio::SocketInfo>)> done) override;
    void add_sockets(const socketio::BroadcastOptions& opts, const std::vector<std::string>& rooms) override;
    void del_sockets(const socketio::BroadcastOptions& opts, const std::vector<std::string>& rooms) override;
    void disconnect_sockets(const socketio::BroadcastOptions& opts, bool close) override;
    void server_side_emit(const std::string& event, const socketio::Payload& args,
                          std::function<void(socketio::ErrorCode, std::vector<boost::json::value>)> on_acks) override;
    void server_count(std::function<void(socketio::ErrorCode, std::size_t)> done) override;
    void all_rooms(std::function<void(socketio::ErrorCode, std::vector<std::string>)> done) override;

    /** No connection state recovery in cluster mode, as Node's classic adapter. */
    bool supports_recovery() const noexcept override { return false; }
    void persist_session(socketio::PersistedSession) override {}
    void restore_session(const std::string&, const std::string&,
                         std::function<void(std::optional<socketio::RecoveredSession>)> done) override {
        done(std::nullopt);
    }

private:
    /** Runs `fn(leader)` on shard 0 with its RedisAdapter of this namespace. */
    void on_leader(std::function<void(RedisAdapter&)> fn) const;
};

}  // namespace sio::adapter
