#include "adapter/redis/channels.hpp"

namespace sio::adapter::redis {

namespace {

std::string join(std::string_view a, std::string_view b, std::string_view c, std::string_view d = {},
                 std::string_view e = {}, std::string_view f = {}) {
    std::string s;
    s.reserve(a.size() + b.size() + c.size() + d.size() + e.size() + f.size());
    s.append(a).append(b).append(c).append(d).append(e).append(f);
    return s;
}

}  // namespace

std::string broadcast_channel(std::string_view prefix, std::string_view nsp) {
    return join(prefix, "#", nsp, "#");
}

std::string room_channel(std::string_view prefix, std::string_view nsp, std::string_view room) {
    return join(prefix, "#", nsp, "#", room, "#");
}

std::string broadcast_pattern(std::string_view prefix, std::string_view nsp) {
    return join(prefix, "#", nsp, "#*");
}

std::string request_channel(std::string_view prefix, std::string_view nsp) {
    return join(prefix, "-request#", nsp, "#");
}

std::string response_channel(std::string_view prefix, std::string_view nsp) {
    return join(prefix, "-response#", nsp, "#");
}

std::string specific_response_channel(std::string_view prefix, std::string_view nsp, std::string_view uid) {
    return join(prefix, "-response#", nsp, "#", uid, "#");
}

std::string broadcast_publish_channel(std::string_view prefix, std::string_view nsp,
                                      const std::vector<std::string>& rooms) {
    if (rooms.empty()) return broadcast_channel(prefix, nsp);
    for (const auto& r : rooms)
        if (r != rooms.front()) return broadcast_channel(prefix, nsp);
    return room_channel(prefix, nsp, rooms.front());
}

std::optional<std::string> parse_broadcast_channel(std::string_view prefix, std::string_view nsp,
                                                   std::string_view channel) {
    const std::string base = broadcast_channel(prefix, nsp);
    if (!channel.starts_with(base)) return std::nullopt;
    if (channel.size() == base.size()) return std::string();
    // The psubscribe pattern K#N#* matches any suffix; Node drops the last character whatever
    // it is. Only a trailing '#' is a room channel this adapter itself would publish to.
    if (channel.back() != '#') return std::nullopt;
    return std::string(channel.substr(base.size(), channel.size() - base.size() - 1));
}

}  // namespace sio::adapter::redis
