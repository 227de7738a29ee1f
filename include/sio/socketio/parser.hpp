#pragma once
// Pure Socket.IO v5 codec (socket.io-parser 4.2 behaviour, docs/protocol.md §2.2-2.4). No I/O.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <sio/socketio/packet.hpp>

namespace sio::socketio {

/** Why a packet was refused; any of them closes the Engine.IO connection (`forced close`). */
enum class parse_error {
    empty = 1,
    unknown_type,
    bad_attachments,  // malformed, zero or too many (> max_attachments) attachments
    bad_namespace,
    bad_ack_id,
    invalid_json,       // does not parse, or trailing garbage
    invalid_payload,    // wrong shape for the type (docs/protocol.md §2.4)
    unexpected_binary,  // a binary message nobody announced
    unexpected_text,    // a text packet while attachments are pending
    bad_placeholder,    // index out of range or malformed
    invalid_msgpack,    // msgpack parser: the binary message is no (complete) msgpack value
    text_message,       // msgpack parser: a text message (it only reads binary ones)
};

const boost::system::error_category& parse_error_category() noexcept;
boost::system::error_code make_error_code(parse_error e) noexcept;

/** The text part of an encoded packet, for example `2/admin,13["foo"]` or `52-["a",{...}]`.
    The attachments, if any, follow as separate Engine.IO binary messages. */
std::string encode(const Packet& packet);

/** Stateful decoder for one connection: a BINARY_EVENT/ACK header is held until its
    attachments have arrived. Limits: `max_attachments` (Node default 10). */
class Decoder {
public:
    explicit Decoder(std::size_t max_attachments = 10) : max_attachments_(max_attachments) {}

    /** Feeds one Engine.IO text message. Returns the completed packet, nullopt while
        attachments are still expected, or an error (the caller then closes the connection). */
    boost::system::result<std::optional<Packet>> feed_text(std::string_view text);

    /** Feeds one Engine.IO binary message (an attachment). */
    boost::system::result<std::optional<Packet>> feed_binary(std::string_view bytes);

    /** True while a binary packet waits for attachments. */
    bool pending() const noexcept { return partial_ != nullptr; }

private:
    std::size_t max_attachments_;
    std::unique_ptr<Packet> partial_;  // allocated only while attachments are awaited
    std::size_t expected_ = 0;
};

}  // namespace sio::socketio

namespace boost::system {
template <>
struct is_error_code_enum<sio::socketio::parse_error> : std::true_type {};
}  // namespace boost::system
