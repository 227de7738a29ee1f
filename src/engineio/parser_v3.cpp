#include <sio/engineio/parser_v3.hpp>

// engine.io-parser 2.x as engine.io 6 embeds it for protocol 3 (docs/protocol.md §1.14).
// Deliberate differences from Node, which is lenient where it cannot be exploited by a client
// of ours: a binary record whose length runs past the body, or a binary frame with an unknown
// type byte, is a parse error here (Node truncates the first and ignores the second).

#include <new>

#include <sio/core/base64.hpp>
#include <sio/engineio/error.hpp>

namespace sio::engineio::v3 {
namespace {

constexpr std::size_t max_length_digits = 10;  // far above any body we accept

bool is_type_digit(char c) noexcept {
    return c >= '0' && c <= '6';
}

/** Bytes taken by `units` UTF-16 code units at the start of `text`, or npos when the text is
    shorter or the last unit falls inside a character (half a surrogate pair). */
std::size_t bytes_for_units(std::string_view text, std::size_t units) noexcept {
    std::size_t pos = 0;
    while (units > 0) {
        if (pos >= text.size()) return std::string_view::npos;
        auto c = static_cast<unsigned char>(text[pos]);
        std::size_t len = 1;
        std::size_t width = 1;
        if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            width = 2;  // outside the BMP: a surrogate pair
        } else if (c >= 0xE0) {
            len = c <= 0xEF ? 3 : 1;
        } else if (c >= 0xC2) {
            len = 2;
        }
        // A truncated or malformed sequence: its lead byte counts alone (as a U+FFFD would).
        if (pos + len > text.size()) len = 1, width = 1;
        for (std::size_t i = 1; i < len; ++i) {
            if ((static_cast<unsigned char>(text[pos + i]) & 0xC0) != 0x80) {
                len = 1;
                width = 1;
                break;
            }
        }
        if (width > units) return std::string_view::npos;
        units -= width;
        pos += len;
    }
    return pos;
}

void append_length(std::string& out, std::size_t length, bool as_bytes) {
    std::string digits = std::to_string(length);
    if (as_bytes) {
        for (char& d : digits) d = static_cast<char>(d - '0');
    }
    out += digits;
}

}  // namespace

std::size_t utf16_length(std::string_view utf8) noexcept {
    std::size_t units = 0;
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        auto c = static_cast<unsigned char>(utf8[pos]);
        std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
        bool valid = pos + len <= utf8.size();
        for (std::size_t i = 1; valid && i < len; ++i) {
            valid = (static_cast<unsigned char>(utf8[pos + i]) & 0xC0) == 0x80;
        }
        if (!valid) len = 1;
        units += valid && len == 4 ? 2 : 1;
        pos += len;
    }
    return units;
}

boost::system::result<Packet> decode_packet(std::string_view text) noexcept {
    if (text.empty()) return make_error_code(error::parse_error);
    try {
        if (text.front() == 'b') {
            if (text.size() < 2 || !is_type_digit(text[1])) return make_error_code(error::parse_error);
            auto bytes = core::base64_decode(text.substr(2));
            if (!bytes) return make_error_code(error::parse_error);
            auto type = static_cast<PacketType>(text[1] - '0');
            return Packet{type, std::move(*bytes), type == PacketType::message};
        }
        if (!is_type_digit(text.front())) return make_error_code(error::parse_error);
        return Packet{static_cast<PacketType>(text.front() - '0'), std::string(text.substr(1)), false};
    } catch (const std::bad_alloc&) {
        return make_error_code(error::parse_error);
    }
}

boost::system::result<Packet> decode_binary_packet(std::string_view bytes) noexcept {
    if (bytes.empty() || static_cast<unsigned char>(bytes.front()) > 6) return make_error_code(error::parse_error);
    try {
        auto type = static_cast<PacketType>(bytes.front());
        return Packet{type, std::string(bytes.substr(1)), type == PacketType::message};
    } catch (const std::bad_alloc&) {
        return make_error_code(error::parse_error);
    }
}

DecodedPayload decode_payload(std::string_view body) noexcept {
    DecodedPayload out;
    try {
        if (body.empty()) {
            out.error = true;
            return out;
        }
        while (!body.empty()) {
            std::size_t colon = body.find(':');
            std::string_view digits = body.substr(0, colon);
            if (colon == std::string_view::npos || digits.empty() || digits.size() > max_length_digits) {
                out.error = true;
                return out;
            }
            std::size_t units = 0;
            for (char d : digits) {
                if (d < '0' || d > '9') {
                    out.error = true;
                    return out;
                }
                units = units * 10 + static_cast<std::size_t>(d - '0');
            }
            body.remove_prefix(colon + 1);
            std::size_t bytes = bytes_for_units(body, units);
            if (bytes == std::string_view::npos) {
                out.error = true;
                return out;
            }
            if (bytes > 0) {
                auto packet = decode_packet(body.substr(0, bytes));
                if (!packet) {
                    out.error = true;
                    return out;
                }
                out.packets.push_back(std::move(*packet));
            }
            body.remove_prefix(bytes);
        }
    } catch (const std::bad_alloc&) {
        out.error = true;
    }
    return out;
}

DecodedPayload decode_binary_payload(std::string_view body) noexcept {
    DecodedPayload out;
    try {
        while (!body.empty()) {
            const bool is_text = body.front() == 0;
            std::size_t pos = 1;
            std::size_t length = 0;
            while (pos < body.size() && static_cast<unsigned char>(body[pos]) != 255) {
                auto digit = static_cast<unsigned char>(body[pos]);
                if (digit > 9 || pos > max_length_digits) {
                    out.error = true;
                    return out;
                }
                length = length * 10 + digit;
                ++pos;
            }
            if (pos == 1 || pos >= body.size() || body.size() - pos - 1 < length) {
                out.error = true;
                return out;
            }
            std::string_view record = body.substr(pos + 1, length);
            auto packet = is_text ? decode_packet(record) : decode_binary_packet(record);
            if (!packet) {
                out.error = true;
                return out;
            }
            out.packets.push_back(std::move(*packet));
            body.remove_prefix(pos + 1 + length);
        }
    } catch (const std::bad_alloc&) {
        out.error = true;
    }
    return out;
}

void append_text_record(std::string& payload, std::string_view packet) {
    append_length(payload, utf16_length(packet), false);
    payload += ':';
    payload += packet;
}

void append_text_record(std::string& payload, const Frame& frame) {
    if (!frame.binary) return append_text_record(payload, std::string_view(frame.bytes));
    std::string encoded = core::base64_encode(frame.bytes);
    append_length(payload, encoded.size() + 2, false);
    payload += ":b4";
    payload += encoded;
}

void append_binary_record(std::string& payload, std::string_view text_packet) {
    payload += '\0';
    append_length(payload, text_packet.size(), true);
    payload += '\xff';
    payload += text_packet;
}

void append_binary_record(std::string& payload, const Frame& frame) {
    if (!frame.binary) return append_binary_record(payload, std::string_view(frame.bytes));
    payload += '\x01';
    append_length(payload, frame.bytes.size() + 1, true);
    payload += '\xff';
    payload += '\x04';
    payload += frame.bytes;
}

SharedFrame websocket_frame(const SharedFrame& frame, bool base64) {
    if (!frame->binary) return frame;
    if (base64) return make_text_frame("b4" + core::base64_encode(frame->bytes));
    std::string bytes;
    bytes.reserve(frame->bytes.size() + 1);
    bytes += '\x04';
    bytes += frame->bytes;
    return make_binary_frame(std::move(bytes));
}

}  // namespace sio::engineio::v3
