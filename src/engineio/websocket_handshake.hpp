#pragma once
// The WebSocket opening handshake, server side (RFC 6455 §4.2): which upgrade requests are
// refused and why (with the messages of Node's `ws`), and the 101 answer, written by the
// transport as the first bytes of its queue.

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include <sio/http/types.hpp>

namespace sio::engineio::ws {

/** Why `req` cannot be upgraded (answered 400 by the caller), or nullopt. */
std::optional<std::string_view> upgrade_error(const http::Request& req);

/** `HTTP/1.1 101 Switching Protocols` with Sec-WebSocket-Accept and, when the client offered
    subprotocols, the first of them (as `ws` does by default), then the `extra` headers (the
    engine's initial_headers / headers hooks) in their order. A header whose name or value
    would break the answer (CR, LF, or an empty name) is left out. */
std::string switching_protocols_response(const http::Request& req, const boost::beast::http::fields& extra = {});

}  // namespace sio::engineio::ws
