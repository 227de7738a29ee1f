// Fuzz target: an Engine.IO polling body (\x1e-separated packets, b<base64> binary) and a
// single WebSocket text frame. Any input must decode to packets or to an error, never crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <sio/engineio/parser.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    if (auto packets = sio::engineio::decode_payload(input)) {
        std::string payload;
        for (const auto& packet : *packets) {
            sio::engineio::append_to_payload(payload, *sio::engineio::encode_frame(packet));
        }
    }
    (void)sio::engineio::decode_packet(input);
    return 0;
}
