#pragma once
// Redis channel names of @socket.io/redis-adapter 8.3.0 (classic Pub/Sub, docs/protocol.md §4.1).
// `prefix` is the adapter's `key` option (default "socket.io"), `nsp` the namespace name as
// the server knows it ("/", "/chat"). Names are plain concatenations: nothing is escaped, so a
// room containing '#' yields the same (ambiguous) channel Node would use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::adapter::redis {

inline constexpr std::string_view default_key_prefix = "socket.io";

/** `K#N#`: broadcasts to everyone or to several rooms. */
std::string broadcast_channel(std::string_view prefix, std::string_view nsp);

/** `K#N#room#`: broadcasts to exactly one room. */
std::string room_channel(std::string_view prefix, std::string_view nsp, std::string_view room);

/** `K#N#*`: the PSUBSCRIBE pattern (it matches the bare broadcast channel too). */
std::string broadcast_pattern(std::string_view prefix, std::string_view nsp);

/** `K-request#N#`: every request type. Its NUMSUB is the server count. */
std::string request_channel(std::string_view prefix, std::string_view nsp);

/** `K-response#N#`: responses (default). */
std::string response_channel(std::string_view prefix, std::string_view nsp);

/** `K-response#N#uid#`: responses of servers running with publishOnSpecificResponseChannel. */
std::string specific_response_channel(std::string_view prefix, std::string_view nsp, std::string_view uid);

/** Where Node publishes a broadcast: the room channel when `rooms` holds exactly one distinct
    room (Node dedups through a Set), the broadcast channel otherwise. */
std::string broadcast_publish_channel(std::string_view prefix, std::string_view nsp,
                                      const std::vector<std::string>& rooms);

/** Node's onmessage check: nullopt unless `channel` starts with `K#N#` and ends with `#`
    (or is exactly `K#N#`); otherwise the room between them, empty for the broadcast channel.
    Node takes `channel.slice(prefix.length, -1)`: for `K#N#a#b#` the room is `a#b`. */
std::optional<std::string> parse_broadcast_channel(std::string_view prefix, std::string_view nsp,
                                                   std::string_view channel);

}  // namespace sio::adapter::redis
