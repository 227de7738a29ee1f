#pragma once
// Typed messages of @socket.io/redis-adapter 8.3.0 / @socket.io/redis-emitter 5.1.0 and their
// exact encodings (docs/protocol.md §4.3, §4.4, §7). No I/O: bytes in, bytes out.
//
// Binary travels as in socketio::Packet: placeholders `{"_placeholder":true,"num":N}` in the
// JSON plus an attachments vector. In msgpack messages (broadcasts, type 7 requests, type 9
// responses) they become `bin`; in JSON messages they become what JSON.stringify makes of a
// Node Buffer, `{"type":"Buffer","data":[...]}` (and stay plain objects when decoded, as in Node).
//
// No function here throws: malformed input and allocation failure are returned as errors
// (wire_errc, socketio::msgpack_errc, or errc::not_enough_memory).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <sio/socketio/adapter.hpp>
#include <sio/socketio/msgpack_value.hpp>
#include <sio/socketio/packet.hpp>
#include <sio/socketio/payload.hpp>

namespace sio::adapter::redis {

// The notepack codec is shared with the msgpack parser one layer down.
using socketio::decode_msgpack;
using socketio::encode_msgpack;
using socketio::max_msgpack_depth;
using socketio::msgpack_errc;

/** Errors of the message layer; the msgpack codec's own are socketio::msgpack_errc. */
enum class wire_errc {
    bad_json = 1,  // a message starting with `{` is not valid JSON
    malformed,     // the message does not have the expected shape
    unknown_type,  // request/response type not handled
};

const boost::system::error_category& wire_category() noexcept;
boost::system::error_code make_error_code(wire_errc e) noexcept;

// ---- identifiers -------------------------------------------------------------------------

/** The uid the emitter puts in its broadcasts and serverSideEmit requests. */
inline constexpr std::string_view emitter_uid = "emitter";

/** uid2(length): `length` characters of `A-Za-z0-9-_`, uniformly. Node uses 6 for adapter
    uids and request ids. */
std::string make_uid(std::mt19937_64& rng, std::size_t length = 6);

/** A request id as Node makes them (uid2(6)). */
std::string make_request_id(std::mt19937_64& rng);

// ---- broadcast options -------------------------------------------------------------------

/** `opts.flags` of a broadcast. Encoded (only the members that are set) in the order
    volatile, compress, local, expectSingleResponse, timeout. Node writes them in the order the
    operator methods were called; receivers do not depend on the order. Unknown keys (e.g. the
    old `binary`) are ignored when decoding. */
struct WireFlags {
    bool is_volatile = false;
    std::optional<bool> compress;                      // nullopt: not set (Node: compress enabled)
    bool local = false;                                // Node never publishes a local broadcast
    bool expect_single_response = false;               // RemoteSocket#emit
    std::optional<std::chrono::milliseconds> timeout;  // broadcasts with ack

    friend bool operator==(const WireFlags&, const WireFlags&) = default;
};

/** `opts` of a broadcast: `{"rooms":[..],"except":[..],"flags":{..}}`. */
struct WireOptions {
    std::vector<std::string> rooms;  // empty: every socket
    std::vector<std::string> except;
    WireFlags flags;

    friend bool operator==(const WireOptions&, const WireOptions&) = default;
};

/** Converts from the adapter's options (compress / expectSingleResponse left unset). */
WireOptions to_wire_options(const socketio::BroadcastOptions& opts);

/** Converts to the adapter's options (compress / expectSingleResponse dropped). */
socketio::BroadcastOptions to_broadcast_options(const WireOptions& opts);

/** Key order of a broadcast's `opts` map. */
enum class OptsKeyOrder {
    adapter,  // rooms, except, flags (redis-adapter)
    emitter,  // rooms, flags, except (redis-emitter)
};

// ---- broadcast message (channel K#N# or K#N#room#) ---------------------------------------

/** msgpack `[uid, {"type":2,"data":[ev,...args],"nsp":N}, opts]`. */
struct BroadcastMessage {
    std::string uid;
    /** type EVENT (BINARY_EVENT is accepted and written as 2 too), nsp, data = the JSON array
        [event, ...args] with placeholders, attachments; `id` is written after nsp if set (Node
        never publishes one). */
    socketio::Packet packet;
    WireOptions opts;

    friend bool operator==(const BroadcastMessage&, const BroadcastMessage&) = default;
};

/** Errors: malformed (packet type other than event/binary_event, data not an array),
    bad_placeholder, too_large. rooms/except are written deduplicated (Node spreads Sets). */
boost::system::result<std::string> encode_broadcast(const BroadcastMessage& msg,
                                                    OptsKeyOrder order = OptsKeyOrder::adapter);

/** Accepts what Node servers and the emitter publish: any key order, missing `nsp` => "/",
    missing `rooms`/`except`/`flags` => empty, packet type 2 or 5 (both become EVENT, binary as
    attachments), unknown flags, a non-string uid (=> ""), numeric rooms (=> their JS text),
    extra array elements. Rejected (malformed): not an array of >= 3, packet or opts not a map,
    non-string nsp, data not an array, other packet types, rooms that are neither strings nor
    numbers. Plus every decode_msgpack error. */
boost::system::result<BroadcastMessage> decode_broadcast(std::string_view bytes);

// ---- requests (channel K-request#N#) -----------------------------------------------------

enum class RequestType : std::uint8_t {
    sockets = 0,
    all_rooms = 1,
    remote_join = 2,
    remote_leave = 3,
    remote_disconnect = 4,
    remote_fetch = 5,
    server_side_emit = 6,
    broadcast = 7,
    broadcast_client_count = 8,
    broadcast_ack = 9,
};

/** `"opts":{"rooms":[..],"except":[..]}` of types 2-5 (no flags on the wire). */
struct Targets {
    std::vector<std::string> rooms;
    std::vector<std::string> except;
    friend bool operator==(const Targets&, const Targets&) = default;
};

// A missing `uid` (nullopt) is omitted when encoding: the emitter sends types 2-4 without one.

/** 0 SOCKETS `{"uid","requestId","type":0,"rooms":[..]}` (only older servers send it). */
struct SocketsRequest {
    std::optional<std::string> uid;
    std::string request_id;
    std::vector<std::string> rooms;
    friend bool operator==(const SocketsRequest&, const SocketsRequest&) = default;
};

/** 1 ALL_ROOMS `{"uid","requestId","type":1}`. */
struct AllRoomsRequest {
    std::optional<std::string> uid;
    std::string request_id;
    friend bool operator==(const AllRoomsRequest&, const AllRoomsRequest&) = default;
};

/** 2 REMOTE_JOIN (socketsJoin) `{"uid","type":2,"opts":{..},"rooms":[..]}`. */
struct SocketsJoinRequest {
    std::optional<std::string> uid;
    Targets opts;
    std::vector<std::string> rooms;
    friend bool operator==(const SocketsJoinRequest&, const SocketsJoinRequest&) = default;
};

/** 3 REMOTE_LEAVE (socketsLeave) `{"uid","type":3,"opts":{..},"rooms":[..]}`. */
struct SocketsLeaveRequest {
    std::optional<std::string> uid;
    Targets opts;
    std::vector<std::string> rooms;
    friend bool operator==(const SocketsLeaveRequest&, const SocketsLeaveRequest&) = default;
};

/** 4 REMOTE_DISCONNECT (disconnectSockets) `{"uid","type":4,"opts":{..},"close":b}`. */
struct DisconnectSocketsRequest {
    std::optional<std::string> uid;
    Targets opts;
    bool close = false;
    friend bool operator==(const DisconnectSocketsRequest&, const DisconnectSocketsRequest&) = default;
};

/** Legacy 2 `{"uid","requestId","type":2,"sid","room"}` (answered with {"requestId"}). */
struct RemoteJoinRequest {
    std::optional<std::string> uid;
    std::string request_id;
    std::string sid;
    std::string room;
    friend bool operator==(const RemoteJoinRequest&, const RemoteJoinRequest&) = default;
};

/** Legacy 3 `{"uid","requestId","type":3,"sid","room"}`. */
struct RemoteLeaveRequest {
    std::optional<std::string> uid;
    std::string request_id;
    std::string sid;
    std::string room;
    friend bool operator==(const RemoteLeaveRequest&, const RemoteLeaveRequest&) = default;
};

/** Legacy 4 `{"uid","requestId","type":4,"sid","close"}`. */
struct RemoteDisconnectRequest {
    std::optional<std::string> uid;
    std::string request_id;
    std::string sid;
    bool close = false;
    friend bool operator==(const RemoteDisconnectRequest&, const RemoteDisconnectRequest&) = default;
};

/** 5 REMOTE_FETCH `{"uid","requestId","type":5,"opts":{..}}`. */
struct FetchSocketsRequest {
    std::optional<std::string> uid;
    std::string request_id;
    Targets opts;
    friend bool operator==(const FetchSocketsRequest&, const FetchSocketsRequest&) = default;
};

/** 6 SERVER_SIDE_EMIT `{"uid","type":6,"data":[ev,...args]}`, with ack
    `{"uid","requestId","type":6,"data":[..]}`. */
struct ServerSideEmitRequest {
    std::optional<std::string> uid;
    std::optional<std::string> request_id;  // set: the sender waits for acks
    socketio::Payload data;                 // [event, ...args]; JSON: binary written as Buffer JSON
    friend bool operator==(const ServerSideEmitRequest&, const ServerSideEmitRequest&) = default;
};

/** 7 BROADCAST (with ack), msgpack
    `{"uid","requestId","type":7,"packet":{"type":2,"data","nsp"},"opts":{rooms,except,flags}}`. */
struct BroadcastWithAckRequest {
    std::optional<std::string> uid;
    std::string request_id;
    socketio::Packet packet;
    WireOptions opts;
    friend bool operator==(const BroadcastWithAckRequest&, const BroadcastWithAckRequest&) = default;
};

using Request = std::variant<SocketsRequest, AllRoomsRequest, SocketsJoinRequest, SocketsLeaveRequest,
                             DisconnectSocketsRequest, RemoteJoinRequest, RemoteLeaveRequest, RemoteDisconnectRequest,
                             FetchSocketsRequest, ServerSideEmitRequest, BroadcastWithAckRequest>;

RequestType request_type(const Request& r) noexcept;

/** Exactly as 8.3.0 (and the emitter, with uid unset) writes it: JSON text for types 0-6 with
    the key order above, msgpack for type 7. */
boost::system::result<std::string> encode_request(const Request& r);

/** First byte `{` => JSON, else msgpack (as Node). Types 2/3/4 with a truthy `opts` are the
    socketsJoin/Leave/disconnectSockets forms, without it the legacy sid forms. Errors:
    bad_json, msgpack errors, unknown_type (missing/non-numeric type, 8, 9, >9), malformed
    (a member Node would crash on: opts of 5/7, data of 6, rooms of 2/3, packet of 7). */
boost::system::result<Request> decode_request(std::string_view bytes);

// ---- responses (channel K-response#N# or K-response#N#uid#) -------------------------------

/** A single value with its binary (placeholders in `value` refer to `attachments`). */
struct BinaryValue {
    boost::json::value value;
    std::vector<std::string> attachments;
    friend bool operator==(const BinaryValue&, const BinaryValue&) = default;
};

/** To 0: `{"requestId","sockets":[ids]}`. */
struct SocketsResponse {
    std::string request_id;
    std::vector<std::string> sockets;
    friend bool operator==(const SocketsResponse&, const SocketsResponse&) = default;
};

/** To 1: `{"requestId","rooms":[..]}`. */
struct AllRoomsResponse {
    std::string request_id;
    std::vector<std::string> rooms;
    friend bool operator==(const AllRoomsResponse&, const AllRoomsResponse&) = default;
};

/** To the legacy 2/3/4: `{"requestId"}`. */
struct RemoteDoneResponse {
    std::string request_id;
    friend bool operator==(const RemoteDoneResponse&, const RemoteDoneResponse&) = default;
};

/** To 5: `{"requestId","sockets":[{"id","handshake","rooms","data"}]}`. */
struct FetchSocketsResponse {
    std::string request_id;
    std::vector<socketio::SocketInfo> sockets;
};
bool operator==(const FetchSocketsResponse& a, const FetchSocketsResponse& b);

/** To 6 with ack: `{"type":6,"requestId","data":<first ack arg>}` (JSON; binary as Buffer JSON). */
struct ServerSideEmitResponse {
    std::string request_id;
    BinaryValue data;
    friend bool operator==(const ServerSideEmitResponse&, const ServerSideEmitResponse&) = default;
};

/** 8 BROADCAST_CLIENT_COUNT: `{"type":8,"requestId","clientCount":n}` (JSON). */
struct BroadcastClientCountResponse {
    std::string request_id;
    std::uint64_t client_count = 0;
    friend bool operator==(const BroadcastClientCountResponse&, const BroadcastClientCountResponse&) = default;
};

/** 9 BROADCAST_ACK: msgpack `{"type":9,"requestId","packet":<first ack arg>}`. */
struct BroadcastAckResponse {
    std::string request_id;
    BinaryValue packet;
    friend bool operator==(const BroadcastAckResponse&, const BroadcastAckResponse&) = default;
};

using Response = std::variant<SocketsResponse, AllRoomsResponse, RemoteDoneResponse, FetchSocketsResponse,
                              ServerSideEmitResponse, BroadcastClientCountResponse, BroadcastAckResponse>;

/** Exactly as 8.3.0 writes it: JSON for all but BROADCAST_ACK (msgpack). */
boost::system::result<std::string> encode_response(const Response& r);

/** A response before it is matched with its request. Node reads a response by the type of the
    *pending request* its requestId names (only broadcast-with-ack responses carry their own
    type), so decoding is in two steps: parse, look the requestId up, interpret. */
struct RawResponse {
    std::optional<std::string> request_id;  // nullopt: absent or not a string
    std::optional<std::int64_t> type;       // the message's own `type`, if an integer
    boost::json::object body;               // the whole message
    std::vector<std::string> attachments;   // binary of a msgpack message
};

/** First byte `{` => JSON, else msgpack. Errors: bad_json, msgpack errors, malformed (not a
    map). */
boost::system::result<RawResponse> parse_response(std::string_view bytes);

/** The response to a request of type `pending`, read as Node reads it: for 0/1/5 a missing or
    non-array list is an empty list (Node still counts the answer); 2/3/4 => RemoteDoneResponse;
    6 => `data` (null if absent); 7 (a broadcast with ack) => by the message's type, 8 =>
    client count (malformed unless a non-negative number), 9 => `packet` (null if absent),
    others unknown_type. List entries Node could not use (non-string ids, non-object sockets)
    are skipped; numeric rooms become their JS text. */
boost::system::result<Response> interpret_response(RawResponse raw, RequestType pending);

/** parse_response + interpret_response. */
boost::system::result<Response> decode_response(std::string_view bytes, RequestType pending);

}  // namespace sio::adapter::redis

template <>
struct boost::system::is_error_code_enum<sio::adapter::redis::wire_errc> : std::true_type {};
