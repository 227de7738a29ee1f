#include <sio/socketio/parser.hpp>

// socket.io-parser 4.2.7 for the server side.
//   encode:  <type>[<n>-][<nsp>,][<id>][<json>]   (json via to_json, i.e. JSON.stringify)
//   decode:  the same grammar read left to right as Decoder.decodeString does it, then the
//            payload shape check of isPayloadValid; a 5/6 header waits in `partial_` for its
//            n binary messages, then its placeholders are checked against them.
// Deliberate differences from Node: an empty message and `50-` are refused (Node reads them
// as CONNECT and as a binary packet with no attachments), and an ack id must fit in uint64.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <new>

#include <boost/json/object.hpp>

#include <sio/socketio/json.hpp>

namespace sio::socketio {
namespace {

// ------------------------------------------------------------------------------------------
// Error category

// boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through it); -Wnon-virtual-dtor does not know that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.socketio.parser"; }
    std::string message(int ev) const override {
        switch (static_cast<parse_error>(ev)) {
            case parse_error::empty:
                return "empty packet";
            case parse_error::unknown_type:
                return "unknown packet type";
            case parse_error::bad_attachments:
                return "illegal attachments";
            case parse_error::bad_namespace:
                return "invalid namespace";
            case parse_error::bad_ack_id:
                return "invalid ack id";
            case parse_error::invalid_json:
                return "invalid payload";
            case parse_error::invalid_payload:
                return "invalid payload";
            case parse_error::unexpected_binary:
                return "got binary data when not reconstructing a packet";
            case parse_error::unexpected_text:
                return "got plaintext data when reconstructing a packet";
            case parse_error::bad_placeholder:
                return "illegal attachments";
            case parse_error::invalid_msgpack:
                return "invalid msgpack";
            case parse_error::text_message:
                return "got a text message, the msgpack parser only reads binary messages";
        }
        return "unknown parse error";
    }
};
#pragma GCC diagnostic pop

// ------------------------------------------------------------------------------------------
// Decoding helpers

// Event names a client may not send (socket.io-parser RESERVED_EVENTS).
constexpr std::array<std::string_view, 6> reserved_events = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool is_binary_type(PacketType t) noexcept {
    return t == PacketType::binary_event || t == PacketType::binary_ack;
}

// Decoder.isPayloadValid; only called when a payload is present.
bool payload_valid(PacketType type, const boost::json::value& payload) noexcept {
    switch (type) {
        case PacketType::connect:
            return payload.is_object();
        case PacketType::disconnect:
            return false;
        case PacketType::connect_error:
            return payload.is_string() || payload.is_object();
        case PacketType::event:
        case PacketType::binary_event: {
            const auto* args = payload.if_array();
            if (!args || args->empty()) return false;
            const auto& name = args->front();
            if (name.is_number()) return true;
            if (!name.is_string()) return false;
            std::string_view s = name.get_string();
            return std::find(reserved_events.begin(), reserved_events.end(), s) == reserved_events.end();
        }
        case PacketType::ack:
        case PacketType::binary_ack:
            return payload.is_array();
    }
    return false;
}

// A header waiting for attachments is returned with the binary type; the caller converts it.
struct Header {
    Packet packet;
    std::size_t attachments = 0;
};

boost::system::result<Header> decode_string(std::string_view s, std::size_t max_attachments) {
    if (s.empty()) return make_error_code(parse_error::empty);
    if (s[0] < '0' || s[0] > '6') return make_error_code(parse_error::unknown_type);

    Header h;
    h.packet.type = static_cast<PacketType>(s[0] - '0');
    std::size_t pos = 1;

    if (is_binary_type(h.packet.type)) {
        auto dash = s.find('-', pos);
        if (dash == std::string_view::npos || dash == pos) return make_error_code(parse_error::bad_attachments);
        std::size_t n = 0;
        auto res = std::from_chars(s.data() + pos, s.data() + dash, n);
        // from_chars stops at the first non-digit and reports overflow; both are malformed.
        if (res.ec != std::errc{} || res.ptr != s.data() + dash) return make_error_code(parse_error::bad_attachments);
        if (n == 0 || n > max_attachments) return make_error_code(parse_error::bad_attachments);
        h.attachments = n;
        pos = dash + 1;
    }

    // Only a leading '/' makes a namespace; otherwise the text goes on to the id and JSON.
    if (pos < s.size() && s[pos] == '/') {
        auto comma = s.find(',', pos);
        if (comma == std::string_view::npos) {
            h.packet.nsp.assign(s.substr(pos));
            pos = s.size();
        } else {
            h.packet.nsp.assign(s.substr(pos, comma - pos));
            pos = comma + 1;
        }
    }

    if (pos < s.size() && is_digit(s[pos])) {
        auto start = pos;
        while (pos < s.size() && is_digit(s[pos])) ++pos;
        std::uint64_t id = 0;
        auto res = std::from_chars(s.data() + start, s.data() + pos, id);
        if (res.ec != std::errc{}) return make_error_code(parse_error::bad_ack_id);
        h.packet.id = id;
    }

    if (pos < s.size()) {
        // The JSON is the whole remainder: `42["a"]x` fails here as trailing garbage and
        // `2abc` as invalid JSON, as JSON.parse does in Node.
        auto payload = parse_json(s.substr(pos));
        if (!payload) return make_error_code(parse_error::invalid_json);
        if (!payload_valid(h.packet.type, *payload)) return make_error_code(parse_error::invalid_payload);
        h.packet.data = std::move(*payload);
    }
    return h;
}

// Node replaces each `_placeholder === true` object by buffers[num] and throws "illegal
// attachments" when num is not an index; we keep the placeholder and only check it.
bool placeholders_valid(const boost::json::value& v, std::size_t count) noexcept {
    if (const auto* arr = v.if_array()) {
        return std::all_of(arr->begin(), arr->end(), [&](const auto& item) { return placeholders_valid(item, count); });
    }
    const auto* obj = v.if_object();
    if (!obj) return true;
    const auto* flag = obj->if_contains("_placeholder");
    if (flag && flag->is_bool() && flag->get_bool()) {
        if (!is_placeholder(v)) return false;  // num missing, negative, fractional, not a number
        const auto& num = *obj->if_contains("num");
        switch (num.kind()) {
            case boost::json::kind::int64:
                return static_cast<std::uint64_t>(num.get_int64()) < count;
            case boost::json::kind::uint64:
                return num.get_uint64() < count;
            case boost::json::kind::double_:
                return num.get_double() < static_cast<double>(count);
            default:
                return false;
        }
    }
    return std::all_of(obj->begin(), obj->end(),
                       [&](const auto& member) { return placeholders_valid(member.value(), count); });
}

}  // namespace

const boost::system::error_category& parse_error_category() noexcept {
    static const Category category;
    return category;
}

boost::system::error_code make_error_code(parse_error e) noexcept {
    return {static_cast<int>(e), parse_error_category()};
}

// ------------------------------------------------------------------------------------------
// Encoder (Encoder.encodeAsString)

std::string encode(const Packet& packet) {
    // The binary types are chosen from the attachments alone, so a packet that lost (or never
    // had) its buffers is still written in a form the decoder accepts (`50-` is refused).
    const bool binary = !packet.attachments.empty();
    PacketType type = packet.type;
    if (type == PacketType::event || type == PacketType::binary_event) {
        type = binary ? PacketType::binary_event : PacketType::event;
    } else if (type == PacketType::ack || type == PacketType::binary_ack) {
        type = binary ? PacketType::binary_ack : PacketType::ack;
    }

    std::string out;
    out += static_cast<char>('0' + static_cast<int>(type));
    if (is_binary_type(type)) {
        out += std::to_string(packet.attachments.size());
        out += '-';
    }
    if (!packet.nsp.empty() && packet.nsp != "/") {
        out += packet.nsp;
        out += ',';
    }
    if (packet.id) out += std::to_string(*packet.id);
    if (!packet.data.is_null()) to_json(out, packet.data);
    return out;
}

// ------------------------------------------------------------------------------------------
// Decoder

boost::system::result<std::optional<Packet>> Decoder::feed_text(std::string_view text) {
    if (partial_) {
        partial_.reset();
        expected_ = 0;
        return make_error_code(parse_error::unexpected_text);
    }
    try {
        auto header = decode_string(text, max_attachments_);
        if (!header) return header.error();
        Packet& packet = header->packet;
        if (!is_binary_type(packet.type)) return std::optional<Packet>(std::move(packet));

        packet.type = packet.type == PacketType::binary_event ? PacketType::event : PacketType::ack;
        expected_ = header->attachments;
        partial_ = std::make_unique<Packet>(std::move(packet));
        return std::optional<Packet>();
    } catch (const std::bad_alloc&) {
        // A packet too big to hold is as fatal for the connection as a malformed one.
        return make_error_code(parse_error::invalid_json);
    }
}

boost::system::result<std::optional<Packet>> Decoder::feed_binary(std::string_view bytes) {
    if (!partial_) return make_error_code(parse_error::unexpected_binary);
    try {
        partial_->attachments.emplace_back(bytes);
    } catch (const std::bad_alloc&) {
        partial_.reset();
        expected_ = 0;
        return make_error_code(parse_error::bad_attachments);
    }
    if (partial_->attachments.size() < expected_) return std::optional<Packet>();

    std::optional<Packet> done = std::move(*partial_);
    partial_.reset();
    expected_ = 0;
    if (!placeholders_valid(done->data, done->attachments.size())) return make_error_code(parse_error::bad_placeholder);
    return done;
}

}  // namespace sio::socketio
