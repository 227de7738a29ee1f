#pragma once
// Socket.IO v5 packets (docs/protocol.md §2.1-2.3).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <sio/socketio/payload.hpp>

namespace sio::socketio {

enum class PacketType : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6,
};

/** Binary buffers travel beside the JSON: `data` keeps `{"_placeholder":true,"num":N}` objects
    where buffer N belongs, exactly as on the wire. Code that needs the bytes looks them up in
    `attachments`; code that only forwards (echo, broadcast, Redis) never touches them. */
struct Packet {
    PacketType type = PacketType::event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;  // ack id
    boost::json::value data;          // null when the packet has no payload
    std::vector<std::string> attachments;

    /** EVENT/ACK become BINARY_EVENT/BINARY_ACK when attachments are present, on encode. */
    friend bool operator==(const Packet&, const Packet&) = default;
};

/** True when `v` is a placeholder object `{"_placeholder":true,"num":<n>}`. */
bool is_placeholder(const boost::json::value& v) noexcept;

/** A placeholder object for attachment `num`, as the Node encoder writes it. */
boost::json::value make_placeholder(std::size_t num);

/** The EVENT packet `[event, ...args]` for namespace `nsp`, without ack id; the arguments'
    attachments move into the packet. */
Packet make_event_packet(const std::string& nsp, std::string_view event, Payload args);

}  // namespace sio::socketio
