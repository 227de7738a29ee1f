#pragma once
// Engine.IO v4 packets (docs/protocol.md §1.4).

#include <cstdint>
#include <string>

namespace sio::engineio {

/** The single ASCII digit that starts every text packet. */
enum class PacketType : std::uint8_t { open = 0, close = 1, ping = 2, pong = 3, message = 4, upgrade = 5, noop = 6 };

/** A decoded packet. `binary` is only ever true for `message` packets: over WebSocket a
    binary frame carries the raw bytes, over polling a `b<base64>` record does. */
struct Packet {
    PacketType type = PacketType::message;
    std::string data;
    bool binary = false;

    friend bool operator==(const Packet&, const Packet&) = default;
};

}  // namespace sio::engineio
