#include <sio/facade/options.hpp>

namespace sio {

socketio::ErrorCode ServerOptions::set_redis_url(std::string_view url) {
    auto parsed = adapter::parse_redis_url(url);
    if (!parsed) return parsed.error();
    redis = std::move(*parsed);
    return {};
}

}  // namespace sio
