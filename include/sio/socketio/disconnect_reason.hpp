#pragma once

#include <string_view>

#include <sio/engineio/error.hpp>

namespace sio::socketio {

/** Why a namespace socket was disconnected (docs/contract.md §2.4); `to_string` gives the Node strings. */
enum class DisconnectReason {
    client_namespace_disconnect,  // "client namespace disconnect"
    server_namespace_disconnect,  // "server namespace disconnect"
    transport_close,              // "transport close"
    transport_error,              // "transport error"
    ping_timeout,                 // "ping timeout"
    parse_error,                  // "parse error"
    forced_close,                 // "forced close" (malformed Socket.IO packet, invalid state)
    forced_server_close,          // "forced server close" (other sockets of a disconnect(true))
    server_shutting_down,         // "server shutting down"
};

std::string_view to_string(DisconnectReason reason) noexcept;

/** The socket reason for an Engine.IO close reason. */
DisconnectReason from_engine(engineio::CloseReason reason) noexcept;

/** True for the reasons after which connection state recovery keeps the session (§2.10). */
bool is_recoverable(DisconnectReason reason) noexcept;

}  // namespace sio::socketio
