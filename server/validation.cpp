#include "validation.hpp"

// Every function here is pure: JSON or text in, a typed request or an Invalid out. Error texts
// name the offending field so an API user can fix the request from the message alone.

#include <algorithm>
#include <cctype>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
// parse_json, not boost::json::parse: Boost 1.81 may round 17-digit doubles one ulp off, and
// a relayed value must arrive as it was sent.
#include <sio/socketio/json.hpp>
#include <sio/socketio/reserved_events.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>

namespace sio::server {

namespace json = boost::json;

namespace {

Invalid bad(std::string message) {
    return Invalid{400, std::move(message)};
}

const json::value* field(const json::object& obj, std::string_view name) {
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &it->value();
}

/** An optional boolean field. */
Expected<bool> parse_flag(const json::object& obj, std::string_view name) {
    const json::value* v = field(obj, name);
    if (v == nullptr || v->is_null()) {
        return false;
    }
    if (!v->is_bool()) {
        return bad(fmt::format("\"{}\" must be a boolean", name));
    }
    return v->get_bool();
}

/** An optional room list (absent or null: empty). */
Expected<std::vector<std::string>> optional_rooms(const json::object& obj, std::string_view name) {
    const json::value* v = field(obj, name);
    if (v == nullptr || v->is_null()) {
        return std::vector<std::string>{};
    }
    return parse_rooms(*v, name);
}

/** `args` of an application request: absent/null -> [], else must be an array. */
Expected<json::array> optional_array(const json::object& obj, std::string_view name) {
    const json::value* v = field(obj, name);
    if (v == nullptr || v->is_null()) {
        return json::array{};
    }
    if (!v->is_array()) {
        return bad(fmt::format("\"{}\" must be an array", name));
    }
    return v->get_array();
}

/** The first argument of an event as an object, or an error naming the event. */
Expected<const json::object*> first_object(const json::array& args, std::string_view what) {
    if (args.empty() || !args[0].is_object()) {
        return bad(fmt::format("{} expects an object as first argument", what));
    }
    return &args[0].get_object();
}

}  // namespace

// ---- building blocks --------------------------------------------------------------------

Expected<std::string> parse_event_name(const json::value* v, std::string_view name) {
    if (v == nullptr || v->is_null()) {
        return bad(fmt::format("\"{}\" is required", name));
    }
    if (!v->is_string() || v->get_string().empty()) {
        return bad(fmt::format("\"{}\" must be a non-empty string", name));
    }
    std::string event(v->get_string());
    if (socketio::is_reserved_event(event)) {
        return bad(fmt::format("\"{}\" is a reserved event name", event));
    }
    return event;
}

Expected<std::vector<std::string>> parse_rooms(const json::value& v, std::string_view name) {
    std::vector<std::string> rooms;
    auto expected_type = [&] {
        return bad(fmt::format("\"{}\" must be a non-empty string or an array of non-empty strings", name));
    };
    if (v.is_string()) {
        if (v.get_string().empty()) {
            return expected_type();
        }
        rooms.emplace_back(v.get_string());
        return rooms;
    }
    if (!v.is_array()) {
        return expected_type();
    }
    rooms.reserve(v.get_array().size());
    for (const auto& item : v.get_array()) {
        if (!item.is_string() || item.get_string().empty()) {
            return expected_type();
        }
        rooms.emplace_back(item.get_string());
    }
    return rooms;
}

Expected<std::string> parse_namespace(std::string_view name) {
    std::string nsp = name.starts_with('/') ? std::string(name) : "/" + std::string(name);
    if (std::find(kNamespaces.begin(), kNamespaces.end(), nsp) == kNamespaces.end()) {
        return Invalid{404, fmt::format("unknown namespace \"{}\"", name)};
    }
    return nsp;
}

Expected<std::chrono::milliseconds> parse_ack_timeout(const json::value* v) {
    if (v == nullptr || v->is_null()) {
        return kDefaultAckTimeout;
    }
    double ms = 0;
    if (v->is_int64()) {
        ms = static_cast<double>(v->get_int64());
    } else if (v->is_uint64()) {
        ms = static_cast<double>(v->get_uint64());
    } else if (v->is_double()) {
        ms = v->get_double();
    } else {
        return bad("\"timeout\" must be a number of milliseconds");
    }
    if (!std::isfinite(ms) || ms < 1) {
        return bad("\"timeout\" must be a positive number of milliseconds");
    }
    if (ms > static_cast<double>(kMaxAckTimeout.count())) {
        return kMaxAckTimeout;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

// ---- REST -------------------------------------------------------------------------------------

Expected<json::object> parse_json_object(std::string_view body) {
    auto parsed = socketio::parse_json(body);
    if (!parsed) {
        return bad(fmt::format("invalid JSON body: {}", parsed.error().message()));
    }
    json::value v = std::move(*parsed);

    if (!v.is_object()) {
        return bad("the body must be a JSON object");
    }
    return std::move(v.get_object());
}

Expected<Target> parse_target(const json::object& body) {
    Target target;
    if (const json::value* v = field(body, "namespace"); v != nullptr && !v->is_null()) {
        if (!v->is_string()) {
            return bad("\"namespace\" must be a string");
        }
        auto nsp = parse_namespace(v->get_string());
        if (!nsp) {
            return nsp.error();
        }
        target.nsp = std::move(*nsp);
    }
    auto rooms = optional_rooms(body, "room");
    if (!rooms) {
        return rooms.error();
    }
    auto except = optional_rooms(body, "except");
    if (!except) {
        return except.error();
    }
    auto local = parse_flag(body, "local");
    if (!local) {
        return local.error();
    }
    target.rooms = std::move(*rooms);
    target.except = std::move(*except);
    target.local = *local;
    return target;
}

Expected<json::array> parse_args(const json::object& body) {
    const json::value* data = field(body, "data");
    const json::value* args = field(body, "args");
    if (data != nullptr && args != nullptr) {
        return bad("give either \"data\" or \"args\", not both");
    }
    if (data != nullptr) {
        return json::array{*data};
    }
    if (args != nullptr) {
        if (!args->is_array()) {
            return bad("\"args\" must be an array");
        }
        return args->get_array();
    }
    return json::array{};
}

Expected<EmitRequest> parse_emit(const json::object& body) {
    auto target = parse_target(body);
    if (!target) {
        return target.error();
    }
    auto event = parse_event_name(field(body, "event"));
    if (!event) {
        return event.error();
    }
    auto args = parse_args(body);
    if (!args) {
        return args.error();
    }
    auto is_volatile = parse_flag(body, "volatile");
    if (!is_volatile) {
        return is_volatile.error();
    }
    return EmitRequest{std::move(*target), *is_volatile, std::move(*event), std::move(*args)};
}

Expected<EmitWithAckRequest> parse_emit_with_ack(const json::object& body) {
    auto target = parse_target(body);
    if (!target) {
        return target.error();
    }
    auto event = parse_event_name(field(body, "event"));
    if (!event) {
        return event.error();
    }
    auto args = parse_args(body);
    if (!args) {
        return args.error();
    }
    auto timeout = parse_ack_timeout(field(body, "timeout"));
    if (!timeout) {
        return timeout.error();
    }
    return EmitWithAckRequest{std::move(*target), std::move(*event), std::move(*args), *timeout};
}

Expected<RoomsRequest> parse_rooms_request(const json::object& body, std::string_view name) {
    auto target = parse_target(body);
    if (!target) {
        return target.error();
    }
    const json::value* v = field(body, name);
    if (v == nullptr || v->is_null()) {
        return bad(fmt::format("\"{}\" is required", name));
    }
    auto rooms = parse_rooms(*v, name);
    if (!rooms) {
        return rooms.error();
    }
    return RoomsRequest{std::move(*target), std::move(*rooms)};
}

Expected<DisconnectRequest> parse_disconnect(const json::object& body) {
    auto target = parse_target(body);
    if (!target) {
        return target.error();
    }
    auto close = parse_flag(body, "close");
    if (!close) {
        return close.error();
    }
    return DisconnectRequest{std::move(*target), *close};
}

Expected<ServerSideEmitRequest> parse_server_side_emit(const json::object& body) {
    auto target = parse_target(body);
    if (!target) {
        return target.error();
    }
    auto event = parse_event_name(field(body, "event"));
    if (!event) {
        return event.error();
    }
    auto args = parse_args(body);
    if (!args) {
        return args.error();
    }
    return ServerSideEmitRequest{std::move(target->nsp), std::move(*event), std::move(*args), std::move(target->rooms)};
}

namespace {

/** The decoded query parameters of a request target, in order. */
Expected<std::vector<std::pair<std::string, std::string>>> query_params(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        return bad("invalid request target");
    }
    std::vector<std::pair<std::string, std::string>> params;
    for (auto p : parsed->params()) {
        params.emplace_back(std::string(p.key), std::string(p.value));
    }
    return params;
}

}  // namespace

Expected<Target> parse_sockets_query(std::string_view target) {
    auto params = query_params(target);
    if (!params) {
        return params.error();
    }
    Target out;
    for (auto& [key, value] : *params) {
        if (key == "room" || key == "except") {
            if (value.empty()) {
                return bad(fmt::format("\"{}\" must be a non-empty string", key));
            }
            (key == "room" ? out.rooms : out.except).push_back(std::move(value));
        } else if (key == "namespace") {
            auto nsp = parse_namespace(value);
            if (!nsp) {
                return nsp.error();
            }
            out.nsp = std::move(*nsp);
        } else if (key == "local") {
            if (value != "true" && value != "false" && value != "1" && value != "0") {
                return bad("\"local\" must be true or false");
            }
            out.local = value == "true" || value == "1";
        }
    }
    return out;
}

Expected<std::string> parse_namespace_query(std::string_view target) {
    auto params = query_params(target);
    if (!params) {
        return params.error();
    }
    std::string nsp = "/";
    for (auto& [key, value] : *params) {
        if (key == "namespace") {
            auto parsed = parse_namespace(value);
            if (!parsed) {
                return parsed.error();
            }
            nsp = std::move(*parsed);
        }
    }
    return nsp;
}

Expected<DisconnectReasonQuery> parse_disconnect_reason_query(std::string_view target) {
    auto params = query_params(target);
    if (!params) {
        return params.error();
    }
    DisconnectReasonQuery out;
    bool has_id = false;
    for (auto& [key, value] : *params) {
        if (key == "id") {
            out.id = std::move(value);
            has_id = true;
        } else if (key == "namespace") {
            auto parsed = parse_namespace(value);
            if (!parsed) {
                return parsed.error();
            }
            out.nsp = std::move(*parsed);
        }
    }
    if (!has_id || out.id.empty()) {
        return bad("the \"id\" query parameter is required");
    }
    return out;
}

bool constant_time_equal(std::string_view given, std::string_view expected) noexcept {
    unsigned diff = given.size() == expected.size() ? 0U : 1U;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
        diff |= static_cast<unsigned>(g ^ static_cast<unsigned char>(expected[i]));
    }
    return diff == 0;
}

bool bearer_token_matches(std::string_view authorization, std::string_view token) noexcept {
    constexpr std::string_view kScheme = "bearer";
    if (authorization.size() <= kScheme.size()) {
        return false;
    }
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
            return false;
        }
    }
    std::string_view rest = authorization.substr(kScheme.size());
    if (rest.front() != ' ') {
        return false;
    }
    while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    while (!rest.empty() && rest.back() == ' ') {
        rest.remove_suffix(1);
    }
    return constant_time_equal(rest, token);
}

// ---- application events --------------------------------------------------------------------

Expected<std::vector<std::string>> parse_join_args(const json::array& args) {
    if (args.empty() || (args[0].is_array() && args[0].get_array().empty())) {
        return bad("\"room\" must be a non-empty string or an array of non-empty strings");
    }
    return parse_rooms(args[0], "room");
}

namespace {

/** `{event, args?, room?, except?}` as the first argument of `what` (room-emit, contract:relay). */
Expected<RoomEmitRequest> parse_event_object(const json::array& args, std::string_view what, bool with_except) {
    auto obj = first_object(args, what);
    if (!obj) {
        return obj.error();
    }
    const json::object& o = **obj;
    auto event = parse_event_name(field(o, "event"));
    if (!event) {
        return event.error();
    }
    auto payload = optional_array(o, "args");
    if (!payload) {
        return payload.error();
    }
    auto rooms = optional_rooms(o, "room");
    if (!rooms) {
        return rooms.error();
    }
    std::vector<std::string> except;
    if (with_except) {
        auto parsed_except = optional_rooms(o, "except");
        if (!parsed_except) {
            return parsed_except.error();
        }
        except = std::move(*parsed_except);
    }
    return RoomEmitRequest{std::move(*event), std::move(*payload), std::move(*rooms), std::move(except)};
}

}  // namespace

Expected<RoomEmitRequest> parse_room_emit(const json::array& args) {
    auto parsed = parse_event_object(args, "room-emit", /*with_except=*/true);
    if (!parsed) {
        return parsed.error();
    }
    return std::move(*parsed);
}

Expected<RequestAckRequest> parse_request_ack(const json::array& args) {
    auto obj = first_object(args, "request-ack");
    if (!obj) {
        return obj.error();
    }
    const json::object& o = **obj;
    auto event = parse_event_name(field(o, "event"));
    if (!event) {
        return event.error();
    }
    auto payload = optional_array(o, "args");
    if (!payload) {
        return payload.error();
    }
    auto timeout = parse_ack_timeout(field(o, "timeout"));
    if (!timeout) {
        return timeout.error();
    }
    return RequestAckRequest{std::move(*event), std::move(*payload), *timeout};
}

Expected<VolatileBurstRequest> parse_volatile_burst(const json::array& args) {
    auto obj = first_object(args, "volatile-burst");
    if (!obj) {
        return obj.error();
    }
    const json::object& o = **obj;
    VolatileBurstRequest out;
    if (const json::value* v = field(o, "event"); v != nullptr && !v->is_null()) {
        auto event = parse_event_name(v);
        if (!event) {
            return event.error();
        }
        out.event = std::move(*event);
    }
    const json::value* count = field(o, "count");
    if (count == nullptr) {
        return bad("\"count\" is required");
    }
    double n = -1;
    if (count->is_int64()) {
        n = static_cast<double>(count->get_int64());
    } else if (count->is_uint64()) {
        n = static_cast<double>(count->get_uint64());
    } else if (count->is_double() && std::isfinite(count->get_double()) &&
               std::floor(count->get_double()) == count->get_double()) {
        n = count->get_double();
    }
    if (n < 0) {
        return bad("\"count\" must be a non-negative integer");
    }
    out.count = n > static_cast<double>(kMaxVolatileBurst) ? kMaxVolatileBurst : static_cast<std::uint64_t>(n);
    return out;
}

Expected<RelayRequest> parse_relay(const json::array& args) {
    auto parsed = parse_event_object(args, "contract:relay", /*with_except=*/false);
    if (!parsed) {
        return parsed.error();
    }
    return RelayRequest{std::move(parsed->event), std::move(parsed->args), std::move(parsed->rooms)};
}

}  // namespace sio::server
