#include <sio/engineio/parser.hpp>

// engine.io-parser 5.2 (protocol v4) for the server side: one ASCII digit per text packet,
// `b<base64>` for binary over text transports, `\x1e` between the records of a polling payload.

#include <sio/core/base64.hpp>
#include <sio/engineio/error.hpp>

namespace sio::engineio {
namespace {

constexpr char record_separator = '\x1e';

}  // namespace

boost::system::result<Packet> decode_packet(std::string_view text) noexcept {
    if (text.empty()) return make_error_code(error::parse_error);
    const char first = text.front();
    try {
        if (first == 'b') {
            auto bytes = core::base64_decode(text.substr(1));
            if (!bytes) return make_error_code(error::parse_error);
            return Packet{PacketType::message, std::move(*bytes), true};
        }
        if (first < '0' || first > '6') return make_error_code(error::parse_error);
        return Packet{static_cast<PacketType>(first - '0'), std::string(text.substr(1)), false};
    } catch (const std::bad_alloc&) {
        return make_error_code(error::parse_error);
    }
}

boost::system::result<std::vector<Packet>> decode_payload(std::string_view body) noexcept {
    try {
        std::vector<Packet> packets;
        for (;;) {
            auto end = body.find(record_separator);
            auto packet = decode_packet(body.substr(0, end));
            if (!packet) return packet.error();
            packets.push_back(std::move(*packet));
            if (end == std::string_view::npos) break;
            body.remove_prefix(end + 1);
        }
        return packets;
    } catch (const std::bad_alloc&) {
        return make_error_code(error::parse_error);
    }
}

engineio::SharedFrame encode_frame(const Packet& packet) {
    if (packet.binary) return engineio::make_binary_frame(packet.data);
    std::string bytes;
    bytes.reserve(packet.data.size() + 1);
    bytes += static_cast<char>('0' + static_cast<int>(packet.type));
    bytes += packet.data;
    return engineio::make_text_frame(std::move(bytes));
}

void append_to_payload(std::string& payload, const engineio::Frame& frame) {
    if (!payload.empty()) payload += record_separator;
    if (frame.binary) {
        payload += 'b';
        payload += core::base64_encode(frame.bytes);
    } else {
        payload += frame.bytes;
    }
}

}  // namespace sio::engineio
