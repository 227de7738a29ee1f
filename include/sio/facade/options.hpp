#pragma once
// Options of the one-object facade sio::Server: every Socket.IO option, plus where Redis is
// (cluster mode) and the facade's own HTTP and shutdown settings.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include <sio/adapter/redis_options.hpp>
#include <sio/socketio/error.hpp>
#include <sio/socketio/options.hpp>

namespace sio {

/** socketio::ServerOptions (path, engine with heartbeat, max_payload and cors, connect
    timeout, connection state recovery, adapter_factory) with the facade's additions. Set them
    directly: `opts.engine.cors.origins = {...}; opts.connection_state_recovery = true;`. The
    shard fields (`group`, `shard`) must stay unset: the facade runs one loop. */
struct ServerOptions : socketio::ServerOptions {
    /** Cluster mode: broadcasts, fetch_sockets, sockets_join/leave, disconnect_sockets and
        server_side_emit reach every instance on this Redis (@socket.io/redis-adapter
        compatible). Replaces `adapter_factory`, and turns connection state recovery off (the
        Redis pub/sub adapter keeps no sessions, as in Node). */
    std::optional<adapter::RedisOptions> redis;
    /** Largest request body the application's routes accept (larger: 413 with a JSON error).
        The Socket.IO path uses `engine.max_payload`. */
    std::size_t route_body_limit = 1024 * 1024;
    /** How long close() waits for sessions to go before it stops the loop anyway: an idle
        long-polling session would otherwise keep waiting up to 30 s for its close packet. */
    std::chrono::milliseconds close_timeout{1000};

    /** Sets `redis` from `redis://[user:password@]host[:port][/db]`. Returns the parse error
        (adapter::redis_error) and leaves `redis` as it was on failure. */
    socketio::ErrorCode set_redis_url(std::string_view url);
};

}  // namespace sio
