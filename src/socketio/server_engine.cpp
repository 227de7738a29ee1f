// The one place that makes an engineio::Server. Kept apart from server.cpp so that code using
// socketio::Server only through accept() (unit tests) links without the engine.

#include <sio/socketio/server.hpp>

#include "socketio/client.hpp"

namespace sio::socketio {

Server::Server(boost::asio::any_io_executor executor, ServerOptions options)
    : Server(executor, std::move(options), without_engine) {
    engine_ = std::make_shared<engineio::Server>(
        executor_, options_.path, options_.engine,
        [this](engineio::Session& session) { return accept(session); });
    close_engine_ = [engine = engine_.get()] { engine->close_all(engineio::CloseReason::server_shutting_down); };
}

}  // namespace sio::socketio
