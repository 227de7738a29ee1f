#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <sio/engineio/options.hpp>
#include <sio/socketio/adapter.hpp>
#include <sio/socketio/frames.hpp>

namespace sio::socketio {

class ServerGroup;

/** Socket.IO server options, defaults as socket.io 4.8. */
struct ServerOptions {
    engineio::Options engine;                          // heartbeat, maxPayload, CORS, ...
    std::string path = "/socket.io/";                  // Engine.IO path, trailing slash
    std::chrono::milliseconds connect_timeout{45000};  // join a namespace within this
    bool connection_state_recovery = false;            // CSR (socket.io: off by default)
    std::chrono::milliseconds max_disconnection_duration{120000};
    bool skip_middlewares = true;    // on a recovered connection
    AdapterFactory adapter_factory;  // empty: MemoryAdapter
    /** socket.io's `parser` option: how packets are written and read on every connection
        (the clients must use the same one). Null: socket.io-parser. msgpack_parser() gives
        socket.io-msgpack-parser's format. */
    std::shared_ptr<const Parser> parser;
    /** Shards: the servers of the other loops of this process and this one's index. Null:
        one loop. The engine's shard fields are set from these. */
    std::shared_ptr<ServerGroup> group;
    std::size_t shard = 0;
};

}  // namespace sio::socketio
