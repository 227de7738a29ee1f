#pragma once
// The Socket.IO servers of one process, one per shard (core::ShardSet). Each shard's Server
// joins the group when it is made (ServerOptions::group and ::shard) and leaves when it is
// destroyed; the adapters use the group to reach the same namespace on the other shards, by
// posting to their loops, so that "this instance" means every shard of the process.
//
// Make every Server before the loops run and destroy them after they stopped (sio-server's
// main does): membership is then fixed while other threads read it.

#include <cstddef>
#include <vector>

#include <sio/core/shard.hpp>

namespace sio::socketio {

class Server;

class ServerGroup {
public:
    explicit ServerGroup(core::ShardSet& shards) : shards_(&shards), servers_(shards.size(), nullptr) {}
    ServerGroup(const ServerGroup&) = delete;
    ServerGroup& operator=(const ServerGroup&) = delete;

    std::size_t size() const noexcept { return servers_.size(); }
    core::ShardSet& shards() const noexcept { return *shards_; }
    /** The server of `shard`, or null. Use it on that shard's loop only. */
    Server* server(std::size_t shard) const noexcept { return shard < servers_.size() ? servers_[shard] : nullptr; }

    // ---- used by Server --------------------------------------------------------------------
    void attach(std::size_t shard, Server* server) noexcept {
        if (shard < servers_.size()) servers_[shard] = server;
    }
    void detach(std::size_t shard, const Server* server) noexcept {
        if (shard < servers_.size() && servers_[shard] == server) servers_[shard] = nullptr;
    }

private:
    core::ShardSet* shards_;
    std::vector<Server*> servers_;
};

}  // namespace sio::socketio
