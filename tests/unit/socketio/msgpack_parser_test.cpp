// The msgpack parser (socket.io-msgpack-parser 3.0.2, docs/protocol.md §2.12): golden bytes from
// the real package, round trips, refusals, and a server whose every connection uses it.
//
// The golden vectors were made with Node 20 and socket.io-msgpack-parser 3.0.2 (notepack.io
// 2.2.0), `new (require("socket.io-msgpack-parser").Encoder)().encode(packet)[0].toString("hex")`
// for each packet object below, built as socket.io 4.8 builds it on the server (key order:
// socket.emit `{type, data, id?, nsp}`, socket.ack `{id, type, data, nsp}`) and as
// socket.io-client 4.8.4 builds it (its emit adds `options: {compress: true}`, its CONNECT has
// `data: undefined`). The refusals were checked the same way with its Decoder#add.

#include <sio/socketio/msgpack_parser.hpp>

#include <gtest/gtest.h>

#include <random>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <sio/socketio/msgpack_value.hpp>
#include <sio/socketio/parser.hpp>

#include "support/socketio_harness.hpp"
#include "unit/adapter/redis_vectors.hpp"

using namespace sio;
using namespace sio::socketio;
namespace json = boost::json;
using sio::redis_test::tohex;
using sio::redis_test::unhex;
using sio::test::Connection;
using sio::test::Harness;

namespace {

std::string bin(std::initializer_list<unsigned char> bytes) {
    return std::string(bytes.begin(), bytes.end());
}

/** The one frame msgpack_parser() makes for `p`, as hex (binary frames only). */
std::string encoded_hex(const Packet& p) {
    auto frames = msgpack_parser()->encode_frames(p);
    EXPECT_EQ(frames.size(), 1u);
    if (frames.size() != 1) return "<none>";
    EXPECT_TRUE(frames[0]->binary);
    return tohex(frames[0]->bytes);
}

Packet decoded(std::string_view hex) {
    auto d = msgpack_parser()->make_decoder(10);
    auto r = d->feed_binary(unhex(hex));
    EXPECT_TRUE(r.has_value()) << hex << ": " << r.error().message();
    if (!r || !*r) return {};
    return std::move(**r);
}

boost::system::error_code refusal(std::string_view hex) {
    auto d = msgpack_parser()->make_decoder(10);
    auto r = d->feed_binary(unhex(hex));
    EXPECT_FALSE(r.has_value()) << hex << " was accepted";
    return r ? boost::system::error_code() : r.error();
}

// ---- golden vectors: server -> client --------------------------------------------------------

TEST(MsgpackParser, EncodesAsTheNodeParser) {
    // {type: 0, data: {sid: "FtR6Ewlw0mJOxuiGAAAB"}, nsp: "/"}
    EXPECT_EQ(
        encoded_hex(Packet{PacketType::connect, "/", std::nullopt, json::object{{"sid", "FtR6Ewlw0mJOxuiGAAAB"}}, {}}),
        "83a47479706500a46461746181a3736964b44674523645776c77306d4a4f7875694741414142a36e7370a12f");
    // {type: 2, data: ["hello", "world", 1, 1.5, null, true, {nested: [1, "x"]}], nsp: "/"}
    EXPECT_EQ(encoded_hex(Packet{
                  PacketType::event,
                  "/",
                  std::nullopt,
                  json::array{"hello", "world", 1, 1.5, nullptr, true, json::object{{"nested", json::array{1, "x"}}}},
                  {}}),
              "83a47479706502a46461746197a568656c6c6fa5776f726c6401cb3ff8000000000000c0c381a66e65737465649201a178a36e73"
              "70a12f");
    // {type: 2, data: ["ask", {a: -1}], id: 7, nsp: "/admin"}
    EXPECT_EQ(encoded_hex(Packet{PacketType::event, "/admin", 7, json::array{"ask", json::object{{"a", -1}}}, {}}),
              "84a47479706502a46461746192a361736b81a161ffa2696407a36e7370a62f61646d696e");
    // {type: 2, data: ["bin", Buffer[1, 2, 3], {buf: Buffer[4]}], nsp: "/"}
    EXPECT_EQ(encoded_hex(Packet{PacketType::event,
                                 "/",
                                 std::nullopt,
                                 json::array{"bin", make_placeholder(0), json::object{{"buf", make_placeholder(1)}}},
                                 {bin({1, 2, 3}), bin({4})}}),
              "83a47479706502a46461746193a362696ec40301020381a3627566c40104a36e7370a12f");
    // {id: 300, type: 3, data: ["ok", Buffer[0xca, 0xfe]], nsp: "/"}; a binary_ack is still 3
    EXPECT_EQ(encoded_hex(Packet{
                  PacketType::binary_ack, "/", 300, json::array{"ok", make_placeholder(0)}, {bin({0xca, 0xfe})}}),
              "84a26964cd012ca47479706503a46461746192a26f6bc402cafea36e7370a12f");
    // {type: 1, nsp: "/admin"}
    EXPECT_EQ(encoded_hex(Packet{PacketType::disconnect, "/admin", std::nullopt, nullptr, {}}),
              "82a47479706501a36e7370a62f61646d696e");
    // {type: 4, data: {message: "Invalid namespace"}, nsp: "/nope"}
    EXPECT_EQ(
        encoded_hex(Packet{
            PacketType::connect_error, "/nope", std::nullopt, json::object{{"message", "Invalid namespace"}}, {}}),
        "83a47479706504a46461746181a76d657373616765b1496e76616c6964206e616d657370616365a36e7370a52f6e6f7065");
    // {type: 2, data: ["x".repeat(40), 65536, -200, 2 ** 40], id: 70000, nsp: "/"}: str8, uint32,
    // int16, uint64 and a uint32 id
    EXPECT_EQ(
        encoded_hex(Packet{
            PacketType::event, "/", 70000, json::array{std::string(40, 'x'), 65536, -200, std::int64_t(1) << 40}, {}}),
        "84a47479706502a46461746194d928787878787878787878787878787878787878787878787878787878787878787878787878787878"
        "78ce00010000d1ff38cf0000010000000000a26964ce00011170a36e7370a12f");
}

// ---- golden vectors: client -> server --------------------------------------------------------

TEST(MsgpackParser, DecodesWhatTheNodeClientSends) {
    // {type: 0, data: undefined, nsp: "/"}: the undefined member is no payload
    Packet connect = decoded("83a47479706500a464617461d40000a36e7370a12f");
    EXPECT_EQ(connect, (Packet{PacketType::connect, "/", std::nullopt, nullptr, {}}));
    // {type: 0, data: {token: "abc"}, nsp: "/admin"}
    EXPECT_EQ(decoded("83a47479706500a46461746181a5746f6b656ea3616263a36e7370a62f61646d696e"),
              (Packet{PacketType::connect, "/admin", std::nullopt, json::object{{"token", "abc"}}, {}}));
    // {type: 2, data: ["hi", {n: [1, 2]}], options: {compress: true}, nsp: "/"}: options ignored
    EXPECT_EQ(
        decoded("84a47479706502a46461746192a2686981a16e920102a76f7074696f6e7381a8636f6d7072657373c3a36e7370a12f"),
        (Packet{PacketType::event, "/", std::nullopt, json::array{"hi", json::object{{"n", json::array{1, 2}}}}, {}}));
    // {type: 2, data: ["up", Buffer[9, 8]], options: {compress: true}, id: 0, nsp: "/admin"}
    EXPECT_EQ(
        decoded("85a47479706502a46461746192a27570c4020908a76f7074696f6e7381a8636f6d7072657373c3a2696400a36e7370a62f6164"
                "6d696e"),
        (Packet{PacketType::event, "/admin", 0, json::array{"up", make_placeholder(0)}, {bin({9, 8})}}));
    // {type: 3, id: 5, data: [{ok: true}], nsp: "/"}
    EXPECT_EQ(decoded("84a47479706503a2696405a4646174619181a26f6bc3a36e7370a12f"),
              (Packet{PacketType::ack, "/", 5, json::array{json::object{{"ok", true}}}, {}}));
    // {type: 1, nsp: "/"}
    EXPECT_EQ(decoded("82a47479706501a36e7370a12f"), (Packet{PacketType::disconnect, "/", std::nullopt, nullptr, {}}));
    // Accepted by Node too: type 2.0 as a float64, an empty namespace.
    EXPECT_EQ(decoded("83a474797065cb4000000000000000a46461746191a161a36e7370a12f").type, PacketType::event);
    EXPECT_EQ(decoded("83a47479706502a46461746191a161a36e7370a0").nsp, "");
}

TEST(MsgpackParser, RoundTrips) {
    std::vector<Packet> packets = {
        {PacketType::connect, "/", std::nullopt, nullptr, {}},
        {PacketType::connect, "/a", std::nullopt, json::object{{"sid", "x"}, {"pid", "y"}}, {}},
        {PacketType::disconnect, "/b", std::nullopt, nullptr, {}},
        {PacketType::event, "/", 1ull << 40, json::array{"e", 1.25, json::object{{"k", json::array{}}}}, {}},
        {PacketType::event,
         "/",
         std::nullopt,
         json::array{"b", make_placeholder(1), json::array{make_placeholder(0)}},
         {std::string(300, '\0'), std::string(70000, 'z')}},
        {PacketType::ack, "/c", 0, json::array{}, {}},
        {PacketType::connect_error, "/", std::nullopt, "refused", {}},
    };
    for (const auto& p : packets) {
        auto frames = msgpack_parser()->encode_frames(p);
        ASSERT_EQ(frames.size(), 1u);
        auto d = msgpack_parser()->make_decoder(10);
        auto back = d->feed_binary(frames[0]->bytes);
        ASSERT_TRUE(back.has_value()) << back.error().message();
        ASSERT_TRUE(*back);
        // The decoder numbers attachments in the order they appear: compare the bytes.
        EXPECT_EQ(back->value().type, p.type);
        EXPECT_EQ(back->value().nsp, p.nsp);
        EXPECT_EQ(back->value().id, p.id);
        auto again = msgpack_parser()->encode_frames(back->value());
        ASSERT_EQ(again.size(), 1u);
        EXPECT_EQ(again[0]->bytes, frames[0]->bytes);
    }
}

// ---- refusals --------------------------------------------------------------------------------

TEST(MsgpackParser, RefusesWhatTheNodeParserRefuses) {
    using pe = parse_error;
    struct Case {
        const char* hex;
        parse_error why;
    };
    const Case cases[] = {
        {"93010203", pe::unknown_type},                                                          // not a map
        {"c0", pe::unknown_type},                                                                // nil
        {"83a47479706505a46461746191a161a36e7370a12f", pe::unknown_type},                        // type 5
        {"83a474797065a132a46461746191a161a36e7370a12f", pe::unknown_type},                      // type "2"
        {"83a474797065ff a46461746191a161a36e7370a12f", pe::unknown_type},                       // type -1
        {"82a47479706502a46461746191a161", pe::bad_namespace},                                   // no nsp
        {"83a47479706502a46461746191a161a36e737001", pe::bad_namespace},                         // nsp 1
        {"83a47479706502a46461746180a36e7370a12f", pe::invalid_payload},                         // EVENT {}
        {"82a47479706502a36e7370a12f", pe::invalid_payload},                                     // EVENT, no data
        {"83a47479706500a464617461c0a36e7370a12f", pe::invalid_payload},                         // CONNECT null
        {"83a47479706500a464617461c401aaa36e7370a12f", pe::invalid_payload},                     // CONNECT Buffer
        {"83a47479706501a46461746190a36e7370a12f", pe::invalid_payload},                         // DISCONNECT []
        {"83a47479706504a46461746190a36e7370a12f", pe::invalid_payload},                         // CONNECT_ERROR []
        {"82a47479706504a36e7370a12f", pe::invalid_payload},                                     // CONNECT_ERROR none
        {"84a47479706502a46461746191a161a26964cb3ff8000000000000a36e7370a12f", pe::bad_ack_id},  // id 1.5
        {"84a47479706502a46461746191a161a26964a131a36e7370a12f", pe::bad_ack_id},                // id "1"
        {"84a47479706502a46461746191a161a26964c0a36e7370a12f", pe::bad_ack_id},                  // id null
        {"83a47479706502a46461746191a1", pe::invalid_msgpack},                                   // truncated
        {"82a47479706501a36e7370a12fc0", pe::invalid_msgpack},                                   // trailing byte
        {"", pe::invalid_msgpack},
        {"c1", pe::invalid_msgpack},
        // Deliberately stricter than Node, which accepts these two:
        {"84a47479706502a46461746191a161a26964ffa36e7370a12f", pe::bad_ack_id},           // id -1
        {"83a47479706502a46461746191a7636f6e6e656374a36e7370a12f", pe::invalid_payload},  // "connect"
    };
    for (const auto& c : cases) {
        std::string hex = c.hex;
        std::erase(hex, ' ');
        EXPECT_EQ(refusal(hex), make_error_code(c.why)) << c.hex;
    }
}

TEST(MsgpackParser, RefusesTextMessages) {
    // Node's decoder throws on any string; so does this one, without looking at it.
    for (std::string_view text : {"2[\"a\"]", "0", ""}) {
        auto d = msgpack_parser()->make_decoder(10);
        auto r = d->feed_text(text);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error(), make_error_code(parse_error::text_message));
    }
}

TEST(MsgpackParser, RandomBytesNeverCrash) {
    std::mt19937 rng(7);
    const std::string seed = unhex(
        "85a47479706502a46461746192a27570c4020908a76f7074696f6e7381a8636f6d7072657373c3a2696400a"
        "36e7370a62f61646d696e");
    auto d = msgpack_parser()->make_decoder(10);
    for (int i = 0; i < 3000; ++i) {
        std::string bytes = seed;
        // Flip a few bytes, cut or extend: every answer is a packet or an error.
        for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
        if (i % 3 == 0) bytes.resize(rng() % bytes.size());
        if (i % 5 == 0) bytes += static_cast<char>(rng());
        auto r = d->feed_binary(bytes);
        if (r && *r) (void)msgpack_parser()->encode_frames(**r);
    }
    for (std::size_t n = 0; n < seed.size(); ++n) EXPECT_FALSE(d->feed_binary(seed.substr(0, n)).has_value());
}

TEST(MsgpackParser, UnencodablePacketIsDropped) {
    // A placeholder without its attachment: nothing to send rather than a wrong packet.
    auto frames = msgpack_parser()->encode_frames(
        Packet{PacketType::event, "/", std::nullopt, json::array{"e", make_placeholder(2)}, {}});
    EXPECT_TRUE(frames.empty());
}

// ---- a server whose connections use it -------------------------------------------------------

ServerOptions with_msgpack() {
    ServerOptions o;
    o.parser = msgpack_parser();
    return o;
}

/** The packet in the one binary frame `frame` ("bin:" + bytes, as FakeSession::take gives it). */
Packet packet_of(const std::string& frame) {
    EXPECT_TRUE(frame.starts_with("bin:")) << frame;
    if (!frame.starts_with("bin:")) return {};
    auto d = msgpack_parser()->make_decoder(10);
    auto r = d->feed_binary(std::string_view(frame).substr(4));
    EXPECT_TRUE(r && *r);
    return r && *r ? std::move(**r) : Packet{};
}

/** Joins `nsp` with a msgpack CONNECT; returns the sid. */
std::string join(Connection& c, const std::string& nsp = "/") {
    std::string bytes;
    EXPECT_FALSE(encode_msgpack(bytes, json::object{{"type", 0}, {"nsp", nsp}}));
    c.recv_binary(bytes);
    auto frames = c.take();
    EXPECT_EQ(frames.size(), 1u);
    if (frames.size() != 1) return {};
    Packet answer = packet_of(frames[0]);
    EXPECT_EQ(answer.type, PacketType::connect);
    EXPECT_EQ(answer.nsp, nsp);
    const auto* sid = answer.data.is_object() ? answer.data.as_object().if_contains("sid") : nullptr;
    return sid && sid->is_string() ? std::string(sid->as_string()) : std::string();
}

TEST(MsgpackParserServer, EventsAndAcksBothWaysAsOneBinaryFrame) {
    Harness h(with_msgpack());
    std::vector<Payload> got;
    h.server.of("/admin").on_connection([&](Socket& s) {
        s.on("up", [&](Socket&, Payload args, Ack ack) {
            got.push_back(args);
            Payload answer(json::array{"ok"});
            answer.push_binary(bin({0xca, 0xfe}));
            ack(std::move(answer));
        });
    });
    auto c = h.open();
    std::string sid = join(c, "/admin");
    ASSERT_EQ(sid.size(), 20u);

    // The client's emit with ack and a Buffer: {type, data, options, id: 0, nsp: "/admin"}
    c.recv_binary(
        unhex("85a47479706502a46461746192a27570c4020908a76f7074696f6e7381a8636f6d7072657373c3a2696400a36e7370a6"
              "2f61646d696e"));
    h.poll();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].args.size(), 1u);
    ASSERT_NE(got[0].attachment_of(got[0].args.at(0)), nullptr);
    EXPECT_EQ(*got[0].attachment_of(got[0].args.at(0)), bin({9, 8}));
    // The ack: {id: 0, type: 3, data: ["ok", Buffer[ca fe]], nsp: "/admin"}, one binary frame.
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(tohex(frames[0].substr(4)), "84a2696400a47479706503a46461746192a26f6bc402cafea36e7370a62f61646d696e");

    // Server -> client with ack, answered by the client's ACK.
    auto socket = h.server.of("/admin").socket(sid);
    ASSERT_TRUE(socket);
    std::optional<Payload> answer;
    socket->emit_with_ack("down", json::object{{"deep", json::array{1, json::object{{"x", nullptr}}}}},
                          [&](ErrorCode ec, Payload a) {
                              EXPECT_FALSE(ec);
                              answer = std::move(a);
                          });
    frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    Packet down = packet_of(frames[0]);
    EXPECT_EQ(down.type, PacketType::event);
    ASSERT_TRUE(down.id);
    EXPECT_EQ(down.data, (json::array{"down", json::object{{"deep", json::array{1, json::object{{"x", nullptr}}}}}}));
    std::string ack_bytes;
    ASSERT_FALSE(encode_msgpack(
        ack_bytes, json::object{{"type", 3}, {"id", *down.id}, {"data", json::array{"fine"}}, {"nsp", "/admin"}}));
    c.recv_binary(ack_bytes);
    h.poll();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->args, json::array{"fine"});
    EXPECT_FALSE(c.session->closed());
}

TEST(MsgpackParserServer, BroadcastReachesEveryClientAsOneSharedBinaryFrame) {
    Harness h(with_msgpack());
    auto a = h.open();
    auto b = h.open();
    join(a);
    join(b);
    Payload args(json::array{"news", json::object{{"n", 1}}});
    args.push_binary(bin({1, 2, 3}));
    h.server.of("/").emit("hello", std::move(args));
    ASSERT_EQ(a.session->units().size(), 1u);
    ASSERT_EQ(b.session->units().size(), 1u);
    ASSERT_EQ(a.session->units()[0].size(), 1u);
    const auto& frame = a.session->units()[0][0];
    EXPECT_TRUE(frame->binary);
    EXPECT_EQ(frame, b.session->units()[0][0]);  // encoded once, the same frame for both
    // {type: 2, data: ["hello", "news", {n: 1}, Buffer[1, 2, 3]], nsp: "/"}
    EXPECT_EQ(tohex(frame->bytes), "83a47479706502a46461746194a568656c6c6fa46e65777381a16e01c403010203a36e7370a12f");
}

TEST(MsgpackParserServer, RecoveredConnectionGetsTheMissedBinaryFrames) {
    ServerOptions o = with_msgpack();
    o.connection_state_recovery = true;
    Harness h(std::move(o));
    auto c = h.open();
    std::string bytes;
    ASSERT_FALSE(encode_msgpack(bytes, json::object{{"type", 0}, {"nsp", "/"}}));
    c.recv_binary(bytes);
    Packet answer = packet_of(c.take().at(0));
    std::string pid(answer.data.as_object().at("pid").as_string());
    auto socket = h.server.of("/").socket(std::string(answer.data.as_object().at("sid").as_string()));
    socket->emit("first");
    Packet first = packet_of(c.take().at(0));
    std::string offset(first.data.as_array().back().as_string());
    c.engine_close(engineio::CloseReason::transport_close);
    h.server.of("/").emit("missed", Payload(json::array{1}));
    socket->emit("gone");  // closed: not sent, not logged

    auto back = h.open();
    bytes.clear();
    ASSERT_FALSE(encode_msgpack(
        bytes, json::object{{"type", 0}, {"nsp", "/"}, {"data", json::object{{"pid", pid}, {"offset", offset}}}}));
    back.recv_binary(bytes);
    auto frames = back.take();
    ASSERT_EQ(frames.size(), 2u);
    Packet missed = packet_of(frames[0]);
    EXPECT_EQ(missed.data.as_array().at(0), "missed");
    EXPECT_EQ(packet_of(frames[1]).type, PacketType::connect);
}

TEST(MsgpackParserServer, MalformedOrTextMessageClosesTheConnection) {
    Harness h(with_msgpack());
    auto text = h.open();
    text.recv("0");  // the default parser's CONNECT
    EXPECT_TRUE(text.session->closed());
    EXPECT_EQ(text.session->closes(), std::vector<engineio::CloseReason>{engineio::CloseReason::forced_close});

    auto bad = h.open();
    join(bad);
    bad.recv_binary(unhex("83a47479706502a46461746180a36e7370a12f"));  // EVENT with {} as data
    EXPECT_TRUE(bad.session->closed());

    auto truncated = h.open();
    truncated.recv_binary(unhex("83a47479706500"));
    EXPECT_TRUE(truncated.session->closed());
}

TEST(MsgpackParserServer, UnknownNamespaceIsRefusedInMsgpack) {
    Harness h(with_msgpack());
    auto c = h.open();
    std::string bytes;
    ASSERT_FALSE(encode_msgpack(bytes, json::object{{"type", 0}, {"nsp", "/nope"}}));
    c.recv_binary(bytes);
    h.poll();
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(tohex(frames[0].substr(4)),
              "83a47479706504a46461746181a76d657373616765b1496e76616c6964206e616d657370616365a36e7370a52f6e6f7065");
    EXPECT_FALSE(c.session->closed());
}

}  // namespace
