#include <sio/socketio/disconnect_reason.hpp>

namespace sio::socketio {

std::string_view to_string(DisconnectReason reason) noexcept {
    switch (reason) {
        case DisconnectReason::client_namespace_disconnect:
            return "client namespace disconnect";
        case DisconnectReason::server_namespace_disconnect:
            return "server namespace disconnect";
        case DisconnectReason::transport_close:
            return "transport close";
        case DisconnectReason::transport_error:
            return "transport error";
        case DisconnectReason::ping_timeout:
            return "ping timeout";
        case DisconnectReason::parse_error:
            return "parse error";
        case DisconnectReason::forced_close:
            return "forced close";
        case DisconnectReason::forced_server_close:
            return "forced server close";
        case DisconnectReason::server_shutting_down:
            return "server shutting down";
    }
    return "unknown";
}

DisconnectReason from_engine(engineio::CloseReason reason) noexcept {
    switch (reason) {
        case engineio::CloseReason::transport_close:
            return DisconnectReason::transport_close;
        case engineio::CloseReason::transport_error:
            return DisconnectReason::transport_error;
        case engineio::CloseReason::parse_error:
            return DisconnectReason::parse_error;
        case engineio::CloseReason::ping_timeout:
            return DisconnectReason::ping_timeout;
        case engineio::CloseReason::forced_close:
            return DisconnectReason::forced_close;
        case engineio::CloseReason::server_shutting_down:
            return DisconnectReason::server_shutting_down;
    }
    return DisconnectReason::transport_error;
}

// socket.io 4.8 RECOVERABLE_DISCONNECT_REASONS: everything except an explicit namespace
// disconnect (either side) and a parse error.
bool is_recoverable(DisconnectReason reason) noexcept {
    switch (reason) {
        case DisconnectReason::transport_error:
        case DisconnectReason::transport_close:
        case DisconnectReason::forced_close:
        case DisconnectReason::ping_timeout:
        case DisconnectReason::server_shutting_down:
        case DisconnectReason::forced_server_close:
            return true;
        case DisconnectReason::client_namespace_disconnect:
        case DisconnectReason::server_namespace_disconnect:
        case DisconnectReason::parse_error:
            return false;
    }
    return false;
}

}  // namespace sio::socketio
