#pragma once
// Pure validation for sio-server: JSON bodies, URL queries and event arguments in, typed
// requests or an error out. No I/O and no library state, so every rule of docs/contract.md §4-5 is
// unit-tested on its own (tests/unit/server/rest_validation_test.cpp). Execution lives in
// rest_api.cpp and app.cpp.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace sio::server {

/** The namespaces the built-in application serves (docs/contract.md §3). */
inline constexpr std::array<std::string_view, 3> kNamespaces{"/", "/custom", "/secure"};

/** The largest REST request body (docs/contract.md §5). */
inline constexpr std::size_t kMaxRestBody = 1024 * 1024;

/** Ack timeouts of `request-ack` and `POST /emit-with-ack` (ms). */
inline constexpr std::chrono::milliseconds kDefaultAckTimeout{2000};
inline constexpr std::chrono::milliseconds kMaxAckTimeout{30000};

/** Cap of `volatile-burst` counts. */
inline constexpr std::uint64_t kMaxVolatileBurst = 10000;

/** A refused request: the HTTP status (400, or 404 for an unknown namespace) and the text
    sent as `{"error": message}` (REST) or `ack({"error": message})` (events). */
struct Invalid {
    unsigned status = 400;
    std::string message;
};

/** A value or the reason there is none. */
template <class T>
class Expected {
public:
    Expected(T value) : v_(std::move(value)) {}        // NOLINT: implicit on purpose
    Expected(Invalid error) : v_(std::move(error)) {}  // NOLINT
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& operator*() { return std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    const Invalid& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Invalid> v_;
};

// ---- building blocks --------------------------------------------------------------------

/** An event name: a non-empty string that is not reserved. `field` names it in errors. */
Expected<std::string> parse_event_name(const boost::json::value* v, std::string_view field = "event");

/** A room list from a string or an array of strings, each non-empty. `null`/absent is the
    caller's business. An empty array is a valid empty list. */
Expected<std::vector<std::string>> parse_rooms(const boost::json::value& v, std::string_view field);

/** `"custom"` -> `"/custom"`; 404 unless it is one of kNamespaces. */
Expected<std::string> parse_namespace(std::string_view name);

/** A timeout in ms: a positive number, default kDefaultAckTimeout when absent, capped at
    kMaxAckTimeout. */
Expected<std::chrono::milliseconds> parse_ack_timeout(const boost::json::value* v);

// ---- REST (docs/contract.md §5) ---------------------------------------------------------------------

/** The body as a JSON object. 400 for invalid JSON (an empty body included, as JSON.parse)
    or another JSON type. */
Expected<boost::json::object> parse_json_object(std::string_view body);

/** Common targeting fields: namespace, room, except, local. */
struct Target {
    std::string nsp = "/";
    std::vector<std::string> rooms;
    std::vector<std::string> except;
    bool local = false;
};

struct EmitRequest {
    Target target;
    bool is_volatile = false;
    std::string event;
    boost::json::array args;
};

struct EmitWithAckRequest {
    Target target;
    std::string event;
    boost::json::array args;
    std::chrono::milliseconds timeout = kDefaultAckTimeout;
};

/** POST /sockets/join (`join`) and /sockets/leave (`leave`). */
struct RoomsRequest {
    Target target;
    std::vector<std::string> rooms;
};

struct DisconnectRequest {
    Target target;
    bool close = false;
};

struct ServerSideEmitRequest {
    std::string nsp = "/";
    std::string event;
    boost::json::array args;
    std::vector<std::string> rooms;
};

struct DisconnectReasonQuery {
    std::optional<std::string> nsp;  // absent: any namespace
    std::string id;
};

Expected<Target> parse_target(const boost::json::object& body);
/** `data` (one argument) or `args` (array), not both; neither: no argument. */
Expected<boost::json::array> parse_args(const boost::json::object& body);

Expected<EmitRequest> parse_emit(const boost::json::object& body);
Expected<EmitWithAckRequest> parse_emit_with_ack(const boost::json::object& body);
/** `field` is "join" or "leave". */
Expected<RoomsRequest> parse_rooms_request(const boost::json::object& body, std::string_view field);
Expected<DisconnectRequest> parse_disconnect(const boost::json::object& body);
Expected<ServerSideEmitRequest> parse_server_side_emit(const boost::json::object& body);

/** GET /sockets?room=R&room=S&except=X&namespace=N (`target` is the request target, path and
    query). Repeated room/except parameters accumulate. */
Expected<Target> parse_sockets_query(std::string_view target);
/** GET /peers, /server-count: the `namespace` parameter (default "/"). */
Expected<std::string> parse_namespace_query(std::string_view target);
/** GET /disconnect-reason?id=SID[&namespace=N]. */
Expected<DisconnectReasonQuery> parse_disconnect_reason_query(std::string_view target);

/** Compares in time that depends only on `expected.size()`. */
bool constant_time_equal(std::string_view given, std::string_view expected) noexcept;
/** True when `authorization` is `Bearer <token>` (scheme case-insensitive). */
bool bearer_token_matches(std::string_view authorization, std::string_view token) noexcept;

// ---- application events (docs/contract.md §4) ----------------------------------------------------

/** join / leave: `args[0]` is a room or a non-empty array of rooms. */
Expected<std::vector<std::string>> parse_join_args(const boost::json::array& args);

struct RoomEmitRequest {
    std::string event;
    boost::json::array args;  // may hold placeholders: forward with the incoming attachments
    std::vector<std::string> rooms;
    std::vector<std::string> except;
};
Expected<RoomEmitRequest> parse_room_emit(const boost::json::array& args);

struct RequestAckRequest {
    std::string event;
    boost::json::array args;
    std::chrono::milliseconds timeout = kDefaultAckTimeout;
};
Expected<RequestAckRequest> parse_request_ack(const boost::json::array& args);

struct VolatileBurstRequest {
    std::string event = "volatile";
    std::uint64_t count = 0;  // capped at kMaxVolatileBurst
};
Expected<VolatileBurstRequest> parse_volatile_burst(const boost::json::array& args);

/** The `contract:relay` server-side event: `{event, args, room}`. */
struct RelayRequest {
    std::string event;
    boost::json::array args;
    std::vector<std::string> rooms;
};
Expected<RelayRequest> parse_relay(const boost::json::array& args);

}  // namespace sio::server
