#pragma once
// Everything an application needs, in one include: the facade sio::Server and the Socket.IO
// vocabulary its handlers use, under short names in namespace sio.
//
//     #include <sio/sio.hpp>
//     sio::Server io;
//     io.on_connection([](sio::Socket& socket) { socket.emit("hello", "world"); });
//
// The layers stay reachable under their own namespaces (sio::socketio, sio::http,
// sio::adapter, ...) for what the facade does not cover.

#include <sio/adapter/redis_adapter.hpp>
#include <sio/adapter/redis_options.hpp>
#include <sio/facade/http_route.hpp>
#include <sio/facade/options.hpp>
#include <sio/facade/server.hpp>
#include <sio/socketio/ack.hpp>
#include <sio/socketio/binary.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/disconnect_reason.hpp>
#include <sio/socketio/error.hpp>
#include <sio/socketio/json.hpp>
#include <sio/socketio/make_payload.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/parent_namespace.hpp>
#include <sio/socketio/payload.hpp>
#include <sio/socketio/remote_socket.hpp>
#include <sio/socketio/socket.hpp>

namespace sio {

using socketio::Ack;
using socketio::ack_errc;
using socketio::Binary;
using socketio::BroadcastAckResult;
using socketio::BroadcastOperator;
using socketio::ConnectError;
using socketio::DisconnectReason;
using socketio::Error;
using socketio::ErrorCode;
using socketio::Event;
using socketio::ListenerId;
using socketio::make_payload;
using socketio::Middleware;
using socketio::Namespace;
using socketio::NamespaceMatcher;
using socketio::Next;
using socketio::ParentNamespace;
using socketio::Payload;
using socketio::RemoteSocket;
using socketio::Socket;
using socketio::to_string;

using adapter::parse_redis_url;
using adapter::RedisCluster;
using adapter::RedisOptions;

}  // namespace sio
