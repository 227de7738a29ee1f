// Fuzz target: the Socket.IO decoder fed a sequence of text and binary messages (the first
// byte of each record chooses which, records split on 0xff). Decoded packets are re-encoded.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <sio/socketio/parser.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    sio::socketio::Decoder decoder;
    while (!input.empty()) {
        auto end = input.find('\xff');
        auto record = input.substr(0, end);
        input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
        if (record.empty()) continue;
        bool binary = (static_cast<unsigned char>(record.front()) & 1) != 0;
        record.remove_prefix(1);
        auto result = binary ? decoder.feed_binary(record) : decoder.feed_text(record);
        if (!result) {
            decoder = sio::socketio::Decoder{};
            continue;
        }
        if (*result) (void)sio::socketio::encode(**result);
    }
    return 0;
}
