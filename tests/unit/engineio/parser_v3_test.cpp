// The Engine.IO protocol 3 codec (docs/protocol.md §1.14). The expected bytes were produced by
// the engine.io-parser 2.x that engine.io 6.6 embeds (encodePayload / decodePayload /
// encodePacket), so a change here is a change of the wire.

#include <sio/engineio/parser_v3.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace v3 = sio::engineio::v3;
using sio::engineio::Frame;
using sio::engineio::make_binary_frame;
using sio::engineio::make_text_frame;
using sio::engineio::Packet;
using sio::engineio::PacketType;

std::string hex(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string unhex(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
    }
    return out;
}

Packet message(std::string data) {
    return Packet{PacketType::message, std::move(data), false};
}
Packet binary(std::string data) {
    return Packet{PacketType::message, std::move(data), true};
}
Packet ping(std::string data = {}) {
    return Packet{PacketType::ping, std::move(data), false};
}

TEST(EngineioParserV3, Utf16LengthCountsAsJavaScriptDoes) {
    EXPECT_EQ(v3::utf16_length(""), 0u);
    EXPECT_EQ(v3::utf16_length("abc"), 3u);
    EXPECT_EQ(v3::utf16_length("\xc3\xa9"), 1u);          // é
    EXPECT_EQ(v3::utf16_length("\xe2\x82\xac"), 1u);      // €
    EXPECT_EQ(v3::utf16_length("\xf0\x9f\x98\x80"), 2u);  // 😀, a surrogate pair
    EXPECT_EQ(v3::utf16_length("42[\"h\xc3\xa9llo\xf0\x9f\x98\x80\"]"), 13u);
    EXPECT_EQ(v3::utf16_length("\xff"), 1u);      // a stray byte counts once
    EXPECT_EQ(v3::utf16_length("\xe2\x82"), 2u);  // a truncated sequence too
}

TEST(EngineioParserV3, TextRecordsAreLengthPrefixed) {
    std::string payload;
    v3::append_text_record(payload, std::string_view(R"(0{"sid":"x"})"));
    EXPECT_EQ(payload, R"(12:0{"sid":"x"})");

    payload.clear();
    v3::append_text_record(payload, *make_text_frame("42[\"h\xc3\xa9llo\xf0\x9f\x98\x80\"]"));
    v3::append_text_record(payload, *make_binary_frame("\x01\x02\x03"));
    v3::append_text_record(payload, std::string_view("1"));
    EXPECT_EQ(payload, "13:42[\"h\xc3\xa9llo\xf0\x9f\x98\x80\"]6:b4AQID1:1");

    payload.clear();
    v3::append_text_record(payload, *make_text_frame("4" + std::string(300, 'x')));
    EXPECT_EQ(payload, "301:4" + std::string(300, 'x'));
}

TEST(EngineioParserV3, BinaryRecordsAreTheXhr2Format) {
    std::string payload;
    v3::append_binary_record(payload, *make_text_frame("42[\"h\xc3\xa9\"]"));
    v3::append_binary_record(payload, *make_binary_frame("\x01\x02\x03"));
    EXPECT_EQ(hex(payload), "0009ff34325b2268c3a9225d0104ff04010203");

    payload.clear();
    v3::append_binary_record(payload, *make_binary_frame(""));
    v3::append_binary_record(payload, std::string_view("6"));
    EXPECT_EQ(hex(payload), "0101ff040001ff36");

    payload.clear();
    v3::append_binary_record(payload, *make_text_frame("4" + std::string(300, 'x')));
    EXPECT_EQ(hex(payload.substr(0, 6)), "00030001ff34");  // 301 bytes: the digits 3 0 1
}

TEST(EngineioParserV3, WebSocketBinaryGetsATypeByteOrBecomesBase64) {
    auto text = make_text_frame("42[\"a\"]");
    EXPECT_EQ(v3::websocket_frame(text, false), text);  // the same shared frame
    EXPECT_EQ(v3::websocket_frame(text, true), text);
    auto bin = make_binary_frame("\x01\x02\x03");
    auto raw = v3::websocket_frame(bin, false);
    EXPECT_TRUE(raw->binary);
    EXPECT_EQ(hex(raw->bytes), "04010203");
    auto b64 = v3::websocket_frame(bin, true);
    EXPECT_FALSE(b64->binary);
    EXPECT_EQ(b64->bytes, "b4AQID");
}

TEST(EngineioParserV3, DecodesPackets) {
    EXPECT_EQ(*v3::decode_packet("4hello"), message("hello"));
    EXPECT_EQ(*v3::decode_packet("2"), ping());
    EXPECT_EQ(*v3::decode_packet("2probe"), ping("probe"));
    EXPECT_EQ(*v3::decode_packet("b4AQID"), binary("\x01\x02\x03"));
    EXPECT_FALSE(v3::decode_packet(""));
    EXPECT_FALSE(v3::decode_packet("7"));
    EXPECT_FALSE(v3::decode_packet("b"));
    EXPECT_FALSE(v3::decode_packet("b9AQID"));
    EXPECT_FALSE(v3::decode_packet("b4!!"));

    EXPECT_EQ(*v3::decode_binary_packet(std::string_view("\x04\x01\x02", 3)), binary("\x01\x02"));
    EXPECT_EQ(*v3::decode_binary_packet(std::string_view("\x04", 1)), binary(""));
    EXPECT_EQ(v3::decode_binary_packet(std::string_view("\x02", 1))->type, PacketType::ping);
    EXPECT_FALSE(v3::decode_binary_packet(""));
    EXPECT_FALSE(v3::decode_binary_packet("\x09"));
}

TEST(EngineioParserV3, DecodesTextPayloads) {
    auto decoded = v3::decode_payload("2:40");
    EXPECT_FALSE(decoded.error);
    EXPECT_EQ(decoded.packets, std::vector<Packet>{message("0")});

    decoded = v3::decode_payload("1:21:2");
    EXPECT_EQ(decoded.packets, (std::vector<Packet>{ping(), ping()}));

    decoded = v3::decode_payload("6:2[\"\xc3\xa9\"]");  // 6 UTF-16 units, 7 bytes
    EXPECT_FALSE(decoded.error);
    EXPECT_EQ(decoded.packets, std::vector<Packet>{ping("[\"\xc3\xa9\"]")});

    decoded = v3::decode_payload("13:42[\"h\xc3\xa9llo\xf0\x9f\x98\x80\"]1:6");
    EXPECT_FALSE(decoded.error);
    EXPECT_EQ(decoded.packets, (std::vector<Packet>{message("2[\"h\xc3\xa9llo\xf0\x9f\x98\x80\"]"),
                                                    Packet{PacketType::noop, "", false}}));

    decoded = v3::decode_payload("6:b4AQID");
    EXPECT_EQ(decoded.packets, std::vector<Packet>{binary("\x01\x02\x03")});

    decoded = v3::decode_payload("0:1:2");  // an empty record is skipped
    EXPECT_FALSE(decoded.error);
    EXPECT_EQ(decoded.packets, std::vector<Packet>{ping()});
}

TEST(EngineioParserV3, TextPayloadErrorsKeepThePacketsBefore) {
    auto decoded = v3::decode_payload("3:4ab1:x");
    EXPECT_TRUE(decoded.error);
    EXPECT_EQ(decoded.packets, std::vector<Packet>{message("ab")});

    for (std::string_view bad :
         {"", "x:4", "5:4abc", ":4", "2", "4:2[\"\xf0\x9f\x98\x80\"]", "99999999999:4", "1:4-1:4"}) {
        decoded = v3::decode_payload(bad);
        EXPECT_TRUE(decoded.error) << bad;
        if (bad != "1:4-1:4") {
            EXPECT_TRUE(decoded.packets.empty()) << bad;
        }
    }
}

TEST(EngineioParserV3, DecodesBinaryPayloads) {
    auto decoded = v3::decode_binary_payload(unhex("0009ff34325b2268c3a9225d0104ff04010203"));
    EXPECT_FALSE(decoded.error);
    EXPECT_EQ(decoded.packets, (std::vector<Packet>{message("2[\"h\xc3\xa9\"]"), binary("\x01\x02\x03")}));

    decoded = v3::decode_binary_payload(unhex("0101ff040001ff36"));
    EXPECT_FALSE(decoded.error);
    EXPECT_EQ(decoded.packets, (std::vector<Packet>{binary(""), Packet{PacketType::noop, "", false}}));

    // Lengths past the end, no digits, a digit over 9, no 255, an empty record: refused, with
    // what came before kept.
    for (std::string_view bad_hex : {"0009ff3432", "00ff34", "000aff34", "000134", "0000ff", "0001ff37"}) {
        decoded = v3::decode_binary_payload(unhex(bad_hex));
        EXPECT_TRUE(decoded.error) << bad_hex;
        EXPECT_TRUE(decoded.packets.empty()) << bad_hex;
    }
    decoded = v3::decode_binary_payload(unhex("0001ff360005ff"));
    EXPECT_TRUE(decoded.error);
    EXPECT_EQ(decoded.packets, (std::vector<Packet>{Packet{PacketType::noop, "", false}}));
}

TEST(EngineioParserV3, DecodingRoundTripsEncoding) {
    std::vector<sio::engineio::SharedFrame> frames = {make_text_frame("42[\"\xe2\x82\xac\"]"),
                                                      make_binary_frame(std::string("\x00\xff\x10", 3)),
                                                      make_text_frame("3")};
    std::string text;
    std::string bin;
    for (const auto& f : frames) {
        v3::append_text_record(text, *f);
        v3::append_binary_record(bin, *f);
    }
    std::vector<Packet> expected = {message("2[\"\xe2\x82\xac\"]"), binary(std::string("\x00\xff\x10", 3)),
                                    Packet{PacketType::pong, "", false}};
    EXPECT_EQ(v3::decode_payload(text).packets, expected);
    EXPECT_EQ(v3::decode_binary_payload(bin).packets, expected);
}

}  // namespace
