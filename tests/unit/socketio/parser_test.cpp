#include <sio/socketio/parser.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

using namespace sio::socketio;
using namespace std::string_literals;
namespace json = boost::json;

namespace {

json::value js(std::string_view text) {
    return json::parse(text);
}

Packet make(PacketType type, std::string nsp = "/", std::optional<std::uint64_t> id = {}, json::value data = nullptr,
            std::vector<std::string> attachments = {}) {
    Packet p;
    p.type = type;
    p.nsp = std::move(nsp);
    p.id = id;
    p.data = std::move(data);
    p.attachments = std::move(attachments);
    return p;
}

// Decodes one complete text packet with a fresh decoder.
boost::system::result<Packet> decode(std::string_view text) {
    Decoder d;
    auto r = d.feed_text(text);
    if (!r) return r.error();
    EXPECT_TRUE(r->has_value()) << "packet unexpectedly waits for attachments: " << text;
    if (!r->has_value()) return make_error_code(parse_error::bad_attachments);
    return std::move(**r);
}

void expect_rejected(std::string_view text, parse_error why) {
    auto r = decode(text);
    ASSERT_FALSE(r) << "accepted: " << text;
    EXPECT_EQ(r.error(), make_error_code(why)) << text << " -> " << r.error().message();
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Golden vectors of docs/protocol.md §2.2, both directions

struct Golden {
    const char* wire;
    Packet packet;
};

static const std::vector<Golden>& golden_text_vectors() {
    static const std::vector<Golden> vectors = {
        {"0", make(PacketType::connect)},
        {"0/admin,{\"token\":\"x\"}", make(PacketType::connect, "/admin", {}, js(R"({"token":"x"})"))},
        {"0{\"sid\":\"IzMwEu9WoEaDmU90AAAA\"}",
         make(PacketType::connect, "/", {}, js(R"({"sid":"IzMwEu9WoEaDmU90AAAA"})"))},
        {"0{\"sid\":\"zrqCrbUn8mj8g_pUAAAA\",\"pid\":\"OCVUvPBFQ-Ufh7fkAAAB\"}",
         make(PacketType::connect, "/", {}, js(R"({"sid":"zrqCrbUn8mj8g_pUAAAA","pid":"OCVUvPBFQ-Ufh7fkAAAB"})"))},
        {"4/nope,{\"message\":\"Invalid namespace\"}",
         make(PacketType::connect_error, "/nope", {}, js(R"({"message":"Invalid namespace"})"))},
        {"4{\"message\":\"not authorized\",\"data\":{\"code\":42}}",
         make(PacketType::connect_error, "/", {}, js(R"({"message":"not authorized","data":{"code":42}})"))},
        {"2[\"hello\",\"world\"]", make(PacketType::event, "/", {}, js(R"(["hello","world"])"))},
        {"2/admin,13[\"foo\"]", make(PacketType::event, "/admin", 13, js(R"(["foo"])"))},
        {"31[1,\"two\",{\"three\":3}]", make(PacketType::ack, "/", 1, js(R"([1,"two",{"three":3}])"))},
        {"1", make(PacketType::disconnect)},
        {"1/admin,", make(PacketType::disconnect, "/admin")},
        {"21[\"ping\"]", make(PacketType::event, "/", 1, js(R"(["ping"])"))},
        {"2[\"n\",1.5,100,1e+21,1e-7,-0.5]", make(PacketType::event, "/", {}, js(R"(["n",1.5,100,1e21,1e-7,-0.5])"))},
    };
    return vectors;
}

TEST(SocketioParser, EncodesGoldenVectors) {
    for (const auto& g : golden_text_vectors()) EXPECT_EQ(encode(g.packet), g.wire);
}

TEST(SocketioParser, DecodesGoldenVectors) {
    for (const auto& g : golden_text_vectors()) {
        auto r = decode(g.wire);
        ASSERT_TRUE(r) << g.wire << ": " << r.error().message();
        EXPECT_EQ(*r, g.packet) << g.wire;
        EXPECT_EQ(encode(*r), g.wire);
    }
}

TEST(SocketioParser, EncodesBinaryEventWithPlaceholdersAsType5) {
    auto p = make(PacketType::event, "/", {},
                  js(R"(["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])"),
                  {"\x01\x02\x03"s, "\x04"s});
    EXPECT_EQ(encode(p), R"(52-["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
}

TEST(SocketioParser, EncodesBinaryAckWithIdAsType6) {
    auto p = make(PacketType::ack, "/", 7, js(R"([{"_placeholder":true,"num":0},"x"])"), {"\xff"s});
    EXPECT_EQ(encode(p), R"(61-7[{"_placeholder":true,"num":0},"x"])");
    p.nsp = "/admin";
    EXPECT_EQ(encode(p), R"(61-/admin,7[{"_placeholder":true,"num":0},"x"])");
}

TEST(SocketioParser, EncodesBinaryTypeWithoutAttachmentsAsPlainType) {
    EXPECT_EQ(encode(make(PacketType::binary_event, "/", {}, js(R"(["a"])"))), R"(2["a"])");
    EXPECT_EQ(encode(make(PacketType::binary_ack, "/", 3, js(R"([])"))), "33[]");
    EXPECT_EQ(encode(make(PacketType::binary_event, "/", {}, js(R"(["a",{"_placeholder":true,"num":0}])"), {"x"})),
              R"(51-["a",{"_placeholder":true,"num":0}])");
}

TEST(SocketioParser, EncodesEmptyNamespaceAsMain) {
    EXPECT_EQ(encode(make(PacketType::disconnect, "")), "1");
}

TEST(SocketioParser, EncodesControlCharactersEscaped) {
    auto p = make(PacketType::event, "/", {},
                  json::array{"msg",
                              "a\x1e"
                              "b\n\"/\\é"});
    EXPECT_EQ(encode(p), "2[\"msg\",\"a\\u001eb\\n\\\"/\\\\é\"]");
    EXPECT_EQ(encode(p).find('\x1e'), std::string::npos);
}

TEST(SocketioParser, EncodesLargeAckId) {
    EXPECT_EQ(encode(make(PacketType::ack, "/", UINT64_MAX, json::array{})), "318446744073709551615[]");
}

TEST(SocketioParser, DecodesBinaryEventOnceAllAttachmentsArrived) {
    Decoder d;
    auto r = d.feed_text(R"(52-["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
    EXPECT_TRUE(d.pending());
    r = d.feed_binary("\x01\x02\x03"s);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
    EXPECT_TRUE(d.pending());
    r = d.feed_binary("\x04"s);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_FALSE(d.pending());
    const Packet& p = **r;
    EXPECT_EQ(p.type, PacketType::event);
    EXPECT_EQ(p.nsp, "/");
    EXPECT_FALSE(p.id);
    EXPECT_EQ(p.data, js(R"(["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])"));
    EXPECT_EQ(p.attachments, (std::vector<std::string>{"\x01\x02\x03"s, "\x04"s}));
    EXPECT_EQ(encode(p), R"(52-["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
    EXPECT_TRUE(is_placeholder(p.data.as_array()[1]));
}

TEST(SocketioParser, DecodesBinaryAckWithId) {
    Decoder d;
    auto r = d.feed_text(R"(61-7[{"_placeholder":true,"num":0},"x"])");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
    r = d.feed_binary(""s);  // an empty buffer is still an attachment
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, make(PacketType::ack, "/", 7, js(R"([{"_placeholder":true,"num":0},"x"])"), {""}));
    EXPECT_EQ(encode(**r), R"(61-7[{"_placeholder":true,"num":0},"x"])");
}

TEST(SocketioParser, DecodesBinaryEventOnNamespaceWithAckId) {
    Decoder d;
    ASSERT_TRUE(d.feed_text(R"(51-/admin,42["up",{"_placeholder":true,"num":0}])"));
    auto r = d.feed_binary("z");
    ASSERT_TRUE(r && r->has_value());
    EXPECT_EQ((*r)->nsp, "/admin");
    EXPECT_EQ((*r)->id, 42u);
    EXPECT_EQ((*r)->type, PacketType::event);
}

TEST(SocketioParser, DecodesDeeplyNestedPlaceholders) {
    Decoder d;
    ASSERT_TRUE(d.feed_text(
        R"(53-["e",[[{"a":[{"_placeholder":true,"num":2}]}]],{"b":{"c":{"_placeholder":true,"num":0}}},{"_placeholder":true,"num":1}])"));
    ASSERT_TRUE(d.feed_binary("0"));
    ASSERT_TRUE(d.feed_binary("1"));
    auto r = d.feed_binary("2");
    ASSERT_TRUE(r && r->has_value());
    EXPECT_EQ((*r)->attachments.size(), 3u);
}

TEST(SocketioParser, DecoderIsReusableAfterABinaryPacket) {
    Decoder d;
    ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
    ASSERT_TRUE(d.feed_binary("x"));
    auto r = d.feed_text(R"(2["b"])");
    ASSERT_TRUE(r && r->has_value());
    EXPECT_EQ((*r)->data, js(R"(["b"])"));
    EXPECT_TRUE((*r)->attachments.empty());
}

TEST(SocketioParser, LeavesFalsePlaceholderObjectsAlone) {
    Decoder d;
    ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":false,"num":9},{"_placeholder":true,"num":0}])"));
    auto r = d.feed_binary("x");
    ASSERT_TRUE(r && r->has_value());
}

TEST(SocketioParser, AcceptsEventWithoutPayloadLikeNode) {
    auto r = decode("2");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, make(PacketType::event));
    r = decode("213");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 13u);
    EXPECT_TRUE(r->data.is_null());
}

TEST(SocketioParser, ReadsNamespaceWithoutComma) {
    auto r = decode("2/admin");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->nsp, "/admin");
    EXPECT_TRUE(r->data.is_null());
    r = decode("0/admin,");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, make(PacketType::connect, "/admin"));
}

TEST(SocketioParser, AcceptsNumericEventName) {
    auto r = decode("2[42,\"x\"]");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->data, js("[42,\"x\"]"));
    EXPECT_TRUE(decode("2[1.5]"));
}

TEST(SocketioParser, AcceptsWhitespaceAroundJsonLikeJsonParse) {
    auto r = decode("2 [\"a\"] \n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->data, js(R"(["a"])"));
}

TEST(SocketioParser, AcceptsConnectErrorAsStringOrObject) {
    EXPECT_TRUE(decode("4\"oops\""));
    EXPECT_TRUE(decode("4{\"message\":\"x\"}"));
    expect_rejected("4[\"x\"]", parse_error::invalid_payload);
    expect_rejected("4true", parse_error::invalid_payload);
    EXPECT_TRUE(decode("442"));  // id 42, no payload: Node does not check a missing payload
}

TEST(SocketioParser, AcceptsAckWithEmptyArrayAndMaxId) {
    EXPECT_EQ(decode("30[]").value(), make(PacketType::ack, "/", 0, json::array{}));
    EXPECT_EQ(decode("318446744073709551615[]").value().id, UINT64_MAX);
}

TEST(SocketioParser, KeepsPlainEventsWithoutAttachmentsUntouched) {
    // Node only reconstructs 5/6 packets; a placeholder-looking object in a 2 is plain data.
    auto r = decode(R"(2["a",{"_placeholder":true,"num":5}])");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->attachments.empty());
}

// ------------------------------------------------------------------------------------------
// Rejections (docs/protocol.md §2.4, docs/contract.md §2.3)

TEST(SocketioParser, RejectsEmptyPacket) {
    expect_rejected("", parse_error::empty);
}

TEST(SocketioParser, RejectsUnknownType) {
    expect_rejected("7", parse_error::unknown_type);
    expect_rejected("9[\"a\"]", parse_error::unknown_type);
    expect_rejected("zzz", parse_error::unknown_type);  // Engine.IO `4zzz`
    expect_rejected("-1", parse_error::unknown_type);
    expect_rejected(" 2[\"a\"]", parse_error::unknown_type);
    expect_rejected("[\"a\"]", parse_error::unknown_type);
}

TEST(SocketioParser, RejectsNonObjectConnectPayload) {
    expect_rejected("0\"str\"", parse_error::invalid_payload);
    expect_rejected("0[]", parse_error::invalid_payload);
    expect_rejected("0null", parse_error::invalid_payload);
    expect_rejected("0/admin,\"str\"", parse_error::invalid_payload);
}

TEST(SocketioParser, RejectsReservedEventName) {
    for (auto name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
        expect_rejected("2[\""s + name + "\"]", parse_error::invalid_payload);
        expect_rejected("2/admin,5[\""s + name + "\",1]", parse_error::invalid_payload);
        expect_rejected("51-[\""s + name + "\",{\"_placeholder\":true,\"num\":0}]", parse_error::invalid_payload);
    }
    EXPECT_TRUE(decode("2[\"connection\"]"));  // not reserved on the wire
    EXPECT_TRUE(decode("2[\"error\"]"));
}

TEST(SocketioParser, RejectsEmptyOrNonArrayEventPayload) {
    expect_rejected("2[]", parse_error::invalid_payload);
    expect_rejected("2{}", parse_error::invalid_payload);
    expect_rejected("2\"hello\"", parse_error::invalid_payload);
    expect_rejected("21null", parse_error::invalid_payload);
    expect_rejected("2/admin,1{\"a\":1}", parse_error::invalid_payload);
}

TEST(SocketioParser, RejectsNonStringNonNumberEventName) {
    expect_rejected("2[true]", parse_error::invalid_payload);
    expect_rejected("2[null,1]", parse_error::invalid_payload);
    expect_rejected("2[{}]", parse_error::invalid_payload);
    expect_rejected("2[[\"a\"]]", parse_error::invalid_payload);
}

TEST(SocketioParser, RejectsNonArrayAck) {
    expect_rejected("31{}", parse_error::invalid_payload);
    expect_rejected("31\"x\"", parse_error::invalid_payload);
    expect_rejected("31true", parse_error::invalid_payload);
}

TEST(SocketioParser, RejectsDisconnectWithPayload) {
    expect_rejected("1{}", parse_error::invalid_payload);
    expect_rejected("1/admin,{}", parse_error::invalid_payload);
    expect_rejected("1null", parse_error::invalid_payload);
    expect_rejected("1\"bye\"", parse_error::invalid_payload);
    expect_rejected("1[]", parse_error::invalid_payload);
}

TEST(SocketioParser, RejectsZeroAttachments) {
    expect_rejected("50-[\"a\"]", parse_error::bad_attachments);
    expect_rejected("60-1[]", parse_error::bad_attachments);
}

TEST(SocketioParser, RejectsMalformedAttachmentCount) {
    expect_rejected("5-[\"a\"]", parse_error::bad_attachments);
    expect_rejected("51[\"a\"]", parse_error::bad_attachments);  // no dash
    expect_rejected("5", parse_error::bad_attachments);
    expect_rejected("5x-[\"a\"]", parse_error::bad_attachments);
    expect_rejected("5+1-[\"a\"]", parse_error::bad_attachments);
    expect_rejected("51x-[\"a\"]", parse_error::bad_attachments);
    expect_rejected("599999999999999999999999999-[\"a\"]", parse_error::bad_attachments);
}

TEST(SocketioParser, RejectsMoreThanTenAttachments) {
    expect_rejected("511-[\"a\"]", parse_error::bad_attachments);
    expect_rejected("5100000-[\"a\"]", parse_error::bad_attachments);
    Decoder ten;
    EXPECT_TRUE(ten.feed_text("510-[\"a\"]"));
    Decoder two(2);
    auto r = two.feed_text("53-[\"a\"]");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), parse_error::bad_attachments);
}

TEST(SocketioParser, HugeAttachmentLimitDoesNotPreallocate) {
    Decoder d(SIZE_MAX);
    auto r = d.feed_text(R"(518446744073709551615-["a",{"_placeholder":true,"num":0}])");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
    EXPECT_TRUE(d.pending());
    EXPECT_TRUE(d.feed_binary("x"));
}

TEST(SocketioParser, RejectsTruncatedJson) {
    expect_rejected("2[\"a\"", parse_error::invalid_json);
    expect_rejected("2[\"a", parse_error::invalid_json);
    expect_rejected("2[", parse_error::invalid_json);
    expect_rejected("0{\"token\":", parse_error::invalid_json);
    expect_rejected("2/admin,1[\"a\",{", parse_error::invalid_json);
}

TEST(SocketioParser, RejectsTrailingGarbage) {
    expect_rejected("2[\"a\"]x", parse_error::invalid_json);
    expect_rejected("2[\"a\"]]", parse_error::invalid_json);
    expect_rejected("2[\"a\"][\"b\"]", parse_error::invalid_json);
    expect_rejected("0{}{}", parse_error::invalid_json);
}

TEST(SocketioParser, RejectsNonNumericAckId) {
    expect_rejected("2abc[\"a\"]", parse_error::invalid_json);
    expect_rejected("2abc", parse_error::invalid_json);
    expect_rejected("21a[\"x\"]", parse_error::invalid_json);
    expect_rejected("2/admin,x1[\"a\"]", parse_error::invalid_json);
    expect_rejected("3-1[]", parse_error::invalid_json);
}

TEST(SocketioParser, RejectsAckIdThatOverflows) {
    expect_rejected("218446744073709551616[\"a\"]", parse_error::bad_ack_id);
    expect_rejected("3" + std::string(400, '9') + "[]", parse_error::bad_ack_id);
}

TEST(SocketioParser, RejectsNonJsonExtensions) {
    expect_rejected("2['a']", parse_error::invalid_json);
    expect_rejected("2[\"a\",]", parse_error::invalid_json);
    expect_rejected("2[\"a\"]//", parse_error::invalid_json);
    expect_rejected("2[NaN]", parse_error::invalid_json);
    expect_rejected("2[\"\xff\"]", parse_error::invalid_json);
}

TEST(SocketioParser, RejectsBinaryNobodyAnnounced) {
    Decoder d;
    auto r = d.feed_binary("\x01");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), parse_error::unexpected_binary);

    // ... also right after a complete binary packet.
    ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
    ASSERT_TRUE(d.feed_binary("x"));
    r = d.feed_binary("y");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), parse_error::unexpected_binary);
}

TEST(SocketioParser, RejectsTextWhileAttachmentsPending) {
    Decoder d;
    ASSERT_TRUE(d.feed_text(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"));
    ASSERT_TRUE(d.feed_binary("x"));
    auto r = d.feed_text(R"(2["b"])");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), parse_error::unexpected_text);
    EXPECT_FALSE(d.pending());
}

TEST(SocketioParser, RejectsPlaceholderIndexOutOfRange) {
    auto check = [](std::string_view text, std::size_t buffers) {
        Decoder d;
        ASSERT_TRUE(d.feed_text(text)) << text;
        boost::system::result<std::optional<Packet>> r = std::optional<Packet>();
        for (std::size_t i = 0; i < buffers; ++i) r = d.feed_binary("b");
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error(), parse_error::bad_placeholder) << text;
        EXPECT_FALSE(d.pending());
    };
    check(R"(51-["a",{"_placeholder":true,"num":1}])", 1);
    check(R"(52-["a",{"_placeholder":true,"num":2}])", 2);
    check(R"(51-["a",{"_placeholder":true,"num":-1}])", 1);
    check(R"(51-["a",{"_placeholder":true,"num":"0"}])", 1);
    check(R"(51-["a",{"_placeholder":true,"num":0.5}])", 1);
    check(R"(51-["a",{"_placeholder":true}])", 1);
    check(R"(51-["a",{"_placeholder":true,"num":null}])", 1);
    check(R"(51-["a",{"_placeholder":true,"num":1e300}])", 1);
    check(R"(51-["a",{"k":[{"_placeholder":true,"num":99}]}])", 1);
    check(R"(61-7[{"_placeholder":true,"num":18446744073709551615}])", 1);
}

TEST(SocketioParser, ErrorsHaveACategoryAndMessages) {
    boost::system::error_code ec = parse_error::invalid_payload;
    EXPECT_EQ(&ec.category(), &parse_error_category());
    EXPECT_EQ(ec.message(), "invalid payload");
    EXPECT_FALSE(make_error_code(parse_error::unexpected_text).message().empty());
}

// ------------------------------------------------------------------------------------------
// Robustness: every prefix of the golden vectors and random grammar soup must come back as a
// value (packet, pending or error) — never a crash or a sanitizer report.

TEST(SocketioParser, SurvivesPrefixesAndRandomInput) {
    std::vector<std::string> seeds;
    for (const auto& g : golden_text_vectors()) seeds.emplace_back(g.wire);
    seeds.emplace_back(R"(52-["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
    seeds.emplace_back(R"(61-7[{"_placeholder":true,"num":0},"x"])");
    for (const auto& s : seeds) {
        for (std::size_t n = 0; n <= s.size(); ++n) {
            Decoder d;
            (void)d.feed_text(std::string_view(s).substr(0, n));
            (void)d.feed_binary("x");
            (void)d.feed_binary("y");
        }
    }

    const std::string alphabet = "0123456789-/,[]{}\":_ptrue.eE+\\x\x1e\xff";
    std::mt19937 rng(12345);
    Decoder d(3);
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        const std::size_t len = rng() % 24;
        for (std::size_t k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
        auto r = (rng() % 4 == 0) ? d.feed_binary(s) : d.feed_text(s);
        if (r && r->has_value()) (void)encode(**r);
    }
    SUCCEED();
}

TEST(SocketioParser, SurvivesDeepNesting) {
    std::string deep = "2[\"a\"," + std::string(100000, '[') + std::string(100000, ']') + "]";
    auto r = decode(deep);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), parse_error::invalid_json);
    std::string ok = "2[\"a\"," + std::string(500, '[') + std::string(500, ']') + "]";
    EXPECT_TRUE(decode(ok));
}
