#pragma once
// Pure Engine.IO v4 codec: no I/O, no state (docs/protocol.md §1.4).

#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/packet.hpp>

namespace sio::engineio {

/** Decodes one text packet (a WebSocket text frame or one polling record). A record starting
    with `b` is a base64 binary message. Errors (`parse_error`): empty input, a first character
    that is not `0`-`6` or `b`, invalid base64. */
boost::system::result<Packet> decode_packet(std::string_view text) noexcept;

/** Splits a polling POST body on `\x1e` and decodes each record. Stops at the first bad record
    and returns its error; an empty body is an error. */
boost::system::result<std::vector<Packet>> decode_payload(std::string_view body) noexcept;

/** The WebSocket form of a packet: `<digit><data>` for text, the raw bytes for binary. */
engineio::SharedFrame encode_frame(const Packet& packet);

/** Appends `frame` to a polling payload under construction: records joined by `\x1e`, binary
    frames written as `b<base64>`. */
void append_to_payload(std::string& payload, const engineio::Frame& frame);

}  // namespace sio::engineio
