#pragma once
// RFC 6455 framing, the pure part: frame headers as a server writes them (unmasked), frame
// headers as clients send them (masked, checked against the rules a server must enforce),
// unmasking, close frames, and UTF-8 validation of text messages. No sockets, no state:
// WebSocketTransport drives it, and the unit tests exercise it byte by byte.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sio::engineio::ws {

enum class Opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

/** Close codes we send (RFC 6455 §7.4.1). */
enum class CloseCode : std::uint16_t {
    normal = 1000,
    protocol_error = 1002,
    invalid_payload = 1007,  // a text message that is not UTF-8
    message_too_big = 1009,
};

/** The header of an unmasked frame with FIN set: 2, 4 or 10 bytes. */
struct FrameHeader {
    std::array<char, 10> bytes;  // not zeroed: the writer builds many per write
    std::uint8_t size = 0;
    std::string_view view() const noexcept { return {bytes.data(), size}; }
};
FrameHeader encode_header(Opcode opcode, std::size_t payload_size) noexcept;
/** The size of that header: 2, 4 or 10 bytes (7-bit, 16-bit or 64-bit length). */
std::size_t header_size(std::size_t payload_size) noexcept;

/** A whole control frame (close, ping, pong) with its payload (at most 125 bytes). */
std::string encode_control_frame(Opcode opcode, std::string_view payload);
/** A close frame carrying `code` (no reason); with no code, an empty close frame (the peer
    sees 1005, "no status received", as with Node's `ws` for an Engine.IO close). */
std::string encode_close_frame(std::optional<CloseCode> code);

/** A client frame header as read from the wire. */
struct IncomingHeader {
    bool fin = false;
    Opcode opcode = Opcode::continuation;
    std::uint64_t payload_size = 0;
    std::array<std::uint8_t, 4> mask{};
    std::size_t header_size = 0;  // bytes before the payload, mask key included
};

enum class HeaderResult { complete, need_more, protocol_error };

/** Reads the header at the start of `data`. protocol_error for: reserved bits set (we
    negotiate no extension), an unmasked client frame, an unknown opcode, a fragmented or
    oversized (> 125 bytes) control frame, a 64-bit length with the top bit set. Whether a
    continuation is expected is the caller's business. */
HeaderResult parse_header(std::string_view data, IncomingHeader& out) noexcept;

/** XORs `size` bytes at `data` with the mask key (in place). */
void unmask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask) noexcept;

bool is_control(Opcode opcode) noexcept;

/** True if a close code received from a client is one a peer may send (1000-1003,
    1007-1011, 3000-4999). */
bool is_valid_close_code(std::uint16_t code) noexcept;

/** Strict UTF-8, as RFC 6455 requires for text messages and close reasons (Beast's checker:
    no overlongs, no surrogates, nothing above U+10FFFF). */
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace sio::engineio::ws
