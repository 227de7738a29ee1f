#pragma once
// A Socket.IO packet as the Engine.IO messages that carry it, encoded once and shared by every
// recipient (a broadcast, a recovery log entry, one socket's emit), and the seam that lets a
// server use another encoding than socket.io-parser's (socket.io's `parser` option).
//
// Why a null default rather than a Parser object for socket.io-parser: the default path then
// costs one pointer test per encoded packet (not a virtual call, not an allocation per
// connection for a decoder object), and a server built without the option is exactly as
// before. A custom parser pays one virtual call per packet encoded (once per broadcast, never
// per recipient) and one decoder object per connection.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/socketio/packet.hpp>

namespace sio::socketio {

/** The Engine.IO frames of `packet` as socket.io-parser writes them: the message `4<text>`,
    then one binary frame per attachment (docs/protocol.md §2.3). */
std::vector<engineio::SharedFrame> encode_frames(const Packet& packet);

/** The decoding half of a Parser: one per connection, fed every Engine.IO message in order. */
class PacketDecoder {
public:
    virtual ~PacketDecoder() = default;
    /** One Engine.IO text message: a completed packet, nullopt while more messages are needed,
        or an error (parse_error; the connection is then closed with `forced close`). */
    virtual boost::system::result<std::optional<Packet>> feed_text(std::string_view text) = 0;
    /** One Engine.IO binary message, same results. */
    virtual boost::system::result<std::optional<Packet>> feed_binary(std::string_view bytes) = 0;
};

/** socket.io's `parser` option (ServerOptions::parser): how every packet of a server becomes
    Engine.IO messages and back. Immutable and shared by every connection and shard, so both
    functions must be safe to call from several threads at once. */
class Parser {
public:
    virtual ~Parser() = default;
    /** The frames carrying `packet` (`packet.data` keeps its placeholders, the bytes are in
        `packet.attachments`). Called once per broadcast, whatever the number of recipients;
        the frames are shared. An empty vector drops the packet (unencodable). */
    virtual std::vector<engineio::SharedFrame> encode_frames(const Packet& packet) const = 0;
    /** A decoder for one new connection. `max_attachments` is the default parser's limit on
        binary attachments per packet; a parser without attachments may ignore it. */
    virtual std::unique_ptr<PacketDecoder> make_decoder(std::size_t max_attachments) const = 0;
};

/** `parser`'s frames for `packet`, or socket.io-parser's when `parser` is null (the default). */
inline std::vector<engineio::SharedFrame> encode_frames(const Packet& packet, const Parser* parser) {
    return parser ? parser->encode_frames(packet) : encode_frames(packet);
}

}  // namespace sio::socketio
