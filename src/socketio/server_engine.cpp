// The one place that makes an engineio::Server. Kept apart from server.cpp so that code using
// socketio::Server only through accept() (unit tests) links without the engine.

#include <sio/socketio/server.hpp>

#include <boost/asio/post.hpp>

#include <sio/core/home_bound.hpp>
#include <sio/core/shard.hpp>
#include <sio/socketio/server_group.hpp>

#include "socketio/client.hpp"

namespace sio::socketio {

Server::Server(boost::asio::any_io_executor executor, ServerOptions options)
    : Server(executor, std::move(options), without_engine) {
    engine_ = std::make_shared<engineio::Server>(executor_, options_.path, options_.engine,
                                                 [this](engineio::Session& session) { return accept(session); });
    close_engine_ = [engine = engine_.get()] { engine->close_all(engineio::CloseReason::server_shutting_down); };
}

void Server::when_written(std::function<void()> done) {
    auto when_local_written = [](Server& server, std::function<void()> then) {
        if (server.engine_)
            server.engine_->when_written(std::move(then));
        else
            boost::asio::post(server.executor_, std::move(then));
    };
    auto* group = this->group();
    if (!group || group->size() == 1) return when_local_written(*this, std::move(done));
    // Posted after the broadcasts it follows, so on each loop it finds their frames queued.
    struct Countdown {
        std::size_t waiting;
        std::function<void()> done;
        void arrive() {
            if (--waiting == 0) done();
        }
    };
    core::HomeBound<Countdown> countdown(group->shards().executor(shard()),
                                         std::make_shared<Countdown>(Countdown{group->size(), std::move(done)}));
    for (std::size_t other = 0; other < group->size(); ++other) {
        if (other == shard()) continue;
        group->shards().post_to(other, [group, other, countdown, when_local_written] {
            auto arrive = [countdown] { countdown.post([](Countdown& c) { c.arrive(); }); };
            if (Server* server = group->server(other))
                when_local_written(*server, std::move(arrive));
            else
                arrive();
        });
    }
    when_local_written(*this, [countdown] { countdown.local().arrive(); });
}

}  // namespace sio::socketio
