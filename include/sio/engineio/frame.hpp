#pragma once
// An encoded Engine.IO message (docs/protocol.md §1.4), shared by every recipient of a broadcast.

#include <memory>
#include <string>

namespace sio::engineio {

/** One Engine.IO packet as it goes on a WebSocket: for text packets `bytes` holds the type
    digit followed by the data (`42["a"]`, `2`, `3probe`); for binary packets it holds the raw
    payload with no prefix. Long-polling re-encodes binary as `b<base64>` when it flushes. */
struct Frame {
    std::string bytes;
    bool binary = false;
};

/** Immutable and shared: a broadcast encodes once and hands the same frame to N sessions. */
using SharedFrame = std::shared_ptr<const Frame>;

inline SharedFrame make_text_frame(std::string bytes) {
    return std::make_shared<const Frame>(Frame{std::move(bytes), false});
}
inline SharedFrame make_binary_frame(std::string bytes) {
    return std::make_shared<const Frame>(Frame{std::move(bytes), true});
}

}  // namespace sio::engineio
