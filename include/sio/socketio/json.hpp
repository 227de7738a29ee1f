#pragma once
// JSON text exactly as JavaScript reads and writes it (JSON.parse / JSON.stringify), so that the
// packets we emit are byte-identical to a Node server's and a relayed value survives unchanged.
// boost::json::serialize cannot be used on the wire: it prints 1.5 as "1.5E0". Boost 1.81's
// own parser is not correctly rounded either (about 1 in 10 Math.random() values comes back
// one ulp off), so parse_json re-reads every non-integer number with std::from_chars.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

namespace sio::socketio {

/** Deepest nesting parse_json accepts. JSON.parse has no fixed limit, but boost's default (32)
    would refuse ordinary payloads; the bound keeps the recursive walks (to_json, placeholder
    checks, value destruction) far from the stack limit on any thread. */
inline constexpr std::size_t max_json_depth = 1000;

/** JSON.stringify(v): no spaces, object keys in insertion order, strings escaped as V8 does
    (`"` `\\` \b \f \n \r \t, other controls as \u00XX lowercase; `/` and non-ASCII verbatim),
    integers verbatim, doubles in the JavaScript Number-to-String form (1.5, 100, 1e+21,
    1e-7), NaN and infinities as `null`. Bytes of a string are copied as they are (no UTF-8
    validation). Any thread. */
std::string to_json(const boost::json::value& v);

/** Same as above, appending to `out` (lets the encoder build a packet in one buffer). */
void to_json(std::string& out, const boost::json::value& v);

/** JSON.parse(text) for one whole document: surrounding whitespace allowed, anything else after
    the value is an error (`extra_data`). Integers that fit stay int64/uint64, all other numbers
    are correctly rounded doubles. Errors are boost::json error codes (syntax, incomplete,
    too_deep, ...); invalid UTF-8 and escaped lone surrogates are refused. Never throws. */
boost::system::result<boost::json::value> parse_json(std::string_view text) noexcept;

}  // namespace sio::socketio
