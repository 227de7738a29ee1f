#include "engineio/websocket_frame.hpp"

#include <cstring>

#include <boost/beast/websocket/detail/utf8_checker.hpp>

namespace sio::engineio::ws {

std::size_t header_size(std::size_t payload_size) noexcept {
    return payload_size < 126 ? 2 : payload_size <= 0xFFFF ? 4 : 10;
}

FrameHeader encode_header(Opcode opcode, std::size_t payload_size) noexcept {
    FrameHeader h;
    h.size = static_cast<std::uint8_t>(header_size(payload_size));
    h.bytes[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
    if (h.size == 2) {
        h.bytes[1] = static_cast<char>(payload_size);
    } else if (h.size == 4) {
        h.bytes[1] = 126;
        h.bytes[2] = static_cast<char>(payload_size >> 8);
        h.bytes[3] = static_cast<char>(payload_size & 0xFF);
    } else {
        h.bytes[1] = 127;
        auto n = static_cast<std::uint64_t>(payload_size);
        for (int i = 0; i < 8; ++i) h.bytes[2 + i] = static_cast<char>((n >> (56 - 8 * i)) & 0xFF);
    }
    return h;
}

std::string encode_control_frame(Opcode opcode, std::string_view payload) {
    if (payload.size() > 125) payload = payload.substr(0, 125);
    auto header = encode_header(opcode, payload.size());
    std::string frame(header.view());
    frame += payload;
    return frame;
}

std::string encode_close_frame(std::optional<CloseCode> code) {
    if (!code) return encode_control_frame(Opcode::close, {});
    auto value = static_cast<std::uint16_t>(*code);
    const char payload[2] = {static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)};
    return encode_control_frame(Opcode::close, std::string_view(payload, 2));
}

bool is_control(Opcode opcode) noexcept {
    return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

HeaderResult parse_header(std::string_view data, IncomingHeader& out) noexcept {
    if (data.size() < 2) return HeaderResult::need_more;
    auto b0 = static_cast<std::uint8_t>(data[0]);
    auto b1 = static_cast<std::uint8_t>(data[1]);
    if ((b0 & 0x70) != 0) return HeaderResult::protocol_error;  // RSV1-3: no extension agreed
    if ((b1 & 0x80) == 0) return HeaderResult::protocol_error;  // clients must mask
    out.fin = (b0 & 0x80) != 0;
    std::uint8_t op = b0 & 0x0F;
    switch (op) {
        case 0x0:
        case 0x1:
        case 0x2:
        case 0x8:
        case 0x9:
        case 0xA:
            out.opcode = static_cast<Opcode>(op);
            break;
        default:
            return HeaderResult::protocol_error;
    }
    std::uint64_t length = b1 & 0x7F;
    std::size_t pos = 2;
    if (length == 126) {
        if (data.size() < 4) return HeaderResult::need_more;
        length = (std::uint64_t{static_cast<std::uint8_t>(data[2])} << 8) | static_cast<std::uint8_t>(data[3]);
        pos = 4;
    } else if (length == 127) {
        if (data.size() < 10) return HeaderResult::need_more;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<std::uint8_t>(data[2 + i]);
        if (length >> 63) return HeaderResult::protocol_error;
        pos = 10;
    }
    if (is_control(out.opcode) && (!out.fin || length > 125)) return HeaderResult::protocol_error;
    if (data.size() < pos + 4) return HeaderResult::need_more;
    out.payload_size = length;
    std::memcpy(out.mask.data(), data.data() + pos, 4);
    out.header_size = pos + 4;
    return HeaderResult::complete;
}

void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask) noexcept {
    std::size_t i = 0;
    if (size >= 8) {
        // Eight bytes at a time: the key repeated twice, XORed as one word.
        std::uint64_t key;
        std::uint8_t key8[8];
        for (int k = 0; k < 8; ++k) key8[k] = mask[k % 4];
        std::memcpy(&key, key8, 8);
        for (; i + 8 <= size; i += 8) {
            std::uint64_t word;
            std::memcpy(&word, data + i, 8);
            word ^= key;
            std::memcpy(data + i, &word, 8);
        }
    }
    for (; i < size; ++i) data[i] = static_cast<char>(static_cast<std::uint8_t>(data[i]) ^ mask[i % 4]);
}

bool is_valid_close_code(std::uint16_t code) noexcept {
    if (code >= 1000 && code <= 1003) return true;
    if (code >= 1007 && code <= 1011) return true;
    return code >= 3000 && code <= 4999;
}

bool is_valid_utf8(std::string_view text) noexcept {
    return boost::beast::websocket::detail::check_utf8(text.data(), text.size());
}

}  // namespace sio::engineio::ws
