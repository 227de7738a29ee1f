#pragma once
// One sio-server instance (docs/contract.md §1: one process = one instance): THREADS event loops, each
// with its own Socket.IO server, application, echo engine and REST API, fed by one listener
// that hands accepted connections round-robin to the loops. A request for an Engine.IO
// session of another loop (long-polling, upgrade) is handed over to that loop; broadcasts,
// fetches and recovery reach every loop through the adapters (socketio::ServerGroup).
//
// Everything is built on the calling thread before the loops run (ShardSet::run) and destroyed
// after they stopped.

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <sio/core/shard.hpp>
#include <sio/engineio/server.hpp>
#include <sio/http/listener.hpp>
#include <sio/socketio/server.hpp>

#include "app.hpp"
#include "disconnect_log.hpp"
#include "rest_api.hpp"

namespace sio::server {

class Instance {
public:
    /** One Socket.IO server per loop of `shards` (which must outlive the instance); `options`
        apply to every loop (group and shard are filled in here). */
    Instance(core::ShardSet& shards, socketio::ServerOptions options, RestSettings rest);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    std::size_t threads() const noexcept { return shards_.size(); }

    /** Binds (on the calling thread or loop 0) and starts accepting. */
    boost::system::error_code listen(const http::ListenAddress& address);
    unsigned short port() const { return listener_->port(); }

    /** From loop 0: stops accepting and closes every client (`server shutting down`) on every
        loop; `drained()` runs on loop 0 once every loop has no session left and a short grace
        for close frames has passed. */
    void shut_down(std::function<void()> drained);

private:
    struct Loop;
    void drain(std::size_t shard);
    void on_loop_drained();

    core::ShardSet& shards_;
    std::shared_ptr<socketio::ServerGroup> group_;
    std::shared_ptr<DisconnectLog> disconnects_;
    std::vector<std::unique_ptr<Loop>> loops_;
    std::shared_ptr<http::Listener> listener_;
    std::size_t loops_drained_ = 0;  // loop 0 only
    std::function<void()> on_drained_;
};

}  // namespace sio::server
