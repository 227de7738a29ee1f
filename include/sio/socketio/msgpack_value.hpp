#pragma once
// MessagePack exactly as notepack.io writes and reads it (docs/protocol.md §4.2), mapped onto
// the JSON model the rest of sio uses: a boost::json::value in which each binary value is a
// placeholder `{"_placeholder":true,"num":N}` standing for `attachments[N]` (see Packet).
//
// Why a hand-written codec and not msgpack-cxx's packer/unpacker: msgpack-cxx 4.1.3 does pick
// the same string formats as notepack (fixstr, str8 `d9`, str16, str32), but
//  * notepack is a JavaScript codec: every number is a double, so an integral double must be
//    written as the smallest int (1.0 -> `01`, -0 -> `00`, 1e21 -> `cf` modulo 2^64) and a
//    decoded int above 2^53 must become the double JavaScript holds;
//  * decoding has notepack/JavaScript quirks to mirror (timestamp ext -1 -> Date -> ISO string,
//    ext type 0 -> ArrayBuffer, fixext1 type 0 -> undefined, array-index keys first, invalid
//    UTF-8 -> U+FFFD, `__proto__` keys dropped);
//  * input comes from the network: the unpacker must not throw, must not preallocate from a
//    declared (hostile) length, and must bound the nesting depth; errors are values here.
// Converting msgpack-cxx's object tree would have been as long as decoding directly.
//
// One copy for two users: the msgpack parser (msgpack_parser.hpp, socket.io-msgpack-parser's
// packets) and, a layer up, the Redis adapter's wire format (@socket.io/redis-adapter).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace sio::socketio {

/** Errors of the msgpack codec. */
enum class msgpack_errc {
    truncated = 1,          // msgpack: the input ends inside a value
    trailing_bytes,         // msgpack: bytes left after the top-level value (notepack throws too)
    invalid_format,         // msgpack: byte 0xc1 (never used)
    too_deep,               // msgpack: nesting deeper than max_msgpack_depth
    bad_key,                // msgpack: a map key that is neither a string nor an integer
    placeholder_collision,  // msgpack: a map that reads as a placeholder object (unrepresentable)
    bad_placeholder,        // encode: placeholder `num` outside the attachments
    too_large,              // encode: a string, binary, array or map of 2^32 or more
};

const boost::system::error_category& msgpack_category() noexcept;
boost::system::error_code make_error_code(msgpack_errc e) noexcept;

/** Deepest nesting decode_msgpack accepts (arrays/maps/ext wrappers), same bound as parse_json. */
inline constexpr std::size_t max_msgpack_depth = 1000;

/** notepack.encode(v), appended to `out`: smallest int form for integers and integral doubles
    (as notepack's `Math.floor(x) === x` path: -0 -> `00`, values >= 2^64 or < -2^63 wrap
    modulo 2^64), `cb` float64 for other doubles (NaN, infinities included, never float32),
    fixstr/str8/str16/str32, fixarray/array16/array32, fixmap/map16/map32 in the object's key
    order, and each placeholder object as `bin` (bin8/16/32) of attachments[num]. Strings are
    copied as bytes. Errors: bad_placeholder, too_large, too_deep (deeper than
    max_msgpack_depth), not_enough_memory; `out` is then unspecified. Never throws. */
boost::system::error_code encode_msgpack(std::string& out, const boost::json::value& v,
                                         std::span<const std::string> attachments = {});

/** The string `s` as notepack writes it (fixstr/str8/str16/str32, bytes copied), appended to
    `out`; for callers that build a map around encoded values. Errors: too_large,
    not_enough_memory. Never throws. */
boost::system::error_code encode_msgpack_str(std::string& out, std::string_view s);

/** Same, into a new string. */
boost::system::result<std::string> encode_msgpack(const boost::json::value& v,
                                                  std::span<const std::string> attachments = {});

/** notepack.decode(bytes) followed by what JSON.stringify / socket.io-parser would make of it:
    - every int width and float32/float64 become JS numbers: integers with |n| <= 2^53
      (and integral floats in that range) as int64, everything else as double;
    - bin8/16/32 and ext8/16/32 of type 0 (notepack's legacy ArrayBuffer) -> a placeholder,
      the bytes appended to `attachments` (numbering continues after what `attachments` holds);
    - timestamp ext -1 (`d6 ff`, `d7 ff`, `c7 0c ff`) and the legacy date `d7 00` -> the
      string JSON.stringify(date) gives (`2023-11-14T22:13:20.123Z`, `+275760-...` outside
      years 0..9999), or null for an invalid Date (beyond +-8.64e15 ms);
    - other ext -> `[type, <placeholder>]`; `d4 00 xx` (undefined) -> null in arrays and at the
      top, the member omitted in maps;
    - strings: invalid UTF-8 replaced by U+FFFD as Buffer#toString does;
    - maps -> objects with JS property order (array-index keys ascending first, then insertion
      order, a duplicate key keeps its first position and last value), integer keys as their
      decimal text, `__proto__` members dropped (JS assigns the prototype instead).
    Errors (never throws): truncated, trailing_bytes, invalid_format, too_deep, bad_key,
    placeholder_collision (a map that would read back as a placeholder), not_enough_memory.
    On error `attachments` may have grown. */
boost::system::result<boost::json::value> decode_msgpack(std::string_view bytes,
                                                         std::vector<std::string>& attachments) noexcept;

/** JSON.stringify(new Date(ms)) for a time value: the ISO form, or nullopt-like empty string
    when |ms| > 8.64e15 or not finite (JSON.stringify then writes null). Exposed for tests. */
std::string js_date_iso_string(double ms);

}  // namespace sio::socketio

template <>
struct boost::system::is_error_code_enum<sio::socketio::msgpack_errc> : std::true_type {};
