#include "instance.hpp"

// Flow: constructor -> per loop: socketio::Server (joins the group), App, echo engine,
// RestApi, router handler -> forwarders (foreign sid -> hand_over to its loop) -> one
// Listener on loop 0 spreading connections over every loop. shut_down: loop 0 stops the
// listener and posts a close to each loop; each loop polls its own session count and reports
// to loop 0 when empty.

#include <chrono>

#include <boost/asio/post.hpp>

#include "router.hpp"

namespace sio::server {

using namespace std::chrono_literals;

struct Instance::Loop {
    std::unique_ptr<socketio::Server> io;
    std::unique_ptr<App> app;
    std::unique_ptr<engineio::Server> echo;
    std::unique_ptr<RestApi> rest;
    std::shared_ptr<const http::Handler> handler;
    std::unique_ptr<boost::asio::steady_timer> drain_timer;
};

Instance::Instance(core::ShardSet& shards, socketio::ServerOptions options, RestSettings rest)
    : shards_(shards),
      group_(std::make_shared<socketio::ServerGroup>(shards_)),
      disconnects_(std::make_shared<DisconnectLog>()) {
    for (std::size_t shard = 0; shard < shards_.size(); ++shard) {
        auto loop = std::make_unique<Loop>();
        auto ex = shards_.executor(shard);
        auto opts = options;
        opts.group = group_;
        opts.shard = shard;
        loop->io = std::make_unique<socketio::Server>(ex, opts);
        loop->app = std::make_unique<App>(*loop->io, rest.instance_id, disconnects_);
        // The Socket.IO server's engine options, with this loop's shard fields filled in.
        loop->echo = make_echo_engine(ex, loop->io->options().engine);
        loop->rest = std::make_unique<RestApi>(*loop->io, rest, disconnects_);
        loop->handler = make_handler(*loop->io, *loop->echo, *loop->rest);
        loop->drain_timer = std::make_unique<boost::asio::steady_timer>(ex);
        loops_.push_back(std::move(loop));
    }
    // A request naming another loop's session goes to that loop's router, with its socket.
    std::vector<std::shared_ptr<const http::Handler>> handlers;
    std::vector<http::ShardTarget> targets;
    for (std::size_t shard = 0; shard < loops_.size(); ++shard) {
        handlers.push_back(loops_[shard]->handler);
        targets.push_back(http::ShardTarget{shards_.executor(shard), loops_[shard]->handler});
    }
    auto forward = [this, handlers](std::size_t owner, const std::shared_ptr<http::HttpConnection>& connection,
                                    http::Request&& request) {
        http::HttpConnection::hand_over(connection, std::move(request), shards_.executor(owner), handlers[owner]);
    };
    for (auto& loop : loops_) {
        loop->io->engine().set_forwarder(forward);
        loop->echo->set_forwarder(forward);
    }
    listener_ = std::make_shared<http::Listener>(shards_.executor(0), loops_[0]->handler);
    if (loops_.size() > 1) listener_->spread_over(std::move(targets));
}

Instance::~Instance() {
    // Loops have stopped: tear down in reverse order of construction, each loop's objects
    // before the ShardSet (and its io_contexts) go.
    listener_.reset();
    for (auto& loop : loops_) {
        loop->drain_timer.reset();
        loop->rest.reset();
        loop->echo.reset();
        loop->app.reset();
        loop->io.reset();
    }
}

boost::system::error_code Instance::listen(const http::ListenAddress& address) {
    if (auto ec = listener_->listen(address)) return ec;
    listener_->start();
    return {};
}

void Instance::shut_down(std::function<void()> drained) {
    on_drained_ = std::move(drained);
    loops_drained_ = 0;
    listener_->stop();
    for (std::size_t shard = 0; shard < loops_.size(); ++shard) {
        shards_.post_to(shard, [this, shard] {
            auto& loop = *loops_[shard];
            loop.io->close();
            loop.echo->close_all(engineio::CloseReason::server_shutting_down);
            drain(shard);
        });
    }
}

void Instance::drain(std::size_t shard) {
    auto& loop = *loops_[shard];
    loop.drain_timer->expires_after(25ms);
    loop.drain_timer->async_wait([this, shard](boost::system::error_code ec) {
        if (ec) return;
        auto& l = *loops_[shard];
        if (l.io->engine().clients_count() != 0 || l.echo->clients_count() != 0) return drain(shard);
        // Empty: a short grace for the close frames still being written, then report.
        l.drain_timer->expires_after(150ms);
        l.drain_timer->async_wait([this](boost::system::error_code grace_ec) {
            if (grace_ec) return;
            shards_.post_to(0, [this] { on_loop_drained(); });
        });
    });
}

void Instance::on_loop_drained() {
    if (++loops_drained_ == loops_.size() && on_drained_) on_drained_();
}

}  // namespace sio::server
