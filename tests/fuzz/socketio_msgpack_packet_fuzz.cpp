// Fuzz target: the msgpack parser's decoder (socket.io-msgpack-parser's format) fed one binary
// message, the whole input; a decoded packet is re-encoded and decoded again, and must read
// back as the same packet.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <sio/socketio/msgpack_parser.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto& parser = sio::socketio::msgpack_parser();
    auto decoder = parser->make_decoder(10);
    auto result = decoder->feed_binary(input);
    if (!result || !*result) return 0;
    auto frames = parser->encode_frames(**result);
    if (frames.size() != 1) return 0;  // unencodable (deeper than the encoder's limit)
    auto again = decoder->feed_binary(frames[0]->bytes);
    if (!again || !*again || (*again)->type != (*result)->type || (*again)->nsp != (*result)->nsp ||
        (*again)->id != (*result)->id)
        std::abort();
    return 0;
}
