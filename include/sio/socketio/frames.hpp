#pragma once
// A Socket.IO packet as the Engine.IO messages that carry it, encoded once and shared by every
// recipient (a broadcast, a recovery log entry, one socket's emit).

#include <vector>

#include <sio/engineio/frame.hpp>
#include <sio/socketio/packet.hpp>

namespace sio::socketio {

/** The Engine.IO frames of `packet`: the message `4<text>`, then one binary frame per
    attachment (docs/protocol.md §2.3). */
std::vector<engineio::SharedFrame> encode_frames(const Packet& packet);

}  // namespace sio::socketio
