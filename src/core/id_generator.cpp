#include <sio/core/id_generator.hpp>

#include <array>

#include <sio/core/base64.hpp>

namespace sio::core {

IdGenerator::IdGenerator() : rng_(std::random_device{}()) {}

std::string IdGenerator::next() {
    std::array<char, 15> raw{};
    for (std::size_t i = 0; i < 12; i += 8) {
        std::uint64_t r = rng_();
        for (std::size_t j = 0; j < 8 && i + j < 12; ++j) {
            raw[i + j] = static_cast<char>((r >> (8 * j)) & 0xff);
        }
    }
    // The counter makes ids unique within a process even if the generator repeats.
    std::uint32_t c = counter_++;
    raw[12] = static_cast<char>((c >> 16) & 0xff);
    raw[13] = static_cast<char>((c >> 8) & 0xff);
    raw[14] = static_cast<char>(c & 0xff);
    return base64url_encode(std::string_view(raw.data(), raw.size()));
}

}  // namespace sio::core
