#include <sio/adapter/redis_options.hpp>

// The error category of the Redis client layer and the redis:// URL parser (Boost.URL).

#include <charconv>
#include <string>

#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace sio::adapter {
namespace {

// boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through it); -Wnon-virtual-dtor does not know that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.redis"; }
    std::string message(int ev) const override {
        switch (static_cast<redis_error>(ev)) {
            case redis_error::invalid_url:
                return "invalid redis URL (expected redis://[[user]:password@]host[:port][/db])";
            case redis_error::unsupported_scheme:
                return "unsupported redis URL scheme (only redis:// is supported; no TLS)";
            case redis_error::missing_host:
                return "redis URL has no host";
            case redis_error::bad_port:
                return "redis URL port must be a number from 1 to 65535";
            case redis_error::bad_db:
                return "redis URL database must be /<non-negative integer>";
            case redis_error::missing_password:
                return "redis URL has a user name but no password";
            case redis_error::connect_timeout:
                return "redis connect timed out";
            case redis_error::command_timeout:
                return "redis command timed out";
            case redis_error::not_connected:
                return "redis not connected";
            case redis_error::connection_closed:
                return "redis closed the connection";
            case redis_error::protocol_error:
                return "redis protocol error";
            case redis_error::server_error:
                return "redis error reply";
            case redis_error::auth_failed:
                return "redis AUTH failed";
            case redis_error::select_failed:
                return "redis SELECT failed";
            case redis_error::closed:
                return "redis connection closed locally";
            case redis_error::backpressure:
                return "redis output buffer full";
            case redis_error::startup_timeout:
                return "redis unreachable at startup";
        }
        return "unknown redis error";
    }
};
#pragma GCC diagnostic pop

// Non-negative decimal integer, nothing else (no sign, no spaces).
template <typename Int>
bool parse_uint(std::string_view s, Int& out) {
    if (s.empty() || s.front() < '0' || s.front() > '9') {
        return false;
    }
    const auto* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc{} && ptr == end;
}

// Boost.URL rejects a non-numeric port as a generic syntax error (and 1.81 even accepts
// "[::1]:x" as host + empty port + path "x"); find that case first so the user gets "bad port".
bool has_non_numeric_port(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return false;
    }
    auto authority = url.substr(scheme_end + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority = authority.substr(at + 1);
    }
    if (auto bracket = authority.rfind(']'); bracket != std::string_view::npos) {
        authority = authority.substr(bracket + 1);  // IPv6 literal: the port follows ']'
    }
    auto colon = authority.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    auto port = authority.substr(colon + 1);
    return port.find_first_not_of("0123456789") != std::string_view::npos;
}

}  // namespace

const boost::system::error_category& redis_category() noexcept {
    static const Category category;
    return category;
}

boost::system::error_code make_error_code(redis_error e) noexcept {
    return {static_cast<int>(e), redis_category()};
}

boost::system::result<RedisOptions> parse_redis_url(std::string_view url) {
    if (has_non_numeric_port(url)) {
        return make_error_code(redis_error::bad_port);
    }
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return make_error_code(redis_error::invalid_url);
    }
    const boost::urls::url_view& u = *parsed;
    if (!boost::urls::grammar::ci_is_equal(u.scheme(), "redis")) {  // schemes are case-insensitive
        return make_error_code(redis_error::unsupported_scheme);
    }
    RedisOptions opts;
    if (!u.has_authority() || u.host_address().empty()) {
        return make_error_code(redis_error::missing_host);
    }
    opts.host = u.host_address();  // decoded, IPv6 without brackets
    if (u.has_port() && !u.port().empty()) {
        unsigned port = 0;
        if (!parse_uint(u.port(), port) || port == 0 || port > 65535) {
            return make_error_code(redis_error::bad_port);
        }
        opts.port = static_cast<unsigned short>(port);
    }
    if (u.has_userinfo()) {
        opts.username = u.user();  // percent-decoded
        if (u.has_password()) {
            opts.password = u.password();
        }
        if (!opts.username.empty() && opts.password.empty()) {
            return make_error_code(redis_error::missing_password);
        }
    }
    std::string_view path = u.encoded_path();
    if (!path.empty() && path != "/") {
        int db = 0;
        if (path.front() != '/' || !parse_uint(path.substr(1), db)) {
            return make_error_code(redis_error::bad_db);
        }
        opts.db = db;
    }
    return opts;
}

}  // namespace sio::adapter
