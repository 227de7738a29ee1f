#pragma once
// Where and how to reach Redis (docs/protocol.md §4, docs/architecture.md "Redis"), the `redis://` URL parser,
// and the error codes of the Redis client layer (URL parsing, connection and command errors).
// No hiredis here: the client's headers live in src/adapter/redis/.

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace sio::adapter {

/** Connection settings shared by every Redis connection of the process. Plain value. */
struct RedisOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 6379;
    std::string username;  // empty: `AUTH <password>` (the `default` user)
    std::string password;  // empty: no AUTH at all
    int db = 0;            // SELECTed after AUTH when != 0
    /** Whole connect phase: resolve + TCP connect + AUTH + SELECT. */
    std::chrono::milliseconds connect_timeout{2000};
    /** A command not answered within this time fails its connection: a Redis that stopped
        answering (paused, partitioned) must be detected, not waited on forever. */
    std::chrono::milliseconds command_timeout{5000};
    /** Reconnect backoff starts at 50 ms and doubles up to this (node-redis caps at 500 ms too). */
    std::chrono::milliseconds max_backoff{500};
};

/** Errors of the Redis client layer. Category name "sio.redis". */
enum class redis_error {
    // parse_redis_url
    invalid_url = 1,     // not a URL at all
    unsupported_scheme,  // anything but redis:// (rediss:// = TLS is not supported)
    missing_host,
    bad_port,          // not 1-65535
    bad_db,            // path is not /<non-negative integer>
    missing_password,  // user name given without a password
    // connection
    connect_timeout,    // resolve + connect + AUTH + SELECT took longer than connect_timeout
    command_timeout,    // a command got no reply within command_timeout; the connection is closed
    not_connected,      // command issued while the connection (or the bus) is down
    connection_closed,  // the server closed the connection (EOF)
    protocol_error,     // the reply stream could not be parsed
    server_error,       // Redis answered with an error reply (the reply carries its text)
    auth_failed,        // AUTH rejected (wrong password, unknown/disabled user)
    select_failed,      // SELECT rejected (db out of range)
    closed,             // closed locally (close()/stop()) while the operation was pending
    backpressure,       // publish refused: too many bytes already waiting to be written
    startup_timeout,    // the first connection did not come up within the startup limit
};

const boost::system::error_category& redis_category() noexcept;
boost::system::error_code make_error_code(redis_error e) noexcept;

/** Parses `redis://[[user]:password@]host[:port][/db]` (also `redis://:pass@host:port`).
    User and password are percent-decoded; an IPv6 host is written `[::1]`. A missing port
    is 6379, a missing or empty path is db 0; the query and fragment are ignored. Timeouts
    keep their defaults. Errors: invalid_url, unsupported_scheme, missing_host, bad_port,
    bad_db, missing_password. Pure, callable from any thread. */
boost::system::result<RedisOptions> parse_redis_url(std::string_view url);

}  // namespace sio::adapter

namespace boost::system {
template <>
struct is_error_code_enum<sio::adapter::redis_error> : std::true_type {};
}  // namespace boost::system
