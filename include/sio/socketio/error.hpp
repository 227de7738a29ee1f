#pragma once
// Errors the application sees: middleware refusals and the outcome of acknowledgements.

#include <string>
#include <system_error>
#include <type_traits>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

namespace sio::socketio {

using ErrorCode = boost::system::error_code;

/** An error with a message and optional data, as socket.io's `new Error(message)` with a
    `data` property. A connection middleware's refusal is sent as CONNECT_ERROR `{"message",
    "data"}` (data omitted when null); a packet middleware's reaches the socket's error
    listeners. */
struct Error {
    std::string message;
    boost::json::value data;  // null: none
};
/** The name the connection middlewares use. */
using ConnectError = Error;

/** Why an acknowledgement did not come. */
enum class ack_errc {
    /** The timeout passed before the client (or every targeted client) answered. */
    timeout = 1,
    /** Not sent: a reserved event name, or the socket is not connected. */
    not_sent,
    /** The socket disconnected before the client answered (an emit without timeout only:
        with one, the timeout is reported at its deadline, as socket.io does). */
    disconnected,
};

const boost::system::error_category& ack_category() noexcept;
inline boost::system::error_code make_error_code(ack_errc e) noexcept {
    return {static_cast<int>(e), ack_category()};
}

}  // namespace sio::socketio

template <>
struct boost::system::is_error_code_enum<sio::socketio::ack_errc> : std::true_type {};
