#pragma once
// Standard base64 (RFC 4648 §4, with padding) for long-polling binary packets, and the
// url-safe variant used by identifiers.

#include <optional>
#include <string>
#include <string_view>

namespace sio::core {

/** Standard alphabet with `=` padding: bytes 01 02 03 04 -> "AQIDBA==". */
std::string base64_encode(std::string_view bytes);

/** Decodes the standard alphabet; padding optional. nullopt on any invalid character. */
std::optional<std::string> base64_decode(std::string_view text);

/** `-`/`_` alphabet, no padding (Engine.IO ids: 15 bytes -> 20 chars). */
std::string base64url_encode(std::string_view bytes);

}  // namespace sio::core
