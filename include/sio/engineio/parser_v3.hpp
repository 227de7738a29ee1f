#pragma once
// Pure Engine.IO protocol 3 codec (engine.io-parser 2.x, which engine.io 6 still embeds for
// allowEIO3), server side: docs/protocol.md §1.14. No I/O, no state.
//
//  * packet: the type digit then the data, as in v4; binary over text is `b<type digit><base64>`
//    (`b4AQID`), over WebSocket a binary frame whose first byte is the type (04 01 02 03);
//  * text payload: records `<length>:<packet>` one after the other, the length counted in
//    UTF-16 code units as JavaScript strings are (`13:42["héllo😀"]1:6`);
//  * binary payload (XHR2, Content-Type application/octet-stream): per record a 0 (text) or 1
//    (binary) byte, the decimal digits of the length as bytes 0-9, a 255 byte, then the record
//    (text: the UTF-8 packet; binary: the type byte and the bytes).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/packet.hpp>

namespace sio::engineio::v3 {

/** Packets decoded from a payload, in order, up to the first bad record. `error`: a bad record
    stopped decoding (engine.io delivers the packets before it, then closes with `parse error`). */
struct DecodedPayload {
    std::vector<Packet> packets;
    bool error = false;
};

/** One text packet: `<digit 0-6>[data]`, or `b<digit><base64>` (binary; only a `4` gives a
    binary message, another digit gives that packet type with the decoded bytes as data). */
boost::system::result<Packet> decode_packet(std::string_view text) noexcept;

/** A WebSocket binary frame: the type byte, then the data. Empty or an unknown type: error. */
boost::system::result<Packet> decode_binary_packet(std::string_view bytes) noexcept;

/** A text polling body. An empty body, a non-numeric length, a length running past the end
    (or into the middle of a UTF-8 character) or a bad packet is an error. `0:` records are
    skipped. */
DecodedPayload decode_payload(std::string_view body) noexcept;

/** An `application/octet-stream` polling body. Errors: a length that is missing, longer than
    10 digits or runs past the end, a bad packet. */
DecodedPayload decode_binary_payload(std::string_view body) noexcept;

/** The number of UTF-16 code units of UTF-8 text (JavaScript's `length`). Bytes that start no
    valid sequence count one each. */
std::size_t utf16_length(std::string_view utf8) noexcept;

/** Appends one record `<length>:<packet>` to a text payload; a binary frame is written as
    `b4<base64>`. */
void append_text_record(std::string& payload, const Frame& frame);
/** The same for a control packet given as text (`6`, `1`, `0{...}`). */
void append_text_record(std::string& payload, std::string_view packet);

/** Appends one record to a binary (XHR2) payload. */
void append_binary_record(std::string& payload, const Frame& frame);
void append_binary_record(std::string& payload, std::string_view text_packet);

/** What a binary message becomes on a v3 WebSocket: a binary frame with the `4` type byte, or,
    when the client asked for base64 (`b64=1`), the text frame `b4<base64>`. Text frames are
    the same in both revisions. */
SharedFrame websocket_frame(const SharedFrame& frame, bool base64);

}  // namespace sio::engineio::v3
