// Typed Redis adapter/emitter messages against the bytes the real Node packages publish
// (tests/vectors/redis/vectors.json) and the captures of docs/protocol.md §4.3-4.5.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <sio/socketio/json.hpp>
#include <sio/socketio/packet.hpp>

#include "adapter/redis/wire.hpp"
#include "unit/adapter/redis_vectors.hpp"

namespace {

namespace json = boost::json;
using namespace sio::adapter::redis;
using namespace std::chrono_literals;
using sio::redis_test::parse;
using sio::redis_test::str;
using sio::redis_test::tohex;
using sio::redis_test::unhex;
using sio::socketio::make_placeholder;
using sio::socketio::Packet;
using sio::socketio::PacketType;
using sio::socketio::Payload;
using sio::socketio::to_json;

Packet pkt(std::string nsp, std::string_view data, std::vector<std::string> att = {}) {
    Packet p;
    p.type = PacketType::event;
    p.nsp = std::move(nsp);
    p.data = parse(data);
    p.attachments = std::move(att);
    return p;
}

Payload payload(std::string_view args, std::vector<std::string> att = {}) {
    Payload p(parse(args).as_array());
    p.attachments = std::move(att);
    return p;
}

WireFlags flags_from(const json::object& f) {
    WireFlags w;
    if (const auto* v = f.if_contains("volatile")) w.is_volatile = v->as_bool();
    if (const auto* v = f.if_contains("compress")) w.compress = v->as_bool();
    if (const auto* v = f.if_contains("local")) w.local = v->as_bool();
    if (const auto* v = f.if_contains("expectSingleResponse")) w.expect_single_response = v->as_bool();
    if (const auto* v = f.if_contains("timeout")) w.timeout = std::chrono::milliseconds(v->to_number<std::int64_t>());
    return w;
}

std::string encoded(const boost::system::result<std::string>& r) {
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
    return r ? *r : std::string("<error>");
}

// ---- broadcasts ---------------------------------------------------------------------------

TEST(RedisWire, NodeBroadcastVectors) {
    std::size_t encodes = 0;
    for (const auto& item : sio::redis_test::vector_list("broadcasts")) {
        const auto& v = item.as_object();
        const std::string name = str(v, "name");
        BroadcastMessage want;
        want.uid = str(v, "uid");
        want.packet = pkt(str(v, "nsp"), str(v, "json"), sio::redis_test::attachments(v));
        want.opts.rooms = sio::redis_test::strings(v.at("rooms"));
        want.opts.except = sio::redis_test::strings(v.at("except"));
        want.opts.flags = flags_from(v.at("flags").as_object());
        const std::string bytes = unhex(str(v, "hex"));

        auto got = decode_broadcast(bytes);
        ASSERT_TRUE(got.has_value()) << name << ": " << got.error().message();
        EXPECT_EQ(*got, want) << name << ": " << to_json(got->packet.data);

        if (v.at("encode").as_bool()) {
            const auto order = str(v, "order") == "emitter" ? OptsKeyOrder::emitter : OptsKeyOrder::adapter;
            EXPECT_EQ(tohex(encoded(encode_broadcast(want, order))), str(v, "hex")) << name;
            ++encodes;
        }
    }
    EXPECT_GE(encodes, 20u);
}

// docs/protocol.md §4.3 annotated capture, literally.
TEST(RedisWire, AnnotatedCapture) {
    const std::string hex =
        "93"
        "a6797573537067"
        "83"
        "a474797065"
        "02"
        "a464617461"
        "92"
        "aa726f6f6d2d6576656e74"
        "81a16101"
        "a36e7370"
        "a12f"
        "83"
        "a5726f6f6d73"
        "91a5726f6f6d31"
        "a6657863657074"
        "90"
        "a5666c616773"
        "80";
    BroadcastMessage msg{"yusSpg", pkt("/", R"(["room-event",{"a":1}])"), {{"room1"}, {}, {}}};
    EXPECT_EQ(tohex(encoded(encode_broadcast(msg))), hex);
    auto got = decode_broadcast(unhex(hex));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, msg);
}

// docs/protocol.md §4.5 deterministic vectors and captures.
TEST(RedisWire, DocumentVectors) {
    BroadcastMessage v1{"abc123", pkt("/", R"(["hello","world"])"), {}};
    EXPECT_EQ(tohex(encoded(encode_broadcast(v1))),
              "93a661626331323383a47479706502a46461746192a568656c6c6fa5776f726c64a36e7370a12f83a5726f6f6d7390a665786365"
              "707490a5666c61677380");
    BroadcastMessage v2{"abc123", pkt("/chat", R"(["ev",1.5,-1,null,true])"), {{"room1"}, {"sidX"}, {}}};
    v2.opts.flags.is_volatile = true;
    EXPECT_EQ(tohex(encoded(encode_broadcast(v2))),
              "93a661626331323383a47479706502a46461746195a26576cb3ff8000000000000ffc0c3a36e7370a52f6368617483a5726f6f6d"
              "7391a5726f6f6d31a665786365707491a473696458a5666c61677381a8766f6c6174696c65c3");
    BroadcastMessage v3{"abc123", pkt("/", R"(["file",{"_placeholder":true,"num":0}])", {"\xca\xfe"}), {}};
    EXPECT_EQ(tohex(encoded(encode_broadcast(v3))),
              "93a661626331323383a47479706502a46461746192a466696c65c402cafea36e7370a12f83a5726f6f6d7390a665786365707490"
              "a5666c61677380");
    BroadcastWithAckRequest v5{"abc123", "req001", pkt("/", R"(["q"])"), {}};
    v5.opts.flags.timeout = 5000ms;
    EXPECT_EQ(tohex(encoded(encode_request(v5))),
              "85a3756964a6616263313233a9726571756573744964a6726571303031a47479706507a67061636b657483a47479706502a46461"
              "746191a171a36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a774696d656f7574cd1388");
    BroadcastAckResponse v6{"req001", {json::value("answer"), {}}};
    EXPECT_EQ(tohex(encoded(encode_response(v6))),
              "83a47479706509a9726571756573744964a6726571303031a67061636b6574a6616e73776572");
    // §4.5: io.volatile.compress(false).emit("vol",1) ends with flags {"volatile":true,"compress":false}.
    BroadcastMessage vol{"yusSpg", pkt("/", R"(["vol",1])"), {}};
    vol.opts.flags.is_volatile = true;
    vol.opts.flags.compress = false;
    EXPECT_TRUE(
        tohex(encoded(encode_broadcast(vol))).ends_with("a5666c61677382a8766f6c6174696c65c3a8636f6d7072657373c2"));
}

TEST(RedisWire, BroadcastDecodingIsLenient) {
    // Hand-crafted messages a Node server accepts (§4.5): no flags, no nsp, float64 type, bin8.
    auto a =
        decode_broadcast(unhex("93a3414243"
                               "82a474797065cb4000000000000000a46461746192a161c40101"
                               "82a5726f6f6d7390a665786365707490"));
    ASSERT_TRUE(a.has_value()) << a.error().message();
    EXPECT_EQ(a->uid, "ABC");
    EXPECT_EQ(a->packet.nsp, "/");
    EXPECT_EQ(a->packet.type, PacketType::event);
    EXPECT_EQ(to_json(a->packet.data), R"(["a",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(a->packet.attachments, std::vector<std::string>{"\x01"});
    EXPECT_EQ(a->opts, WireOptions{});

    // Missing rooms => everyone; unknown flags; type 5; numeric rooms; uid not a string; a 4th element.
    json::array m{7, json::object{{"type", 5}, {"data", json::array{"e", 1}}, {"nsp", "/x"}, {"id", 12}},
                  json::object{{"except", json::array{5, "s"}},
                               {"flags", json::object{{"binary", true}, {"volatile", 1}, {"timeout", 250.0}}}},
                  "extra"};
    auto b = decode_broadcast(encoded(encode_msgpack(m)));
    ASSERT_TRUE(b.has_value()) << b.error().message();
    EXPECT_EQ(b->uid, "");
    EXPECT_EQ(b->packet.type, PacketType::event);
    EXPECT_EQ(b->packet.nsp, "/x");
    EXPECT_EQ(b->packet.id, std::optional<std::uint64_t>(12));
    EXPECT_TRUE(b->opts.rooms.empty());
    EXPECT_EQ(b->opts.except, (std::vector<std::string>{"5", "s"}));
    EXPECT_TRUE(b->opts.flags.is_volatile);
    EXPECT_EQ(b->opts.flags.timeout, std::optional<std::chrono::milliseconds>(250ms));

    // Binary outside the packet data does not leak into the packet's attachments.
    json::array c{sio::socketio::make_placeholder(0),
                  json::object{{"type", 2}, {"data", json::array{"e", make_placeholder(1)}}},
                  json::object{{"flags", json::object{{"x", make_placeholder(2)}}}}};
    auto cb = decode_broadcast(encoded(encode_msgpack(c, std::vector<std::string>{"u", "d", "f"})));
    ASSERT_TRUE(cb.has_value()) << cb.error().message();
    EXPECT_EQ(cb->packet.attachments, std::vector<std::string>{"d"});
    EXPECT_EQ(to_json(cb->packet.data), R"(["e",{"_placeholder":true,"num":0}])");
}

TEST(RedisWire, BroadcastDecodingRejects) {
    auto bad = [](const json::value& v) {
        auto r = decode_broadcast(encoded(encode_msgpack(v)));
        return !r.has_value();
    };
    const json::object packet{{"type", 2}, {"data", json::array{"e"}}};
    const json::object opts{{"rooms", json::array{}}};
    EXPECT_FALSE(bad(json::array{"u", packet, opts}));
    EXPECT_TRUE(bad(json::object{}));
    EXPECT_TRUE(bad(json::array{"u", packet}));
    EXPECT_TRUE(bad(json::array{"u", packet, nullptr}));
    EXPECT_TRUE(bad(json::array{"u", nullptr, opts}));
    EXPECT_TRUE(bad(json::array{"u", json::object{{"type", 3}, {"data", json::array{"e"}}}, opts}));
    EXPECT_TRUE(bad(json::array{"u", json::object{{"data", json::array{"e"}}}, opts}));
    EXPECT_TRUE(bad(json::array{"u", json::object{{"type", 2}, {"data", "e"}}, opts}));
    EXPECT_TRUE(bad(json::array{"u", json::object{{"type", 2}, {"data", json::array{"e"}}, {"nsp", 1}}, opts}));
    EXPECT_TRUE(bad(json::array{"u", packet, json::object{{"rooms", json::array{true}}}}));
    EXPECT_TRUE(bad(json::array{"u", packet, json::object{{"rooms", "room1"}}}));
    EXPECT_FALSE(decode_broadcast(unhex("93")).has_value());
    EXPECT_FALSE(decode_broadcast("").has_value());
}

TEST(RedisWire, BroadcastEncoding) {
    BroadcastMessage m{"u", pkt("/", R"(["e"])"), {{"a", "b", "a"}, {"x", "x"}, {}}};
    auto bytes = encoded(encode_broadcast(m));
    auto back = decode_broadcast(bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->opts.rooms, (std::vector<std::string>{"a", "b"}));  // a Set in Node
    EXPECT_EQ(back->opts.except, (std::vector<std::string>{"x"}));
    // BINARY_EVENT is published as type 2 (binary as bin), never 5 (§4.3).
    m.packet.type = PacketType::binary_event;
    EXPECT_EQ(encoded(encode_broadcast(m)), bytes);
    m.packet.type = PacketType::ack;
    EXPECT_FALSE(encode_broadcast(m).has_value());
    m.packet = pkt("/", R"(["e",{"_placeholder":true,"num":0}])");
    auto missing = encode_broadcast(m);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error(), make_error_code(msgpack_errc::bad_placeholder));
    // All flags, in the documented order.
    m = BroadcastMessage{"u", pkt("/", R"(["e"])"), {}};
    m.opts.flags = WireFlags{true, true, true, true, 70000ms};
    EXPECT_TRUE(tohex(encoded(encode_broadcast(m)))
                    .ends_with("85a8766f6c6174696c65c3a8636f6d7072657373c3a56c6f63616cc3"
                               "b465787065637453696e676c65526573706f6e7365c3a774696d656f7574ce00011170"));
    auto all = decode_broadcast(encoded(encode_broadcast(m)));
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->opts.flags, m.opts.flags);
}

TEST(RedisWire, OptionsConversion) {
    sio::socketio::BroadcastOptions o;
    o.rooms = {"r"};
    o.except = {"e"};
    o.flags.is_volatile = true;
    o.flags.local = true;
    o.flags.timeout = 10ms;
    const auto w = to_wire_options(o);
    EXPECT_EQ(w.rooms, o.rooms);
    EXPECT_EQ(w.except, o.except);
    EXPECT_TRUE(w.flags.is_volatile);
    EXPECT_TRUE(w.flags.local);
    EXPECT_EQ(w.flags.timeout, std::optional<std::chrono::milliseconds>(10ms));
    EXPECT_FALSE(w.flags.compress.has_value());
    const auto back = to_broadcast_options(w);
    EXPECT_EQ(back.rooms, o.rooms);
    EXPECT_EQ(back.except, o.except);
    EXPECT_TRUE(back.flags.is_volatile && back.flags.local);
    EXPECT_EQ(back.flags.timeout, o.flags.timeout);
}

// ---- requests -----------------------------------------------------------------------------

struct RequestCase {
    Request decoded;                // decode(Node bytes) must give this
    std::optional<Request> encode;  // encode(this) must give the Node bytes (nullopt: decode only)
};

std::map<std::string, RequestCase> request_cases() {
    const std::string sid = "qTpZjZPLeGVRHzY6AAAB";
    auto both = [](Request r) { return RequestCase{r, r}; };
    BroadcastWithAckRequest ack1{"yusSpg", "pnvPPc", pkt("/", R"(["ack-me",42])"), {}};
    ack1.opts.flags.timeout = 1000ms;
    BroadcastWithAckRequest ack2{"yusSpg",
                                 "req001",
                                 pkt("/", R"(["q",{"_placeholder":true,"num":0}])", {"\x07\x07"}),
                                 {{"room1"}, {"sidX"}, {}}};
    ack2.opts.flags.timeout = 5000ms;
    BroadcastWithAckRequest ack3{"abc123", "req002", pkt("/chat", R"(["c"])"), {}};
    ack3.opts.flags.is_volatile = true;
    ack3.opts.flags.timeout = 70000ms;
    return {
        {"all rooms", both(AllRoomsRequest{"yusSpg", "7nGYyz"})},
        {"fetch sockets", both(FetchSocketsRequest{"yusSpg", "uRQhle", {}})},
        {"fetch sockets rooms except", both(FetchSocketsRequest{"yusSpg", "Qw-_9z", {{"room1", "room2"}, {"sidX"}}})},
        {"sockets join", both(SocketsJoinRequest{"yusSpg", {{"room1"}, {}}, {"newroom"}})},
        {"sockets leave", both(SocketsLeaveRequest{"yusSpg", {{}, {"x"}}, {"newroom", "other"}})},
        {"disconnect sockets close", both(DisconnectSocketsRequest{"yusSpg", {{"room1"}, {}}, true})},
        {"disconnect sockets", both(DisconnectSocketsRequest{"yusSpg", {}, false})},
        {"server side emit", both(ServerSideEmitRequest{"yusSpg", std::nullopt, payload(R"(["sse","hi",2])")})},
        // Node stringifies the Buffer and the Date; the receiver gets plain JSON (as in Node).
        {"server side emit binary and date",
         {ServerSideEmitRequest{
              "yusSpg", std::nullopt,
              payload(R"(["sse-bin",{"type":"Buffer","data":[1,2]},{"d":"1970-01-01T00:00:00.000Z","n":1.5}])")},
          ServerSideEmitRequest{
              "yusSpg", std::nullopt,
              payload(R"(["sse-bin",{"_placeholder":true,"num":0},{"d":"1970-01-01T00:00:00.000Z","n":1.5}])",
                      {"\x01\x02"})}}},
        {"server side emit with ack", both(ServerSideEmitRequest{"yusSpg", "Fz-XlU", payload(R"(["sse","q"])")})},
        {"broadcast with ack", both(ack1)},
        {"broadcast with ack binary", both(ack2)},
        {"broadcast with ack /chat volatile", both(ack3)},
        {"sockets (type 0)", both(SocketsRequest{"yusSpg", "abcdef", {"room1"}})},
        {"legacy remote join", both(RemoteJoinRequest{"yusSpg", "abcdef", sid, "room7"})},
        {"legacy remote leave", both(RemoteLeaveRequest{"yusSpg", "abcdef", sid, "room7"})},
        {"legacy remote disconnect", both(RemoteDisconnectRequest{"yusSpg", "abcdef", sid, true})},
        {"emitter sockets join", both(SocketsJoinRequest{std::nullopt, {{"room1"}, {}}, {"ej"}})},
        {"emitter sockets leave", both(SocketsLeaveRequest{std::nullopt, {{}, {"x"}}, {"a", "b"}})},
        {"emitter disconnect sockets", both(DisconnectSocketsRequest{std::nullopt, {}, false})},
        {"emitter server side emit",
         both(ServerSideEmitRequest{std::string(emitter_uid), std::nullopt, payload(R"(["sse","from-emitter",3])")})},
        {"msgpack server side emit",
         {ServerSideEmitRequest{"yusSpg", "ffffff", payload(R"(["sse",{"_placeholder":true,"num":0}])", {"\x09"})},
          std::nullopt}},
    };
}

TEST(RedisWire, NodeRequestVectors) {
    auto cases = request_cases();
    std::set<std::string> seen;
    for (const auto& item : sio::redis_test::vector_list("requests")) {
        const auto& v = item.as_object();
        const std::string name = str(v, "name");
        auto it = cases.find(name);
        ASSERT_NE(it, cases.end()) << "no expectation for vector " << name;
        seen.insert(name);
        const std::string bytes = sio::redis_test::payload(v);
        auto got = decode_request(bytes);
        ASSERT_TRUE(got.has_value()) << name << ": " << got.error().message();
        EXPECT_EQ(*got, it->second.decoded) << name;
        EXPECT_EQ(request_type(*got), request_type(it->second.decoded)) << name;
        if (it->second.encode) {
            EXPECT_EQ(encoded(encode_request(*it->second.encode)), bytes) << name;
        }
        if (const auto* received = v.if_contains("received")) {
            // What Node's serverSideEmit listener received, as the C++ side sees it.
            const auto& p = std::get<ServerSideEmitRequest>(*got).data;
            EXPECT_EQ(to_json(json::value(p.args)), str(received->as_object(), "json"));
        }
    }
    EXPECT_EQ(seen.size(), cases.size());
}

TEST(RedisWire, RequestTypes) {
    EXPECT_EQ(request_type(SocketsJoinRequest{}), RequestType::remote_join);
    EXPECT_EQ(request_type(RemoteJoinRequest{}), RequestType::remote_join);
    EXPECT_EQ(request_type(DisconnectSocketsRequest{}), RequestType::remote_disconnect);
    EXPECT_EQ(request_type(BroadcastWithAckRequest{}), RequestType::broadcast);
}

TEST(RedisWire, RequestDecodingEdges) {
    EXPECT_FALSE(decode_request("{bad").has_value());
    EXPECT_EQ(decode_request("{bad").error(), make_error_code(wire_errc::bad_json));
    EXPECT_EQ(decode_request("{}").error(), make_error_code(wire_errc::unknown_type));
    EXPECT_EQ(decode_request(R"({"type":"1"})").error(), make_error_code(wire_errc::unknown_type));
    EXPECT_EQ(decode_request(R"({"type":8,"requestId":"x","clientCount":1})").error(),
              make_error_code(wire_errc::unknown_type));
    EXPECT_EQ(decode_request(R"({"type":10})").error(), make_error_code(wire_errc::unknown_type));
    EXPECT_EQ(decode_request(R"({"type":5,"requestId":"x"})").error(), make_error_code(wire_errc::malformed));
    EXPECT_EQ(decode_request(R"({"type":6})").error(), make_error_code(wire_errc::malformed));
    EXPECT_EQ(decode_request(R"({"type":2,"opts":{}})").error(), make_error_code(wire_errc::malformed));
    EXPECT_EQ(decode_request(R"({"type":7,"requestId":"x","opts":{}})").error(), make_error_code(wire_errc::malformed));
    EXPECT_EQ(decode_request("[1]").error(),
              make_error_code(msgpack_errc::trailing_bytes));  // not `{`: msgpack, 0x5b = 91
    // type as a float (JS 2.0 === 2); opts missing => legacy form; room as a number.
    auto legacy = decode_request(R"({"uid":"u","requestId":"r","type":2.0,"sid":"s","room":5})");
    ASSERT_TRUE(legacy.has_value());
    EXPECT_EQ(*legacy, Request(RemoteJoinRequest{"u", "r", "s", "5"}));
    // A JSON type 7 (not what 8.3.0 sends, but Node accepts it).
    auto j7 = decode_request(
        R"({"uid":"u","requestId":"r","type":7,"packet":{"type":2,"data":["e",1]},"opts":{"rooms":["a"],"except":[],"flags":{"timeout":5}}})");
    ASSERT_TRUE(j7.has_value());
    auto& b = std::get<BroadcastWithAckRequest>(*j7);
    EXPECT_EQ(b.packet, pkt("/", R"(["e",1])"));
    EXPECT_EQ(b.opts.rooms, std::vector<std::string>{"a"});
    EXPECT_EQ(b.opts.flags.timeout, std::optional<std::chrono::milliseconds>(5ms));
    // A msgpack request of another type.
    auto m1 = decode_request(encoded(encode_msgpack(json::object{{"uid", "u"}, {"requestId", "r"}, {"type", 1}})));
    ASSERT_TRUE(m1.has_value());
    EXPECT_EQ(*m1, Request(AllRoomsRequest{"u", "r"}));
}

// ---- responses ----------------------------------------------------------------------------

struct ResponseCase {
    RequestType pending;
    Response decoded;
    std::optional<Response> encode;
};

std::map<std::string, ResponseCase> response_cases() {
    auto both = [](RequestType t, Response r) { return ResponseCase{t, r, r}; };
    const auto ph0 = R"({"_placeholder":true,"num":0})";
    return {
        {"sockets", both(RequestType::sockets, SocketsResponse{"aaaaaa", {"Xy_-0123456789abcdeA"}})},
        {"all rooms",
         both(RequestType::all_rooms,
              AllRoomsResponse{"7nGYyz", {"qTpZjZPLeGVRHzY6AAAB", "room1", "Xy_-0123456789abcdeA", "room2"}})},
        {"legacy remote join", both(RequestType::remote_join, RemoteDoneResponse{"bbbbbb"})},
        {"legacy remote disconnect", both(RequestType::remote_disconnect, RemoteDoneResponse{"cccccc"})},
        {"fetch sockets empty", both(RequestType::remote_fetch, FetchSocketsResponse{"dddddd", {}})},
        {"server side emit ack",
         both(RequestType::server_side_emit, ServerSideEmitResponse{"Fz-XlU", {parse(R"({"from":"s2"})"), {}}})},
        {"server side emit ack binary",
         {RequestType::server_side_emit,
          ServerSideEmitResponse{"eeeeee", {parse(R"({"type":"Buffer","data":[1,2,3]})"), {}}},
          ServerSideEmitResponse{"eeeeee", {parse(ph0), {"\x01\x02\x03"}}}}},
        {"server side emit ack to msgpack request",
         both(RequestType::server_side_emit, ServerSideEmitResponse{"ffffff", {json::value("ok"), {}}})},
        {"broadcast client count", both(RequestType::broadcast, BroadcastClientCountResponse{"pnvPPc", 2})},
        {"broadcast ack",
         both(RequestType::broadcast, BroadcastAckResponse{"pnvPPc", {json::value("ack-from-B"), {}}})},
        // The Date arrives as a timestamp ext, read as its ISO string (re-encoding would write a string).
        {"broadcast ack binary",
         {RequestType::broadcast,
          BroadcastAckResponse{
              "pnvPPc",
              {parse(R"({"bin":{"_placeholder":true,"num":0},"d":"2023-11-14T22:13:20.123Z","n":1.25})"),
               {"\xde\xad"}}},
          std::nullopt}},
        {"broadcast client count zero", both(RequestType::broadcast, BroadcastClientCountResponse{"zzzzzz", 0})},
        {"broadcast client count two", both(RequestType::broadcast, BroadcastClientCountResponse{"yyyyyy", 2})},
        {"broadcast ack buffer",
         both(RequestType::broadcast, BroadcastAckResponse{"yyyyyy", {parse(ph0), {"\x01\x02"}}})},
        // ack() without argument: notepack omits the undefined member.
        {"broadcast ack undefined", {RequestType::broadcast, BroadcastAckResponse{"yyyyyy", {}}, std::nullopt}},
    };
}

TEST(RedisWire, NodeResponseVectors) {
    auto cases = response_cases();
    std::size_t matched = 0;
    for (const auto& item : sio::redis_test::vector_list("responses")) {
        const auto& v = item.as_object();
        const std::string name = str(v, "name");
        const std::string bytes = sio::redis_test::payload(v);
        const auto pending = static_cast<RequestType>(v.at("pending").as_int64());
        if (name == "fetch sockets") continue;  // below
        auto it = cases.find(name);
        ASSERT_NE(it, cases.end()) << "no expectation for vector " << name;
        ASSERT_EQ(it->second.pending, pending) << name;
        ++matched;
        auto got = decode_response(bytes, pending);
        ASSERT_TRUE(got.has_value()) << name << ": " << got.error().message();
        EXPECT_EQ(*got, it->second.decoded) << name;
        if (it->second.encode) {
            EXPECT_EQ(encoded(encode_response(*it->second.encode)), bytes) << name;
        }
    }
    EXPECT_EQ(matched, cases.size());
}

TEST(RedisWire, NodeFetchSocketsResponse) {
    for (const auto& item : sio::redis_test::vector_list("responses")) {
        const auto& v = item.as_object();
        if (str(v, "name") != "fetch sockets") continue;
        const std::string text = str(v, "text");
        auto got = decode_response(text, RequestType::remote_fetch);
        ASSERT_TRUE(got.has_value());
        const auto& r = std::get<FetchSocketsResponse>(*got);
        EXPECT_EQ(r.request_id, "uRQhle");
        ASSERT_EQ(r.sockets.size(), 2u);
        EXPECT_EQ(r.sockets[0].id, "qTpZjZPLeGVRHzY6AAAB");
        EXPECT_EQ(r.sockets[0].rooms, (std::vector<std::string>{"qTpZjZPLeGVRHzY6AAAB", "room1"}));
        EXPECT_EQ(to_json(r.sockets[0].data), R"({"user":"s2-user"})");
        EXPECT_EQ(r.sockets[1].id, "Xy_-0123456789abcdeA");
        EXPECT_EQ(to_json(r.sockets[1].data), R"({"n":1,"list":[1.5,null]})");
        EXPECT_EQ(r.sockets[0].handshake.at("address"), json::value("::ffff:127.0.0.1"));
        EXPECT_EQ(r.sockets[0].handshake.at("issued"), json::value(1795545544014));
        // Built from SocketInfo, the text is Node's byte for byte.
        EXPECT_EQ(encoded(encode_response(r)), text);
        return;
    }
    FAIL() << "vector missing";
}

TEST(RedisWire, ResponseReadingAsNode) {
    // Lists missing or of the wrong kind: an empty answer (Node counts it anyway).
    auto s = decode_response(R"({"requestId":"r"})", RequestType::remote_fetch);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(*s, Response(FetchSocketsResponse{"r", {}}));
    auto rooms = decode_response(R"({"requestId":"r","rooms":["a",5,null,1.5]})", RequestType::all_rooms);
    ASSERT_TRUE(rooms.has_value());
    EXPECT_EQ(*rooms, Response(AllRoomsResponse{"r", {"a", "5", "1.5"}}));
    auto skip = decode_response(R"({"requestId":"r","sockets":[1,{"id":2},{"id":"ok"}]})", RequestType::remote_fetch);
    ASSERT_TRUE(skip.has_value());
    ASSERT_EQ(std::get<FetchSocketsResponse>(*skip).sockets.size(), 1u);
    EXPECT_EQ(std::get<FetchSocketsResponse>(*skip).sockets[0].id, "ok");
    // Broadcast-with-ack answers carry their own type.
    EXPECT_EQ(decode_response(R"({"type":6,"requestId":"r"})", RequestType::broadcast).error(),
              make_error_code(wire_errc::unknown_type));
    EXPECT_EQ(decode_response(R"({"type":8,"requestId":"r"})", RequestType::broadcast).error(),
              make_error_code(wire_errc::malformed));
    EXPECT_EQ(decode_response(R"({"type":8,"requestId":"r","clientCount":-1})", RequestType::broadcast).error(),
              make_error_code(wire_errc::malformed));
    auto raw = parse_response(R"({"type":9,"packet":1})");
    ASSERT_TRUE(raw.has_value());
    EXPECT_FALSE(raw->request_id.has_value());
    EXPECT_EQ(raw->type, std::optional<std::int64_t>(9));
    EXPECT_FALSE(parse_response("[]").has_value());
    EXPECT_FALSE(parse_response("{").has_value());
    EXPECT_FALSE(parse_response("").has_value());
    // A response to a request type with no answer.
    EXPECT_FALSE(decode_response(R"({"requestId":"r"})", RequestType::broadcast_ack).has_value());
}

// ---- identifiers ----------------------------------------------------------------------------

TEST(RedisWire, Uids) {
    std::mt19937_64 rng(42);
    std::set<std::string> seen;
    std::set<char> chars;
    for (int i = 0; i < 2000; ++i) {
        auto id = make_request_id(rng);
        ASSERT_EQ(id.size(), 6u);
        for (char c : id) {
            ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
            chars.insert(c);
        }
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 2000u);
    EXPECT_EQ(chars.size(), 64u);
    EXPECT_EQ(make_uid(rng, 20).size(), 20u);
    std::mt19937_64 a(7), b(7);
    EXPECT_EQ(make_uid(a), make_uid(b));
}

// ---- hostile input --------------------------------------------------------------------------

TEST(RedisWire, TruncatedAndRandomInputNeverCrash) {
    std::vector<std::string> inputs;
    for (const char* list : {"broadcasts", "requests", "responses"})
        for (const auto& item : sio::redis_test::vector_list(list)) {
            const auto& v = item.as_object();
            inputs.push_back(v.contains("encoding") ? sio::redis_test::payload(v) : unhex(str(v, "hex")));
        }
    for (const auto& bytes : inputs) {
        const std::size_t limit = std::min<std::size_t>(bytes.size(), 400);
        for (std::size_t n = 0; n < limit; ++n) {
            const auto prefix = std::string_view(bytes).substr(0, n);
            (void)decode_broadcast(prefix);
            (void)decode_request(prefix);
            for (int t = 0; t <= 9; ++t) (void)decode_response(prefix, static_cast<RequestType>(t));
        }
    }
    std::mt19937_64 rng(99);
    for (int i = 0; i < 5000; ++i) {
        std::string bytes = inputs[rng() % inputs.size()].substr(0, 300);
        for (int k = 0; k < 3 && !bytes.empty(); ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
        (void)decode_broadcast(bytes);
        (void)decode_request(bytes);
        (void)decode_response(bytes, static_cast<RequestType>(rng() % 10));
    }
}

}  // namespace
