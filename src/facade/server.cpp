#include <sio/facade/server.hpp>

// Construction wires, in order: the loop (owned or the caller's) -> in cluster mode the
// RedisCluster and its adapter factory -> the Socket.IO server (its engine at options.path)
// -> the routes' core -> the HTTP handler (engine path, else routes) -> the listener. The
// handler holds the core weakly, so that connections outliving the Server get a 503 rather
// than a dangling reference. Shutdown is in close.cpp.

#include <stdexcept>
#include <string_view>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/http/status.hpp>

#include <sio/adapter/redis_adapter.hpp>
#include <sio/core/log.hpp>

#include "facade/router.hpp"
#include "facade/shutdown.hpp"

namespace sio {

struct Server::Core {
    socketio::Server* io;
    facade::Router router;
    std::size_t route_body_limit;

    bool under_engine(std::string_view target) const { return target.starts_with(io->engine().path()); }
};

namespace {

auto log() {
    static auto logger = core::logger("facade");
    return logger;
}

/** Cluster mode: the adapters come from Redis, and recovery is off (the pub/sub adapter
    keeps no sessions). */
ServerOptions with_cluster(ServerOptions options, const std::shared_ptr<adapter::RedisCluster>& cluster) {
    if (!cluster) return options;
    options.adapter_factory = adapter::make_redis_adapter_factory(cluster);
    if (options.connection_state_recovery) {
        log()->info("connection state recovery is off in cluster mode (the Redis pub/sub adapter keeps no sessions)");
        options.connection_state_recovery = false;
    }
    return options;
}

}  // namespace

Server::Server(ServerOptions options) : Server(std::make_unique<boost::asio::io_context>(1), std::move(options)) {}

Server::Server(std::unique_ptr<boost::asio::io_context> owned, ServerOptions options)
    : owned_(std::move(owned)), executor_(owned_->get_executor()) {
    init(std::move(options));
}

Server::Server(http::Executor executor, ServerOptions options) : executor_(executor) {
    init(std::move(options));
}

void Server::init(ServerOptions options) {
    if (options.redis) cluster_ = adapter::RedisCluster::create(executor_, *options.redis);
    const auto route_body_limit = options.route_body_limit;
    close_timeout_ = options.close_timeout;
    io_ = std::make_unique<socketio::Server>(executor_, with_cluster(std::move(options), cluster_));
    core_ = std::make_shared<Core>(Core{io_.get(), {}, route_body_limit});

    auto handler = std::make_shared<http::Handler>();
    std::weak_ptr<Core> weak = core_;
    handler->body_limit = [weak](std::string_view target) -> std::size_t {
        auto core = weak.lock();
        if (!core) return 0;
        return core->under_engine(target) ? core->io->engine().options().max_payload : core->route_body_limit;
    };
    handler->decorate_error = [weak](const http::Request& request, http::Response& response) {
        auto core = weak.lock();
        if (core && core->under_engine(request.target())) core->io->engine().apply_cors(request, response);
    };
    handler->handle = [weak](const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request) {
        auto core = weak.lock();
        if (!core) {
            connection->respond(http::json_response(request, boost::beast::http::status::service_unavailable,
                                                    R"({"error":"server closed"})"));
        } else if (core->under_engine(request.target())) {
            core->io->engine().handle(connection, std::move(request));
        } else {
            core->router.handle(connection, std::move(request));
        }
    };
    handler_ = std::move(handler);
    listener_ = std::make_shared<http::Listener>(executor_, handler_);

    shutdown_ = std::make_shared<Shutdown>(executor_);
    if (owned_) shutdown_->work.emplace(executor_);
    if (cluster_) cluster_->start();
}

Server::~Server() {
    // Nothing of ours may run after this: the timers and signals hold the shutdown state
    // weakly, the handler holds the core weakly. The owned loop is stopped first, so that
    // what its pending handlers hold is released without answering (see HttpReply).
    if (owned_) owned_->stop();
    shutdown_.reset();
    core_.reset();
    if (listener_) listener_->stop();
    if (cluster_) cluster_->stop();
    io_.reset();
}

void Server::route(HttpVerb verb, std::string path, RouteHandler handler) {
    core_->router.add(verb, std::move(path), std::move(handler));
}

socketio::ErrorCode Server::listen(unsigned short port, std::string host) {
    http::ListenAddress address;
    address.host = std::move(host);
    address.port = port;
    return listen(address);
}

socketio::ErrorCode Server::listen(const http::ListenAddress& address) {
    if (auto ec = listener_->listen(address)) return ec;
    listener_->start();
    return {};
}

void Server::serve(boost::asio::ip::tcp::socket socket) {
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return;  // gone already
    // As the listener does: small frames (acks, pings) must not wait for Nagle.
    socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
    // The HTTP layer's sockets are bound to the loop's own executor type: the descriptor
    // moves from the caller's socket object into one of those.
    const auto protocol = peer.protocol();
    const auto fd = socket.release(ec);
    if (ec) return;
    http::Socket moved(executor_, boost::asio::generic::stream_protocol(protocol.family(), protocol.protocol()), fd);
    std::make_shared<http::HttpConnection>(std::move(moved), peer.address().to_string(), handler_)->start();
}

unsigned short Server::port() const {
    return listener_->port();
}

void Server::wait_ready(std::chrono::milliseconds limit, std::function<void(socketio::ErrorCode)> done) {
    if (cluster_) {
        cluster_->wait_ready(limit, std::move(done));
    } else {
        boost::asio::post(executor_, [done = std::move(done)] { done({}); });
    }
}

void Server::run() {
    if (!owned_)
        throw std::logic_error("sio::Server::run: this Server is attached to the caller's loop; run that loop");
    owned_->run();
}

}  // namespace sio
