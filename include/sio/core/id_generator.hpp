#pragma once
// Engine.IO session ids, Socket.IO socket ids and recovery pids, shaped as the Node reference's:
// 12 random bytes + the low 3 bytes of a counter, base64url -> exactly 20 characters.
//
// With shards, the first character also says which shard made the id: its alphabet index is
// shard + count * r (r random), so shard_of(id, count) is that index modulo count. A request
// carrying an id can then be sent to the loop that owns it without any shared table.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace sio::core {

/** Not thread-safe: one generator per event loop (no global state). */
class IdGenerator {
public:
    /** Ids of shard `shard` out of `shard_count` (1: untagged, every first character). */
    explicit IdGenerator(std::size_t shard = 0, std::size_t shard_count = 1);
    /** A fresh 20-character id from [A-Za-z0-9_-]. */
    std::string next();

private:
    std::mt19937_64 rng_;
    std::uint32_t counter_ = 0;
    std::uint8_t shard_;
    std::uint8_t shard_count_;
};

/** Most shards an id can name (the 64 values of its first character). */
inline constexpr std::size_t max_shards = 64;

/** The shard (of `shard_count`) that made `id`; nullopt when the first character is not
    base64url (not one of our ids). */
std::optional<std::size_t> shard_of(std::string_view id, std::size_t shard_count) noexcept;

}  // namespace sio::core
