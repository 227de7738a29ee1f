#pragma once
// sio-server configuration: every docs/contract.md §1 environment variable, parsed and validated up
// front so that a bad value stops the process with one clear line before anything listens.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sio::server {

/** A configuration value that cannot be used. `what()` names the variable and quotes the
    value, e.g. `PING_INTERVAL: expected a positive integer, got "abc"`. */
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string variable, const std::string& message)
        : std::runtime_error(variable + ": " + message), variable_(std::move(variable)) {}
    const std::string& variable() const noexcept { return variable_; }

private:
    std::string variable_;
};

/** Where Redis is, from REDIS_URL or REDIS_HOST/REDIS_PORT/REDIS_PASSWORD (cluster mode). */
struct RedisConfig {
    std::string host;
    std::uint16_t port = 6379;
    std::string username;  // ACL user; empty: default user
    std::string password;  // empty: no AUTH
    unsigned db = 0;       // SELECT index from the URL path

    /** `redis://host:port/db` with the credentials masked, for logs. */
    std::string display() const;
};

struct Config {
    // ---- listening -----------------------------------------------------------------------
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;  // 0: any free port
    std::string unix_path;      // non-empty: listen on this Unix socket instead of host:port

    std::string instance_id;  // never empty after parse_config
    /** Event loops (shards), one thread each; default: the number of cores. */
    std::size_t threads = 1;
    std::optional<RedisConfig> redis;

    // ---- engine / socket.io ----------------------------------------------------------------
    std::chrono::milliseconds ping_interval{25000};
    std::chrono::milliseconds ping_timeout{20000};
    std::chrono::milliseconds connect_timeout{45000};
    std::size_t max_http_buffer_size = 1'000'000;
    std::vector<std::string> cors_origins;
    bool connection_state_recovery = true;
    std::chrono::milliseconds recovery_max_disconnection{120000};
    /** Also serve Engine.IO 3 / socket.io-client 2.x connections (engine.io's allowEIO3). */
    bool allow_eio3 = false;
    /** socket.io's `parser` option: "default" (socket.io-parser) or "msgpack"
        (socket.io-msgpack-parser); the clients must use the same one. */
    std::string parser = "default";

    // ---- REST / process --------------------------------------------------------------------
    std::string api_token;           // empty: REST API open
    std::string log_level = "info";  // trace|debug|info|warn|error|off
};

/** Reads a variable: returns null when it is not set. */
using EnvLookup = std::function<const char*(const char*)>;

/** Parses every variable of docs/contract.md §1. An empty value counts as unset. Throws ConfigError
    for the first invalid one. INSTANCE_ID defaults to a fresh random 20-character id. */
Config parse_config(const EnvLookup& getenv);

/** Parses `redis://[user[:password]@]host[:port][/db]` (Boost.URL). Throws ConfigError naming
    `variable`. */
RedisConfig parse_redis_url(std::string_view url, const std::string& variable = "REDIS_URL");

}  // namespace sio::server
