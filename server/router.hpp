#pragma once
// What the HTTP listener serves (docs/contract.md §2.1): /socket.io/ -> the Socket.IO engine,
// /engine.io/ -> a raw Engine.IO echo endpoint, anything else -> the REST API.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include <sio/engineio/options.hpp>
#include <sio/engineio/server.hpp>
#include <sio/http/connection.hpp>
#include <sio/socketio/server.hpp>

#include "rest_api.hpp"

namespace sio::server {

/** The path of the raw Engine.IO echo endpoint. */
inline constexpr std::string_view kEchoPath = "/engine.io/";

/** An Engine.IO server on kEchoPath whose sessions send every message back unchanged: text as
    text, binary as binary. Same options (heartbeat, maxPayload, CORS) as the Socket.IO engine. */
std::unique_ptr<engineio::Server> make_echo_engine(boost::asio::any_io_executor executor, engineio::Options options);

/** The listener's handler. Body limits: Engine.IO paths -> their `max_payload`, REST -> 1 MiB.
    `io`, `echo` and `rest` must outlive every connection that uses the handler. */
std::shared_ptr<const http::Handler> make_handler(socketio::Server& io, engineio::Server& echo, RestApi& rest);

}  // namespace sio::server
