#include "config.hpp"

// Flow: parse_config reads each variable once through the injected lookup (so tests pass a
// map, main passes ::getenv), validates it strictly and fills Config. Every failure throws a
// ConfigError whose message starts with the variable name: main prints it and exits 1.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <thread>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>

#include <sio/core/id_generator.hpp>

namespace sio::server {

namespace {

// ---- small parsers ----------------------------------------------------------------------

/** The value of `name`, or nullopt when unset or empty. */
std::optional<std::string> lookup(const EnvLookup& getenv, const char* name) {
    const char* raw = getenv(name);
    if (raw == nullptr || *raw == '\0') {
        return std::nullopt;
    }
    return std::string(raw);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

/** Digits only (no sign, no spaces), within [min, max]. */
std::optional<std::uint64_t> parse_unsigned(std::string_view s, std::uint64_t min, std::uint64_t max) {
    if (!all_digits(s)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size() || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

// Timer durations stay far below what steady_clock arithmetic can overflow.
constexpr std::uint64_t kMaxMilliseconds = std::numeric_limits<std::int32_t>::max();

std::chrono::milliseconds milliseconds_var(const EnvLookup& getenv, const char* name, std::chrono::milliseconds def) {
    auto raw = lookup(getenv, name);
    if (!raw) {
        return def;
    }
    auto value = parse_unsigned(*raw, 1, kMaxMilliseconds);
    if (!value) {
        throw ConfigError(name, fmt::format("expected a positive integer (milliseconds, at most {}), got \"{}\"",
                                            kMaxMilliseconds, *raw));
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(*value));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
        s.remove_suffix(1);
    }
    return s;
}

bool bool_var(const EnvLookup& getenv, const char* name, bool def) {
    auto raw = lookup(getenv, name);
    if (!raw) {
        return def;
    }
    auto v = lower(*raw);
    if (v == "1" || v == "true" || v == "yes" || v == "on") {
        return true;
    }
    if (v == "0" || v == "false" || v == "no" || v == "off") {
        return false;
    }
    throw ConfigError(name, fmt::format("expected 1, 0, true or false, got \"{}\"", *raw));
}

std::uint16_t redis_port(std::string_view raw, const std::string& variable) {
    auto value = parse_unsigned(raw, 1, 65535);
    if (!value) {
        throw ConfigError(variable, fmt::format("expected a port number 1-65535, got \"{}\"", raw));
    }
    return static_cast<std::uint16_t>(*value);
}

}  // namespace

// ---- Redis --------------------------------------------------------------------------------

std::string RedisConfig::display() const {
    std::string auth;
    if (!username.empty() || !password.empty()) {
        auth = fmt::format("{}{}@", username, password.empty() ? "" : ":***");
    }
    bool ipv6 = host.find(':') != std::string::npos;
    return fmt::format("redis://{}{}{}{}:{}/{}", auth, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port, db);
}

RedisConfig parse_redis_url(std::string_view url, const std::string& variable) {
    auto fail = [&](std::string_view why) {
        return ConfigError(variable,
                           fmt::format("{}; expected redis://[user:password@]host[:port][/db], got \"{}\"", why, url));
    };
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        throw fail("not a valid URL");
    }
    const boost::urls::url_view& u = *parsed;
    if (lower(std::string(u.scheme())) != "redis") {
        throw fail(fmt::format("unsupported scheme \"{}\" (only redis:// is supported)", std::string(u.scheme())));
    }
    RedisConfig cfg;
    cfg.host = std::string(u.host_address());  // decoded; IPv6 without brackets
    if (cfg.host.empty()) {
        throw fail("missing host");
    }
    if (u.has_port()) {
        cfg.port = redis_port(u.port(), variable);
    }
    if (u.has_userinfo()) {
        cfg.username = std::string(u.user());
        cfg.password = std::string(u.password());
    }
    std::string path(u.path());
    if (!path.empty() && path != "/") {
        auto db = parse_unsigned(std::string_view(path).substr(1), 0, 1'000'000);
        if (path.front() != '/' || !db) {
            throw fail(fmt::format("the path must be a database number, got \"{}\"", path));
        }
        cfg.db = static_cast<unsigned>(*db);
    }
    return cfg;
}

// ---- everything -----------------------------------------------------------------------------

Config parse_config(const EnvLookup& getenv) {
    Config cfg;

    if (auto port = lookup(getenv, "PORT")) {
        if (all_digits(*port)) {
            auto value = parse_unsigned(*port, 0, 65535);
            if (!value) {
                throw ConfigError("PORT", fmt::format("expected a port number 0-65535, got \"{}\"", *port));
            }
            cfg.port = static_cast<std::uint16_t>(*value);
        } else if (port->find('/') != std::string::npos) {
            std::string_view path = *port;
            if (path.starts_with("unix:")) {
                path.remove_prefix(5);
            }
            cfg.unix_path = std::string(path);
        } else {
            throw ConfigError("PORT",
                              fmt::format("expected a port number 0-65535 or a Unix socket path, got \"{}\"", *port));
        }
    }
    if (auto host = lookup(getenv, "HOST")) {
        // The listener binds an IP literal; "localhost" is the one name worth accepting.
        std::string value(trim(*host));
        if (value == "localhost") {
            value = "127.0.0.1";
        }
        boost::system::error_code ec;
        boost::asio::ip::make_address(value, ec);
        if (ec) {
            throw ConfigError(
                "HOST", fmt::format("expected an IP address such as 127.0.0.1, 0.0.0.0 or ::, got \"{}\"", *host));
        }
        cfg.host = std::move(value);
    }

    if (auto id = lookup(getenv, "INSTANCE_ID")) {
        cfg.instance_id = *id;
    } else {
        cfg.instance_id = core::IdGenerator().next();
    }

    // Redis: REDIS_URL wins over REDIS_HOST/REDIS_PORT. Each is validated when set, even if
    // it ends up unused, so that a typo never goes unnoticed.
    std::optional<std::uint16_t> env_port;
    if (auto raw = lookup(getenv, "REDIS_PORT")) {
        env_port = redis_port(*raw, "REDIS_PORT");
    }
    auto env_password = lookup(getenv, "REDIS_PASSWORD");
    if (auto url = lookup(getenv, "REDIS_URL")) {
        cfg.redis = parse_redis_url(*url);
        if (cfg.redis->password.empty() && env_password) {
            cfg.redis->password = *env_password;
        }
    } else if (auto host = lookup(getenv, "REDIS_HOST")) {
        RedisConfig redis;
        redis.host = *host;
        redis.port = env_port.value_or(6379);
        redis.password = env_password.value_or("");
        cfg.redis = std::move(redis);
    }

    cfg.threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, core::max_shards);
    if (auto raw = lookup(getenv, "THREADS")) {
        auto value = parse_unsigned(*raw, 1, core::max_shards);
        if (!value) {
            throw ConfigError("THREADS", fmt::format("expected an integer from 1 to {} (event loops), got \"{}\"",
                                                     core::max_shards, *raw));
        }
        cfg.threads = static_cast<std::size_t>(*value);
    }

    cfg.ping_interval = milliseconds_var(getenv, "PING_INTERVAL", cfg.ping_interval);
    cfg.ping_timeout = milliseconds_var(getenv, "PING_TIMEOUT", cfg.ping_timeout);
    cfg.connect_timeout = milliseconds_var(getenv, "CONNECT_TIMEOUT", cfg.connect_timeout);
    if (auto raw = lookup(getenv, "MAX_HTTP_BUFFER_SIZE")) {
        auto value = parse_unsigned(*raw, 1, std::numeric_limits<std::uint32_t>::max());
        if (!value) {
            throw ConfigError("MAX_HTTP_BUFFER_SIZE",
                              fmt::format("expected a positive integer (bytes), got \"{}\"", *raw));
        }
        cfg.max_http_buffer_size = static_cast<std::size_t>(*value);
    }

    if (auto raw = lookup(getenv, "CORS_ORIGINS")) {
        std::string_view rest = *raw;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto item = trim(rest.substr(0, comma));
            if (!item.empty()) {
                cfg.cors_origins.emplace_back(item);
            }
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }

    if (auto token = lookup(getenv, "API_TOKEN")) {
        cfg.api_token = *token;
    }
    cfg.connection_state_recovery = bool_var(getenv, "CONNECTION_STATE_RECOVERY", cfg.connection_state_recovery);
    cfg.recovery_max_disconnection =
        milliseconds_var(getenv, "RECOVERY_MAX_DISCONNECTION_MS", cfg.recovery_max_disconnection);
    cfg.allow_eio3 = bool_var(getenv, "ALLOW_EIO3", cfg.allow_eio3);
    if (auto raw = lookup(getenv, "PARSER")) {
        auto parser = lower(*raw);
        if (parser != "default" && parser != "msgpack") {
            throw ConfigError("PARSER", fmt::format("expected default or msgpack, got \"{}\"", *raw));
        }
        cfg.parser = parser;
    }

    if (auto raw = lookup(getenv, "LOG_LEVEL")) {
        auto level = lower(*raw);
        static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
        if (std::find(std::begin(kLevels), std::end(kLevels), level) == std::end(kLevels)) {
            throw ConfigError("LOG_LEVEL",
                              fmt::format("expected trace, debug, info, warn, error or off, got \"{}\"", *raw));
        }
        cfg.log_level = level;
    }
    return cfg;
}

}  // namespace sio::server
