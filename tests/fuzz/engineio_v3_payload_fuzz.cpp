// Fuzz target: an Engine.IO protocol 3 polling body, as text records (`<len>:<packet>`) and as
// an XHR2 binary payload, and a single WebSocket frame of either kind. Any input must decode to
// packets or to an error, never crash; what decodes must decode the same once encoded again.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <sio/engineio/parser_v3.hpp>

namespace {

namespace v3 = sio::engineio::v3;

/** The frame the server would send for `packet`. */
sio::engineio::Frame frame_of(const sio::engineio::Packet& packet) {
    if (packet.binary) return sio::engineio::Frame{packet.data, true};
    return sio::engineio::Frame{std::string(1, static_cast<char>('0' + static_cast<int>(packet.type))) + packet.data,
                                false};
}

void check_round_trip(const v3::DecodedPayload& decoded) {
    std::string text;
    std::string binary;
    for (const auto& packet : decoded.packets) {
        auto frame = frame_of(packet);
        v3::append_text_record(text, frame);
        v3::append_binary_record(binary, frame);
    }
    if (decoded.packets.empty()) return;
    auto from_text = v3::decode_payload(text);
    auto from_binary = v3::decode_binary_payload(binary);
    if (from_text.error || from_text.packets != decoded.packets) std::abort();
    if (from_binary.error || from_binary.packets != decoded.packets) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    check_round_trip(v3::decode_payload(input));
    check_round_trip(v3::decode_binary_payload(input));
    (void)v3::decode_packet(input);
    (void)v3::decode_binary_packet(input);
    (void)v3::utf16_length(input);
    return 0;
}
