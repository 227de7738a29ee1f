#include <sio/socketio/msgpack_parser.hpp>

// socket.io-msgpack-parser 3.0.2 (notepack.io 2.2 underneath), server side.
//   encode:  msgpack.encode(packet) of the packet object socket.io 4.8 builds, so its keys come
//            in the order socket.io sets them: `{type, data, nsp}` for CONNECT, EVENT,
//            CONNECT_ERROR (`{type, data, id, nsp}` for an EVENT with ack, as socket.emit
//            does), `{id, type, data, nsp}` for an ACK (socket.ack), `{type, nsp}` for
//            DISCONNECT. Binary values are `bin`; the types stay 2 and 3 (no 5/6).
//   decode:  msgpack.decode, then checkPacket: `type` an integer 0..4, `nsp` a string, `data`
//            by type (CONNECT: absent or a plain object, DISCONNECT: absent, CONNECT_ERROR: a
//            string or a plain object, EVENT/ACK: an array), `id` absent or an integer. Other
//            keys (the JavaScript client sends `options: {compress}`) are ignored.
// Deliberate differences from Node: an ack id must be a non-negative integer below 2^64 (Node
// takes any integer, -1 too), an EVENT may not name a reserved event (Node hands `connect`,
// `disconnect`... to the socket's listeners), and the attachments-per-packet limit does not
// apply (there are none). Node's socket.io sends `pid: undefined` in CONNECT (and
// `data: undefined` in a middleware's CONNECT_ERROR) when unset, as the extension `d4 00 00`;
// this encoder leaves the key out, which every decoder reads the same.

#include <cmath>
#include <new>

#include <boost/json/object.hpp>

#include <sio/core/log.hpp>
#include <sio/socketio/msgpack_value.hpp>
#include <sio/socketio/parser.hpp>
#include <sio/socketio/reserved_events.hpp>

namespace sio::socketio {
namespace {

namespace json = boost::json;
using boost::system::error_code;
using Decoded = boost::system::result<std::optional<Packet>>;

const std::shared_ptr<spdlog::logger>& log() {
    static const auto logger = core::logger("socketio");
    return logger;
}

// ---- encoder -----------------------------------------------------------------------------

void put_key(std::string& out, std::string_view key) {
    out.push_back(static_cast<char>(0xa0 | key.size()));  // every key is a fixstr
    out.append(key);
}

error_code put_id(std::string& out, std::uint64_t id) {
    put_key(out, "id");
    return encode_msgpack(out, json::value(id));
}

error_code encode_packet(std::string& out, const Packet& packet) {
    std::uint8_t type = static_cast<std::uint8_t>(packet.type);
    if (packet.type == PacketType::binary_event) type = 2;
    if (packet.type == PacketType::binary_ack) type = 3;
    const bool ack = type == 3;
    const bool has_data = !packet.data.is_null();
    out.push_back(static_cast<char>(0x80 | (2 + (has_data ? 1 : 0) + (packet.id ? 1 : 0))));  // fixmap
    if (ack && packet.id)
        if (auto ec = put_id(out, *packet.id)) return ec;
    put_key(out, "type");
    out.push_back(static_cast<char>(type));  // positive fixint
    if (has_data) {
        put_key(out, "data");
        if (auto ec = encode_msgpack(out, packet.data, packet.attachments)) return ec;
    }
    if (!ack && packet.id)
        if (auto ec = put_id(out, *packet.id)) return ec;
    put_key(out, "nsp");
    return encode_msgpack_str(out, packet.nsp);
}

// ---- decoder -----------------------------------------------------------------------------

bool is_plain_object(const json::value* v) noexcept {
    // A placeholder is a Buffer in Node, which isObject() refuses.
    return v && v->is_object() && !is_placeholder(*v);
}

// isDataValid; `data` is null when the key is absent (or was undefined).
bool data_valid(PacketType type, const json::value* data) noexcept {
    switch (type) {
        case PacketType::connect:
            return !data || is_plain_object(data);
        case PacketType::disconnect:
            return !data;
        case PacketType::connect_error:
            return data && (data->is_string() || is_plain_object(data));
        case PacketType::event: {
            if (!data || !data->is_array()) return false;
            const auto& args = data->get_array();
            const auto* name = args.empty() ? nullptr : args.front().if_string();
            return !name || !is_reserved_event(std::string_view(name->data(), name->size()));
        }
        default:  // ACK
            return data && data->is_array();
    }
}

std::optional<std::uint64_t> ack_id(const json::value& v) noexcept {
    switch (v.kind()) {
        case json::kind::int64:
            if (v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
            return std::nullopt;
        case json::kind::uint64:
            return v.get_uint64();
        case json::kind::double_: {
            // Integers beyond 2^53 arrive as doubles, as JavaScript holds them.
            const double d = v.get_double();
            if (std::isfinite(d) && std::floor(d) == d && d >= 0 && d < 18446744073709551616.0)
                return static_cast<std::uint64_t>(d);
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

Decoded decode_packet(std::string_view bytes) {
    Packet packet;
    auto decoded = decode_msgpack(bytes, packet.attachments);
    if (!decoded) return make_error_code(parse_error::invalid_msgpack);
    auto* obj = decoded->if_object();
    if (!obj) return make_error_code(parse_error::unknown_type);

    const auto* type = obj->if_contains("type");
    // Integral floats arrive as int64 (as 2.0 is 2 in JavaScript); larger kinds are out of range.
    if (!type || !type->is_int64() || type->get_int64() < 0 || type->get_int64() > 4)
        return make_error_code(parse_error::unknown_type);
    packet.type = static_cast<PacketType>(type->get_int64());

    const auto* nsp = obj->if_contains("nsp");
    if (!nsp || !nsp->is_string()) return make_error_code(parse_error::bad_namespace);

    auto* data = obj->if_contains("data");
    if (!data_valid(packet.type, data)) return make_error_code(parse_error::invalid_payload);

    if (const auto* id = obj->if_contains("id")) {
        packet.id = ack_id(*id);
        if (!packet.id) return make_error_code(parse_error::bad_ack_id);
    }
    packet.nsp.assign(nsp->get_string().begin(), nsp->get_string().end());
    if (data) packet.data = std::move(*data);
    return std::optional<Packet>(std::move(packet));
}

class MsgpackDecoder final : public PacketDecoder {
public:
    Decoded feed_text(std::string_view) override {
        // Node's decoder throws on a string (notepack reads no msgpack from it).
        return make_error_code(parse_error::text_message);
    }
    Decoded feed_binary(std::string_view bytes) override {
        try {
            return decode_packet(bytes);
        } catch (const std::bad_alloc&) {
            return make_error_code(parse_error::invalid_msgpack);
        }
    }
};

class MsgpackParser final : public Parser {
public:
    std::vector<engineio::SharedFrame> encode_frames(const Packet& packet) const override {
        std::string out;
        if (auto ec = encode_packet(out, packet)) {
            // Only a packet the application built wrongly (a placeholder without its
            // attachment, nesting deeper than max_msgpack_depth, 4 GiB strings) gets here.
            log()->warn("packet for {} not sent: {}", packet.nsp, ec.message());
            return {};
        }
        std::vector<engineio::SharedFrame> frames;
        frames.push_back(engineio::make_binary_frame(std::move(out)));
        return frames;
    }
    std::unique_ptr<PacketDecoder> make_decoder(std::size_t) const override {
        return std::make_unique<MsgpackDecoder>();
    }
};

}  // namespace

std::shared_ptr<const Parser> msgpack_parser() {
    static const auto parser = std::make_shared<const MsgpackParser>();
    return parser;
}

}  // namespace sio::socketio
