#include <sio/core/id_generator.hpp>

#include <array>

#include <sio/core/base64.hpp>

namespace sio::core {
namespace {

/** Index of `c` in the base64url alphabet, or -1. */
int base64url_index(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

}  // namespace

IdGenerator::IdGenerator(std::size_t shard, std::size_t shard_count)
    : rng_(std::random_device{}()),
      shard_(static_cast<std::uint8_t>(shard)),
      shard_count_(static_cast<std::uint8_t>(shard_count == 0 ? 1 : shard_count)) {}

std::string IdGenerator::next() {
    std::array<char, 15> raw{};
    for (std::size_t i = 0; i < 12; i += 8) {
        std::uint64_t r = rng_();
        for (std::size_t j = 0; j < 8 && i + j < 12; ++j) {
            raw[i + j] = static_cast<char>((r >> (8 * j)) & 0xff);
        }
    }
    // The first character (the top 6 bits of the first byte) names the shard: shard + count *
    // r for a random r that keeps it below 64. With one shard this is any character.
    auto first = static_cast<unsigned char>(raw[0]);
    unsigned choices = static_cast<unsigned>(max_shards) / shard_count_;
    unsigned index = shard_ + shard_count_ * ((first >> 2) % choices);
    raw[0] = static_cast<char>((index << 2) | (first & 0x03));
    // The counter makes ids unique within a process even if the generator repeats.
    std::uint32_t c = counter_++;
    raw[12] = static_cast<char>((c >> 16) & 0xff);
    raw[13] = static_cast<char>((c >> 8) & 0xff);
    raw[14] = static_cast<char>(c & 0xff);
    return base64url_encode(std::string_view(raw.data(), raw.size()));
}

std::optional<std::size_t> shard_of(std::string_view id, std::size_t shard_count) noexcept {
    if (id.empty() || shard_count == 0) return std::nullopt;
    int index = base64url_index(id.front());
    if (index < 0) return std::nullopt;
    return static_cast<std::size_t>(index) % shard_count;
}

}  // namespace sio::core
