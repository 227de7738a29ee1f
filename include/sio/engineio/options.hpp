#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <sio/engineio/engine_events.hpp>

namespace sio::engineio {

/** CORS as the `cors` npm package does it with an origin list and credentials (docs/contract.md §2.6).
    Empty `origins`: no CORS headers at all (the Node default). */
struct CorsOptions {
    std::vector<std::string> origins;  // exact matches, reflected back
    bool credentials = true;
};

/** Engine.IO server options; defaults are engine.io 6.6's. */
struct Options {
    std::chrono::milliseconds ping_interval{25000};
    std::chrono::milliseconds ping_timeout{20000};
    std::chrono::milliseconds upgrade_timeout{10000};
    /** Max WebSocket message and polling POST body; announced as `maxPayload`. */
    std::size_t max_payload = 1'000'000;
    /** Bytes queued for one session before it is closed as a slow consumer. Node has no limit;
        we bound memory per connection instead. */
    std::size_t max_buffered_bytes = 8 * 1024 * 1024;
    bool allow_polling = true;
    bool allow_websocket = true;
    bool allow_upgrades = true;
    CorsOptions cors;
    /** engine.io's allowRequest: decides on each handshake, possibly later (engine_events.hpp).
        Empty: every handshake is admitted. */
    AllowRequest allow_request;
    /** engine.io's allowEIO3: also serve Engine.IO protocol 3 clients (socket.io-client 2.x),
        docs/protocol.md §1.14. Off: they are refused with code 5. */
    bool allow_eio3 = false;
    /** This server's shard and the number of shards: session ids carry the shard that made
        them (core::IdGenerator), so a request for another shard's session can be forwarded. */
    std::size_t shard = 0;
    std::size_t shard_count = 1;
};

}  // namespace sio::engineio
