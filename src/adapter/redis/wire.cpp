#include "adapter/redis/wire.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <sio/socketio/json.hpp>

namespace sio::adapter::redis {
namespace json = boost::json;
using boost::system::error_code;
using boost::system::result;

// ---- identifiers -------------------------------------------------------------------------

std::string make_uid(std::mt19937_64& rng, std::size_t length) {
    static constexpr char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string s;
    s.reserve(length);
    for (std::size_t i = 0; i < length; ++i) s.push_back(chars[rng() >> 58]);  // top 6 bits
    return s;
}

std::string make_request_id(std::mt19937_64& rng) {
    return make_uid(rng, 6);
}

// ---- options -----------------------------------------------------------------------------

WireOptions to_wire_options(const socketio::BroadcastOptions& opts) {
    WireOptions w;
    w.rooms = opts.rooms;
    w.except = opts.except;
    w.flags.is_volatile = opts.flags.is_volatile;
    w.flags.local = opts.flags.local;
    w.flags.timeout = opts.flags.timeout;
    return w;
}

socketio::BroadcastOptions to_broadcast_options(const WireOptions& w) {
    socketio::BroadcastOptions opts;
    opts.rooms = w.rooms;
    opts.except = w.except;
    opts.flags.is_volatile = w.flags.is_volatile;
    opts.flags.local = w.flags.local;
    opts.flags.timeout = w.flags.timeout;
    return opts;
}

// ---- errors ------------------------------------------------------------------------------

namespace {

// boost's error_category has a protected non-virtual destructor by design (categories are
// static objects), which -Wnon-virtual-dtor reports anyway.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class WireCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sio.redis.wire"; }
    std::string message(int ev) const override {
        switch (static_cast<wire_errc>(ev)) {
            case wire_errc::bad_json:
                return "invalid JSON message";
            case wire_errc::malformed:
                return "malformed message";
            case wire_errc::unknown_type:
                return "unknown message type";
        }
        return "unknown wire error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& wire_category() noexcept {
    static const WireCategory category;
    return category;
}

error_code make_error_code(wire_errc e) noexcept {
    return {static_cast<int>(e), wire_category()};
}

bool operator==(const FetchSocketsResponse& a, const FetchSocketsResponse& b) {
    if (a.request_id != b.request_id || a.sockets.size() != b.sockets.size()) return false;
    for (std::size_t i = 0; i < a.sockets.size(); ++i) {
        const auto& x = a.sockets[i];
        const auto& y = b.sockets[i];
        if (x.id != y.id || x.handshake != y.handshake || x.rooms != y.rooms || x.data != y.data) return false;
    }
    return true;
}

namespace {

// ---- helpers -----------------------------------------------------------------------------

error_code malformed() {
    return wire_errc::malformed;
}

// Errors are values: the only exceptions below are allocation failures (and boost::json's
// length limits), reported as errors.
template <class F>
auto guarded(F&& f) noexcept -> decltype(f()) {
    try {
        return f();
    } catch (const std::bad_alloc&) {
        return error_code(boost::system::errc::not_enough_memory, boost::system::generic_category());
    } catch (const std::exception&) {
        return error_code(msgpack_errc::too_large);
    }
}

json::array string_array(const std::vector<std::string>& v, bool dedup = false) {
    json::array a;
    a.reserve(v.size());
    if (!dedup) {
        for (const auto& s : v) a.emplace_back(s);
        return a;
    }
    std::unordered_set<std::string_view> seen;
    for (const auto& s : v)
        if (seen.insert(s).second) a.emplace_back(s);
    return a;
}

std::vector<std::string> to_strings(const json::array& a) {
    std::vector<std::string> out;
    out.reserve(a.size());
    for (const auto& e : a)
        if (e.is_string()) out.emplace_back(e.get_string());
    return out;
}

// A room as Node holds it: strings, or numbers (socket.join(5)) written as their JS text.
bool room_text(const json::value& v, std::string& out) {
    if (v.is_string()) {
        out = v.get_string();
        return true;
    }
    if (v.is_number()) {
        out = socketio::to_json(v);
        return true;
    }
    return false;
}

// `new Set(x)` of a rooms list: absent/null => empty; an array of rooms; anything else or an
// unusable element => error (dropping it would widen the target set).
bool read_rooms(const json::value* v, std::vector<std::string>& out) {
    out.clear();
    if (!v || v->is_null()) return true;
    const auto* a = v->if_array();
    if (!a) return false;
    out.reserve(a->size());
    for (const auto& e : *a) {
        std::string s;
        if (!room_text(e, s)) return false;
        out.push_back(std::move(s));
    }
    return true;
}

// Lenient list read for responses: numbers and strings kept, others skipped.
std::vector<std::string> read_room_list(const json::value* v) {
    std::vector<std::string> out;
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->get_array()) {
        std::string s;
        if (room_text(e, s)) out.push_back(std::move(s));
    }
    return out;
}

bool js_truthy(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return false;
        case json::kind::bool_:
            return v.get_bool();
        case json::kind::int64:
            return v.get_int64() != 0;
        case json::kind::uint64:
            return v.get_uint64() != 0;
        case json::kind::double_:
            return v.get_double() != 0 && !std::isnan(v.get_double());
        case json::kind::string:
            return !v.get_string().empty();
        default:
            return true;
    }
}

bool truthy_member(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && js_truthy(*v);
}

std::optional<std::string> opt_string(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

std::string string_or_empty(const json::object& o, std::string_view key) {
    return opt_string(o, key).value_or(std::string());
}

// An integral JS number.
std::optional<std::int64_t> as_integer(const json::value& v) {
    switch (v.kind()) {
        case json::kind::int64:
            return v.get_int64();
        case json::kind::uint64:
            if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
            return static_cast<std::int64_t>(v.get_uint64());
        case json::kind::double_: {
            const double d = v.get_double();
            if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740992.0) return std::nullopt;
            return static_cast<std::int64_t>(d);
        }
        default:
            return std::nullopt;
    }
}

std::optional<double> as_number(const json::value& v) {
    switch (v.kind()) {
        case json::kind::int64:
            return static_cast<double>(v.get_int64());
        case json::kind::uint64:
            return static_cast<double>(v.get_uint64());
        case json::kind::double_:
            return v.get_double();
        default:
            return std::nullopt;
    }
}

void put_uid(json::object& o, const std::optional<std::string>& uid) {
    if (uid) o.emplace("uid", *uid);
}

// Placeholders renumbered in traversal order, their attachments moved into `out`. Used to cut
// one value (a packet's data, an ack argument) out of a message decoded as a whole.
bool extract_binary(json::value& v, std::vector<std::string>& all, std::vector<std::string>& out,
                    std::size_t depth = 0) {
    if (depth > max_msgpack_depth) return false;
    if (socketio::is_placeholder(v)) {
        const auto& num = v.get_object().at("num");
        const auto n = as_integer(num);
        if (!n || *n < 0 || static_cast<std::uint64_t>(*n) >= all.size()) return false;
        out.push_back(std::move(all[static_cast<std::size_t>(*n)]));
        v = socketio::make_placeholder(out.size() - 1);
        return true;
    }
    if (auto* a = v.if_array()) {
        for (auto& e : *a)
            if (!extract_binary(e, all, out, depth + 1)) return false;
    } else if (auto* o = v.if_object()) {
        for (auto& kv : *o)
            if (!extract_binary(kv.value(), all, out, depth + 1)) return false;
    }
    return true;
}

// JSON.stringify(Buffer) => {"type":"Buffer","data":[bytes]}.
bool buffers_as_json(json::value& v, std::span<const std::string> att, std::size_t depth = 0) {
    if (depth > max_msgpack_depth) return false;
    if (socketio::is_placeholder(v)) {
        const auto n = as_integer(v.get_object().at("num"));
        if (!n || *n < 0 || static_cast<std::uint64_t>(*n) >= att.size()) return false;
        const auto& bytes = att[static_cast<std::size_t>(*n)];
        json::array data;
        data.reserve(bytes.size());
        for (unsigned char c : bytes) data.emplace_back(static_cast<std::int64_t>(c));
        json::object b;
        b.emplace("type", "Buffer");
        b.emplace("data", std::move(data));
        v = std::move(b);
        return true;
    }
    if (auto* a = v.if_array()) {
        for (auto& e : *a)
            if (!buffers_as_json(e, att, depth + 1)) return false;
    } else if (auto* o = v.if_object()) {
        for (auto& kv : *o)
            if (!buffers_as_json(kv.value(), att, depth + 1)) return false;
    }
    return true;
}

result<json::value> json_with_buffers(const json::value& v, std::span<const std::string> att) {
    json::value copy = v;
    if (!buffers_as_json(copy, att)) return error_code(msgpack_errc::bad_placeholder);
    return copy;
}

// First byte `{` => JSON.parse, else notepack.decode.
result<json::value> decode_any(std::string_view bytes, std::vector<std::string>& attachments) {
    if (bytes.empty()) return error_code(msgpack_errc::truncated);
    if (bytes.front() == '{') {
        auto parsed = socketio::parse_json(bytes);
        if (!parsed) return error_code(wire_errc::bad_json);
        return std::move(*parsed);
    }
    return decode_msgpack(bytes, attachments);
}

// ---- packet / options --------------------------------------------------------------------

json::object flags_object(const WireFlags& f) {
    json::object o;
    if (f.is_volatile) o.emplace("volatile", true);
    if (f.compress) o.emplace("compress", *f.compress);
    if (f.local) o.emplace("local", true);
    if (f.expect_single_response) o.emplace("expectSingleResponse", true);
    if (f.timeout) o.emplace("timeout", static_cast<std::int64_t>(f.timeout->count()));
    return o;
}

json::object opts_object(const WireOptions& w, OptsKeyOrder order) {
    json::object o;
    o.emplace("rooms", string_array(w.rooms, true));
    if (order == OptsKeyOrder::emitter) {
        o.emplace("flags", flags_object(w.flags));
        o.emplace("except", string_array(w.except, true));
    } else {
        o.emplace("except", string_array(w.except, true));
        o.emplace("flags", flags_object(w.flags));
    }
    return o;
}

result<json::object> packet_object(const socketio::Packet& p) {
    if (p.type != socketio::PacketType::event && p.type != socketio::PacketType::binary_event) return malformed();
    if (!p.data.is_array()) return malformed();
    json::object o;
    o.emplace("type", 2);
    o.emplace("data", p.data);
    o.emplace("nsp", p.nsp);
    if (p.id) o.emplace("id", *p.id);
    return o;
}

WireFlags read_flags(const json::value* v) {
    WireFlags f;
    const auto* o = v ? v->if_object() : nullptr;
    if (!o) return f;
    f.is_volatile = truthy_member(*o, "volatile");
    if (const auto* c = o->if_contains("compress")) f.compress = js_truthy(*c);
    f.local = truthy_member(*o, "local");
    f.expect_single_response = truthy_member(*o, "expectSingleResponse");
    if (const auto* t = o->if_contains("timeout")) {
        if (auto d = as_number(*t); d && std::isfinite(*d) && *d >= 0 && *d < 9007199254740992.0)
            f.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*d));
    }
    return f;
}

bool read_options(const json::value& v, WireOptions& w) {
    const auto* o = v.if_object();
    if (!o) return false;
    if (!read_rooms(o->if_contains("rooms"), w.rooms)) return false;
    if (!read_rooms(o->if_contains("except"), w.except)) return false;
    w.flags = read_flags(o->if_contains("flags"));
    return true;
}

bool read_targets(const json::value* v, Targets& t) {
    const auto* o = v ? v->if_object() : nullptr;
    if (!o) return false;
    return read_rooms(o->if_contains("rooms"), t.rooms) && read_rooms(o->if_contains("except"), t.except);
}

json::object targets_object(const Targets& t) {
    json::object o;
    o.emplace("rooms", string_array(t.rooms));
    o.emplace("except", string_array(t.except));
    return o;
}

// `packet` of a broadcast or type-7 request; its binary is cut out of `all`.
error_code read_packet(json::value& v, std::vector<std::string>& all, socketio::Packet& p) {
    auto* o = v.if_object();
    if (!o) return malformed();
    const auto* type = o->if_contains("type");
    const auto t = type ? as_integer(*type) : std::nullopt;
    // Node forwards whatever it got; 5 (BINARY_EVENT) should never be published (§4.3) but
    // means the same event here since binary arrives as msgpack bin.
    if (!t || (*t != 2 && *t != 5)) return malformed();
    p.type = socketio::PacketType::event;
    if (const auto* nsp = o->if_contains("nsp")) {
        if (!nsp->is_string()) return malformed();
        p.nsp = nsp->get_string();
    } else {
        p.nsp = "/";
    }
    auto* data = o->if_contains("data");
    if (!data || !data->is_array()) return malformed();
    p.data = std::move(*data);
    p.attachments.clear();
    if (!extract_binary(p.data, all, p.attachments)) return malformed();
    p.id.reset();
    if (const auto* id = o->if_contains("id")) {
        if (auto n = as_integer(*id); n && *n >= 0) p.id = static_cast<std::uint64_t>(*n);
    }
    return {};
}

BinaryValue take_value(json::object& o, std::string_view key, std::vector<std::string>& all) {
    BinaryValue bv;
    if (auto* v = o.if_contains(key)) {
        bv.value = std::move(*v);
        if (!extract_binary(bv.value, all, bv.attachments)) {
            bv.value = nullptr;  // unreachable: decode_msgpack numbers what it appends
            bv.attachments.clear();
        }
    }
    return bv;
}

}  // namespace

// ---- broadcast ---------------------------------------------------------------------------

result<std::string> encode_broadcast(const BroadcastMessage& msg, OptsKeyOrder order) {
    return guarded([&]() -> result<std::string> {
        auto packet = packet_object(msg.packet);
        if (!packet) return packet.error();
        json::array top;
        top.reserve(3);
        top.emplace_back(msg.uid);
        top.emplace_back(std::move(*packet));
        top.emplace_back(opts_object(msg.opts, order));
        return encode_msgpack(json::value(std::move(top)), msg.packet.attachments);
    });
}

namespace {
result<BroadcastMessage> decode_broadcast_impl(std::string_view bytes) {
    std::vector<std::string> all;
    auto v = decode_msgpack(bytes, all);
    if (!v) return v.error();
    auto* top = v->if_array();
    if (!top || top->size() < 3) return malformed();
    BroadcastMessage msg;
    if ((*top)[0].is_string()) msg.uid = (*top)[0].get_string();
    if (auto ec = read_packet((*top)[1], all, msg.packet)) return ec;
    if (!read_options((*top)[2], msg.opts)) return malformed();
    return msg;
}
}  // namespace

result<BroadcastMessage> decode_broadcast(std::string_view bytes) {
    return guarded([&] { return decode_broadcast_impl(bytes); });
}

// ---- requests ----------------------------------------------------------------------------

RequestType request_type(const Request& r) noexcept {
    struct Visitor {
        RequestType operator()(const SocketsRequest&) const { return RequestType::sockets; }
        RequestType operator()(const AllRoomsRequest&) const { return RequestType::all_rooms; }
        RequestType operator()(const SocketsJoinRequest&) const { return RequestType::remote_join; }
        RequestType operator()(const SocketsLeaveRequest&) const { return RequestType::remote_leave; }
        RequestType operator()(const DisconnectSocketsRequest&) const { return RequestType::remote_disconnect; }
        RequestType operator()(const RemoteJoinRequest&) const { return RequestType::remote_join; }
        RequestType operator()(const RemoteLeaveRequest&) const { return RequestType::remote_leave; }
        RequestType operator()(const RemoteDisconnectRequest&) const { return RequestType::remote_disconnect; }
        RequestType operator()(const FetchSocketsRequest&) const { return RequestType::remote_fetch; }
        RequestType operator()(const ServerSideEmitRequest&) const { return RequestType::server_side_emit; }
        RequestType operator()(const BroadcastWithAckRequest&) const { return RequestType::broadcast; }
    };
    return std::visit(Visitor{}, r);
}

namespace {

json::object request_head(const std::optional<std::string>& uid, const std::string* request_id, RequestType t) {
    json::object o;
    put_uid(o, uid);
    if (request_id) o.emplace("requestId", *request_id);
    o.emplace("type", static_cast<int>(t));
    return o;
}

result<std::string> encode_request_object(const Request& r) {
    return std::visit(
        [](const auto& q) -> result<std::string> {
            using T = std::decay_t<decltype(q)>;
            if constexpr (std::is_same_v<T, SocketsRequest>) {
                auto o = request_head(q.uid, &q.request_id, RequestType::sockets);
                o.emplace("rooms", string_array(q.rooms));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, AllRoomsRequest>) {
                return socketio::to_json(request_head(q.uid, &q.request_id, RequestType::all_rooms));
            } else if constexpr (std::is_same_v<T, SocketsJoinRequest> || std::is_same_v<T, SocketsLeaveRequest>) {
                auto o = request_head(
                    q.uid, nullptr,
                    std::is_same_v<T, SocketsJoinRequest> ? RequestType::remote_join : RequestType::remote_leave);
                o.emplace("opts", targets_object(q.opts));
                o.emplace("rooms", string_array(q.rooms));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, DisconnectSocketsRequest>) {
                auto o = request_head(q.uid, nullptr, RequestType::remote_disconnect);
                o.emplace("opts", targets_object(q.opts));
                o.emplace("close", q.close);
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, RemoteJoinRequest> || std::is_same_v<T, RemoteLeaveRequest>) {
                auto o = request_head(
                    q.uid, &q.request_id,
                    std::is_same_v<T, RemoteJoinRequest> ? RequestType::remote_join : RequestType::remote_leave);
                o.emplace("sid", q.sid);
                o.emplace("room", q.room);
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, RemoteDisconnectRequest>) {
                auto o = request_head(q.uid, &q.request_id, RequestType::remote_disconnect);
                o.emplace("sid", q.sid);
                o.emplace("close", q.close);
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, FetchSocketsRequest>) {
                auto o = request_head(q.uid, &q.request_id, RequestType::remote_fetch);
                o.emplace("opts", targets_object(q.opts));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, ServerSideEmitRequest>) {
                auto o = request_head(q.uid, q.request_id ? &*q.request_id : nullptr, RequestType::server_side_emit);
                auto data = json_with_buffers(json::value(q.data.args), q.data.attachments);
                if (!data) return data.error();
                o.emplace("data", std::move(*data));
                return socketio::to_json(o);
            } else {
                static_assert(std::is_same_v<T, BroadcastWithAckRequest>);
                auto packet = packet_object(q.packet);
                if (!packet) return packet.error();
                auto o = request_head(q.uid, &q.request_id, RequestType::broadcast);
                o.emplace("packet", std::move(*packet));
                o.emplace("opts", opts_object(q.opts, OptsKeyOrder::adapter));
                return encode_msgpack(json::value(std::move(o)), q.packet.attachments);
            }
        },
        r);
}

}  // namespace

result<std::string> encode_request(const Request& r) {
    return guarded([&] { return encode_request_object(r); });
}

namespace {
result<Request> decode_request_impl(std::string_view bytes) {
    std::vector<std::string> all;
    auto v = decode_any(bytes, all);
    if (!v) return v.error();
    auto* o = v->if_object();
    if (!o) return malformed();
    const auto* type = o->if_contains("type");
    const auto t = type ? as_integer(*type) : std::nullopt;
    if (!t) return error_code(wire_errc::unknown_type);
    const auto uid = opt_string(*o, "uid");
    const auto* opts = o->if_contains("opts");
    const bool new_form = opts && js_truthy(*opts);
    switch (*t) {
        case 0: {
            SocketsRequest q{uid, string_or_empty(*o, "requestId"), {}};
            if (!read_rooms(o->if_contains("rooms"), q.rooms)) return malformed();
            return Request(std::move(q));
        }
        case 1:
            return Request(AllRoomsRequest{uid, string_or_empty(*o, "requestId")});
        case 2:
        case 3: {
            if (new_form) {
                Targets targets;
                std::vector<std::string> rooms;
                if (!read_targets(opts, targets)) return malformed();
                const auto* r = o->if_contains("rooms");
                if (!r || !read_rooms(r, rooms)) return malformed();
                if (*t == 2) return Request(SocketsJoinRequest{uid, std::move(targets), std::move(rooms)});
                return Request(SocketsLeaveRequest{uid, std::move(targets), std::move(rooms)});
            }
            std::string room;
            if (const auto* r = o->if_contains("room")) room_text(*r, room);
            if (*t == 2)
                return Request(RemoteJoinRequest{uid, string_or_empty(*o, "requestId"), string_or_empty(*o, "sid"),
                                                 std::move(room)});
            return Request(
                RemoteLeaveRequest{uid, string_or_empty(*o, "requestId"), string_or_empty(*o, "sid"), std::move(room)});
        }
        case 4: {
            const bool close = truthy_member(*o, "close");
            if (new_form) {
                Targets targets;
                if (!read_targets(opts, targets)) return malformed();
                return Request(DisconnectSocketsRequest{uid, std::move(targets), close});
            }
            return Request(
                RemoteDisconnectRequest{uid, string_or_empty(*o, "requestId"), string_or_empty(*o, "sid"), close});
        }
        case 5: {
            FetchSocketsRequest q{uid, string_or_empty(*o, "requestId"), {}};
            if (!read_targets(opts, q.opts)) return malformed();
            return Request(std::move(q));
        }
        case 6: {
            ServerSideEmitRequest q;
            q.uid = uid;
            // Node: withAck = requestId !== undefined
            if (const auto* id = o->if_contains("requestId"))
                q.request_id = id->is_string() ? std::string(id->get_string()) : socketio::to_json(*id);
            auto* data = o->if_contains("data");
            if (!data || !data->is_array()) return malformed();
            json::value d = std::move(*data);
            if (!extract_binary(d, all, q.data.attachments)) return malformed();
            q.data.args = std::move(d.get_array());
            return Request(std::move(q));
        }
        case 7: {
            BroadcastWithAckRequest q;
            q.uid = uid;
            q.request_id = string_or_empty(*o, "requestId");
            auto* packet = o->if_contains("packet");
            if (!packet) return malformed();
            if (auto ec = read_packet(*packet, all, q.packet)) return ec;
            if (!opts || !read_options(*opts, q.opts)) return malformed();
            return Request(std::move(q));
        }
        default:
            return error_code(wire_errc::unknown_type);
    }
}
}  // namespace

result<Request> decode_request(std::string_view bytes) {
    return guarded([&] { return decode_request_impl(bytes); });
}

// ---- responses ---------------------------------------------------------------------------

namespace {

json::object response_head(std::optional<RequestType> t, const std::string& request_id) {
    json::object o;
    if (t) o.emplace("type", static_cast<int>(*t));
    o.emplace("requestId", request_id);
    return o;
}

result<std::string> encode_response_object(const Response& r) {
    return std::visit(
        [](const auto& q) -> result<std::string> {
            using T = std::decay_t<decltype(q)>;
            if constexpr (std::is_same_v<T, SocketsResponse>) {
                auto o = response_head(std::nullopt, q.request_id);
                o.emplace("sockets", string_array(q.sockets));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, AllRoomsResponse>) {
                auto o = response_head(std::nullopt, q.request_id);
                o.emplace("rooms", string_array(q.rooms));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, RemoteDoneResponse>) {
                return socketio::to_json(response_head(std::nullopt, q.request_id));
            } else if constexpr (std::is_same_v<T, FetchSocketsResponse>) {
                auto o = response_head(std::nullopt, q.request_id);
                json::array sockets;
                sockets.reserve(q.sockets.size());
                for (const auto& s : q.sockets) {
                    json::object e;
                    e.emplace("id", s.id);
                    e.emplace("handshake", s.handshake);
                    e.emplace("rooms", string_array(s.rooms));
                    e.emplace("data", s.data);
                    sockets.emplace_back(std::move(e));
                }
                o.emplace("sockets", std::move(sockets));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, ServerSideEmitResponse>) {
                auto o = response_head(RequestType::server_side_emit, q.request_id);
                auto data = json_with_buffers(q.data.value, q.data.attachments);
                if (!data) return data.error();
                o.emplace("data", std::move(*data));
                return socketio::to_json(o);
            } else if constexpr (std::is_same_v<T, BroadcastClientCountResponse>) {
                auto o = response_head(RequestType::broadcast_client_count, q.request_id);
                o.emplace("clientCount", q.client_count);
                return socketio::to_json(o);
            } else {
                static_assert(std::is_same_v<T, BroadcastAckResponse>);
                auto o = response_head(RequestType::broadcast_ack, q.request_id);
                o.emplace("packet", q.packet.value);
                return encode_msgpack(json::value(std::move(o)), q.packet.attachments);
            }
        },
        r);
}

}  // namespace

result<std::string> encode_response(const Response& r) {
    return guarded([&] { return encode_response_object(r); });
}

result<RawResponse> parse_response(std::string_view bytes) {
    return guarded([&]() -> result<RawResponse> {
        RawResponse raw;
        auto v = decode_any(bytes, raw.attachments);
        if (!v) return v.error();
        auto* o = v->if_object();
        if (!o) return malformed();
        raw.request_id = opt_string(*o, "requestId");
        if (const auto* t = o->if_contains("type")) raw.type = as_integer(*t);
        raw.body = std::move(*o);
        return raw;
    });
}

namespace {
result<Response> interpret_response_impl(RawResponse raw, RequestType pending) {
    std::string id = raw.request_id.value_or(std::string());
    auto& body = raw.body;
    switch (pending) {
        case RequestType::sockets: {
            SocketsResponse r{std::move(id), {}};
            if (const auto* s = body.if_contains("sockets"); s && s->is_array()) r.sockets = to_strings(s->get_array());
            return Response(std::move(r));
        }
        case RequestType::all_rooms:
            return Response(AllRoomsResponse{std::move(id), read_room_list(body.if_contains("rooms"))});
        case RequestType::remote_join:
        case RequestType::remote_leave:
        case RequestType::remote_disconnect:
            return Response(RemoteDoneResponse{std::move(id)});
        case RequestType::remote_fetch: {
            FetchSocketsResponse r{std::move(id), {}};
            auto* s = body.if_contains("sockets");
            if (!s || !s->is_array()) return Response(std::move(r));
            for (auto& e : s->get_array()) {
                auto* so = e.if_object();
                if (!so) continue;
                const auto* sid = so->if_contains("id");
                if (!sid || !sid->is_string()) continue;
                socketio::SocketInfo info;
                info.id = sid->get_string();
                if (auto* h = so->if_contains("handshake")) info.handshake = std::move(*h);
                info.rooms = read_room_list(so->if_contains("rooms"));
                if (auto* d = so->if_contains("data")) info.data = std::move(*d);
                r.sockets.push_back(std::move(info));
            }
            return Response(std::move(r));
        }
        case RequestType::server_side_emit:
            return Response(ServerSideEmitResponse{std::move(id), take_value(body, "data", raw.attachments)});
        case RequestType::broadcast:
            if (raw.type == 8) {
                const auto* c = body.if_contains("clientCount");
                const auto n = c ? as_integer(*c) : std::nullopt;
                if (!n || *n < 0) return malformed();
                return Response(BroadcastClientCountResponse{std::move(id), static_cast<std::uint64_t>(*n)});
            }
            if (raw.type == 9)
                return Response(BroadcastAckResponse{std::move(id), take_value(body, "packet", raw.attachments)});
            return error_code(wire_errc::unknown_type);
        default:
            return error_code(wire_errc::unknown_type);
    }
}
}  // namespace

result<Response> interpret_response(RawResponse raw, RequestType pending) {
    return guarded([&] { return interpret_response_impl(std::move(raw), pending); });
}

result<Response> decode_response(std::string_view bytes, RequestType pending) {
    return guarded([&]() -> result<Response> {
        auto raw = parse_response(bytes);
        if (!raw) return raw.error();
        return interpret_response(std::move(*raw), pending);
    });
}

}  // namespace sio::adapter::redis
