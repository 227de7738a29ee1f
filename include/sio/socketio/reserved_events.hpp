#pragma once
// The event names an application cannot emit: the one list, for the library and sio-server.

#include <string_view>

namespace sio::socketio {

/** Names reserved on a socket (socket.io's RESERVED_EVENTS): connect, connect_error,
    disconnect, disconnecting, newListener, removeListener. Emitting one is refused. */
bool is_reserved_event(std::string_view name) noexcept;

/** Names that serverSideEmit refuses: connect, connection, new_namespace. */
bool is_reserved_server_side_event(std::string_view name) noexcept;

}  // namespace sio::socketio
