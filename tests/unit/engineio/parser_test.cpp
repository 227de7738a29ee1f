#include <sio/engineio/parser.hpp>

#include <string>

#include <gtest/gtest.h>

#include <sio/engineio/error.hpp>

using namespace sio::engineio;
using namespace std::string_literals;

namespace {

Packet text(PacketType t, std::string data = {}) {
    return Packet{t, std::move(data), false};
}

}  // namespace

TEST(EngineioParser, DecodesEveryTextPacketType) {
    EXPECT_EQ(decode_packet("0{\"sid\":\"x\"}").value(), text(PacketType::open, "{\"sid\":\"x\"}"));
    EXPECT_EQ(decode_packet("1").value(), text(PacketType::close));
    EXPECT_EQ(decode_packet("2").value(), text(PacketType::ping));
    EXPECT_EQ(decode_packet("2probe").value(), text(PacketType::ping, "probe"));
    EXPECT_EQ(decode_packet("3probe").value(), text(PacketType::pong, "probe"));
    EXPECT_EQ(decode_packet("4hello").value(), text(PacketType::message, "hello"));
    EXPECT_EQ(decode_packet("42[\"foo\"]").value(), text(PacketType::message, "2[\"foo\"]"));
    EXPECT_EQ(decode_packet("5").value(), text(PacketType::upgrade));
    EXPECT_EQ(decode_packet("6").value(), text(PacketType::noop));
}

TEST(EngineioParser, DecodesBase64BinaryMessage) {
    auto p = decode_packet("bAQIDBA==");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, PacketType::message);
    EXPECT_TRUE(p->binary);
    EXPECT_EQ(p->data, "\x01\x02\x03\x04"s);

    auto empty = decode_packet("b");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->binary);
    EXPECT_EQ(empty->data, "");
}

TEST(EngineioParser, RejectsEmptyPacket) {
    auto p = decode_packet("");
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), error::parse_error);
}

TEST(EngineioParser, RejectsUnknownFirstCharacter) {
    for (auto bad : {"7", "9", "abc", "x", " 4", "\x1e", "B"}) {
        auto p = decode_packet(bad);
        ASSERT_FALSE(p) << bad;
        EXPECT_EQ(p.error(), error::parse_error) << bad;
    }
}

TEST(EngineioParser, RejectsInvalidBase64) {
    EXPECT_FALSE(decode_packet("bAQ!D"));
    EXPECT_FALSE(decode_packet("bA"));
}

TEST(EngineioParser, DecodesPayloadSplitOnRecordSeparator) {
    auto packets = decode_payload(
        "42[\"hello\"]\x1e"
        "42[\"world\"]");
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 2u);
    EXPECT_EQ((*packets)[0], text(PacketType::message, "2[\"hello\"]"));
    EXPECT_EQ((*packets)[1], text(PacketType::message, "2[\"world\"]"));
}

TEST(EngineioParser, DecodesMixedPayloadWithBinaryRecords) {
    auto packets = decode_payload(
        "452-[\"a\"]\x1e"
        "bAQID\x1e"
        "bBA==");
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 3u);
    EXPECT_EQ((*packets)[0], text(PacketType::message, "52-[\"a\"]"));
    EXPECT_EQ((*packets)[1], (Packet{PacketType::message, "\x01\x02\x03"s, true}));
    EXPECT_EQ((*packets)[2], (Packet{PacketType::message, "\x04"s, true}));
}

TEST(EngineioParser, DecodesSinglePacketPayload) {
    auto packets = decode_payload("1");
    ASSERT_TRUE(packets);
    ASSERT_EQ(packets->size(), 1u);
    EXPECT_EQ((*packets)[0], text(PacketType::close));
}

TEST(EngineioParser, RejectsEmptyPayload) {
    auto packets = decode_payload("");
    ASSERT_FALSE(packets);
    EXPECT_EQ(packets.error(), error::parse_error);
}

TEST(EngineioParser, RejectsPayloadWithABadRecord) {
    EXPECT_FALSE(
        decode_payload("4a\x1e"
                       "9\x1e"
                       "4b"));
    EXPECT_FALSE(
        decode_payload("4a\x1e\x1e"
                       "4b"));               // empty record
    EXPECT_FALSE(decode_payload("4a\x1e"));  // trailing separator
    EXPECT_FALSE(
        decode_payload("4a\x1e"
                       "b!"));
}

TEST(EngineioParser, EncodesTextFrameAsDigitAndData) {
    auto f = encode_frame(text(PacketType::message, "2[\"hello\",\"world\"]"));
    EXPECT_FALSE(f->binary);
    EXPECT_EQ(f->bytes, "42[\"hello\",\"world\"]");
    EXPECT_EQ(encode_frame(text(PacketType::ping))->bytes, "2");
    EXPECT_EQ(encode_frame(text(PacketType::pong, "probe"))->bytes, "3probe");
    EXPECT_EQ(encode_frame(text(PacketType::noop))->bytes, "6");
    EXPECT_EQ(encode_frame(text(PacketType::open, "{}"))->bytes, "0{}");
}

TEST(EngineioParser, EncodesBinaryFrameAsRawBytesWithoutTypeByte) {
    auto f = encode_frame(Packet{PacketType::message, "\x01\x02\x03\x04"s, true});
    EXPECT_TRUE(f->binary);
    EXPECT_EQ(f->bytes, "\x01\x02\x03\x04"s);
}

TEST(EngineioParser, AppendsFramesToPollingPayload) {
    std::string payload;
    append_to_payload(payload, sio::engineio::Frame{"452-[\"a\"]", false});
    EXPECT_EQ(payload, "452-[\"a\"]");
    append_to_payload(payload, sio::engineio::Frame{"\x01\x02\x03"s, true});
    append_to_payload(payload, sio::engineio::Frame{"\x04"s, true});
    EXPECT_EQ(payload,
              "452-[\"a\"]\x1e"
              "bAQID\x1e"
              "bBA==");

    std::string single;
    append_to_payload(single, sio::engineio::Frame{"\x01\x02\x03\x04"s, true});
    EXPECT_EQ(single, "bAQIDBA==");

    std::string deferred_close;
    append_to_payload(deferred_close, *encode_frame(text(PacketType::noop)));
    append_to_payload(deferred_close, *encode_frame(text(PacketType::close)));
    EXPECT_EQ(deferred_close,
              "6\x1e"
              "1");
}

TEST(EngineioParser, PayloadRoundTrips) {
    std::string payload;
    const std::vector<Packet> packets = {
        text(PacketType::message, "2[\"x\"]"),
        Packet{PacketType::message, "\x00\xff\x1e"s, true},
        text(PacketType::ping),
    };
    for (const auto& p : packets) append_to_payload(payload, *encode_frame(p));
    auto decoded = decode_payload(payload);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, packets);
}

TEST(EngineioError, HasNodeMessagesForWireCodes) {
    EXPECT_EQ(error_message(error::unknown_transport), "Transport unknown");
    EXPECT_EQ(error_message(error::unknown_sid), "Session ID unknown");
    EXPECT_EQ(error_message(error::bad_handshake_method), "Bad handshake method");
    EXPECT_EQ(error_message(error::bad_request), "Bad request");
    EXPECT_EQ(error_message(error::forbidden), "Forbidden");
    EXPECT_EQ(error_message(error::unsupported_protocol_version), "Unsupported protocol version");
    EXPECT_EQ(static_cast<int>(error::forbidden), 4);
}

TEST(EngineioError, MakesErrorCodesInItsCategory) {
    boost::system::error_code ec = error::unknown_sid;
    EXPECT_EQ(ec.value(), 1);
    EXPECT_EQ(&ec.category(), &error_category());
    EXPECT_EQ(ec.message(), "Session ID unknown");
    EXPECT_EQ(ec, make_error_code(error::unknown_sid));
    EXPECT_NE(ec, make_error_code(error::unknown_transport));
}

TEST(EngineioError, CloseReasonsHaveNodeStrings) {
    EXPECT_EQ(to_string(CloseReason::transport_close), "transport close");
    EXPECT_EQ(to_string(CloseReason::transport_error), "transport error");
    EXPECT_EQ(to_string(CloseReason::parse_error), "parse error");
    EXPECT_EQ(to_string(CloseReason::ping_timeout), "ping timeout");
    EXPECT_EQ(to_string(CloseReason::forced_close), "forced close");
    EXPECT_EQ(to_string(CloseReason::server_shutting_down), "server shutting down");
}
