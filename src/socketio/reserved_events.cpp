#include <sio/socketio/reserved_events.hpp>

#include <algorithm>
#include <array>

namespace sio::socketio {

bool is_reserved_event(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 6> reserved{"connect",       "connect_error", "disconnect",
                                                              "disconnecting", "newListener",   "removeListener"};
    return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
}

bool is_reserved_server_side_event(std::string_view name) noexcept {
    return name == "connect" || name == "connection" || name == "new_namespace";
}

}  // namespace sio::socketio
