#pragma once
// socket.io-msgpack-parser 3.0 (docs/protocol.md §2.12): every packet is ONE Engine.IO binary
// message holding a msgpack map {type, data, nsp[, id]} (notepack encoding, binary values
// inline as `bin`, no BINARY_EVENT/BINARY_ACK). Use it on both sides:
//     ServerOptions opts;  opts.parser = sio::socketio::msgpack_parser();
//     io(url, { parser: require("socket.io-msgpack-parser") })   // the JavaScript client

#include <memory>

#include <sio/socketio/frames.hpp>

namespace sio::socketio {

/** The msgpack parser (one shared, stateless instance). */
std::shared_ptr<const Parser> msgpack_parser();

}  // namespace sio::socketio
