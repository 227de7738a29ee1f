#pragma once
// Engine.IO errors: the handshake/request error codes sent to clients, the parse error, and the
// reasons a session closes (docs/protocol.md §1.2, §1.9).

#include <string_view>
#include <system_error>

#include <boost/system/error_code.hpp>

namespace sio::engineio {

/** Values 0-5 are the Engine.IO wire codes sent as `{"code":N,"message":...}`. */
enum class error {
    unknown_transport = 0,
    unknown_sid = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
    parse_error = 100,  // an undecodable packet (not a wire code)
};

const boost::system::error_category& error_category() noexcept;
boost::system::error_code make_error_code(error e) noexcept;

/** The default message for a wire code: "Transport unknown", "Session ID unknown", ... */
std::string_view error_message(error e) noexcept;

/** Why an Engine.IO session closed; `to_string` gives the Node reference strings. */
enum class CloseReason {
    transport_close,  // client closed the WebSocket / POSTed `1`
    transport_error,  // overlapping GET, bad POST, socket error, oversize WS message, client ping
    parse_error,      // undecodable Engine.IO packet
    ping_timeout,     // no pong within pingTimeout
    forced_close,     // closed by the server side (Socket.IO decode error, disconnect(true), ...)
    server_shutting_down,
};

std::string_view to_string(CloseReason reason) noexcept;

}  // namespace sio::engineio

namespace boost::system {
template <>
struct is_error_code_enum<sio::engineio::error> : std::true_type {};
}  // namespace boost::system
