#include <sio/core/log.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace sio::core {

std::shared_ptr<spdlog::logger> logger(std::string_view name) {
    std::string key(name);
    if (auto existing = spdlog::get(key)) {
        return existing;
    }
    // Logs go to stderr so stdout stays free for tools that print results there.
    auto created = spdlog::stderr_color_mt(key);
    created->set_level(spdlog::get_level());
    created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
    return created;
}

bool set_log_level(std::string_view level) {
    auto parsed = spdlog::level::from_str(std::string(level));
    // from_str answers `off` for unknown names; accept `off` only when asked for.
    if (parsed == spdlog::level::off && level != "off") {
        return false;
    }
    spdlog::set_level(parsed);
    return true;
}

}  // namespace sio::core
