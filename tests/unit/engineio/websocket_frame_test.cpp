// RFC 6455 framing rules a server must enforce, byte by byte (websocket_frame.hpp).

#include "engineio/websocket_frame.hpp"

#include <string>

#include <gtest/gtest.h>

namespace ws = sio::engineio::ws;
using namespace std::string_literals;

namespace {

/** A masked client frame: `first` is FIN/RSV/opcode, the mask key 1,2,3,4. */
std::string client_frame(unsigned char first, const std::string& payload) {
    std::string f(1, static_cast<char>(first));
    const unsigned char key[4] = {1, 2, 3, 4};
    if (payload.size() < 126) {
        f += static_cast<char>(0x80 | payload.size());
    } else if (payload.size() <= 0xFFFF) {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(payload.size() >> 8);
        f += static_cast<char>(payload.size() & 0xFF);
    } else {
        f += static_cast<char>(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            f += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xFF);
    }
    f.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ key[i % 4]);
    return f;
}

}  // namespace

TEST(WebSocketFrame, HeaderSizesFollowThePayloadLength) {
    EXPECT_EQ(ws::encode_header(ws::Opcode::text, 0).view(), "\x81\x00"s);
    EXPECT_EQ(ws::encode_header(ws::Opcode::text, 125).view(), "\x81\x7d"s);
    EXPECT_EQ(ws::encode_header(ws::Opcode::binary, 126).view(), "\x82\x7e\x00\x7e"s);
    EXPECT_EQ(ws::encode_header(ws::Opcode::binary, 65535).view(), "\x82\x7e\xff\xff"s);
    EXPECT_EQ(ws::encode_header(ws::Opcode::text, 65536).view(), "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"s);
}

TEST(WebSocketFrame, CloseFramesCarryTheCodeOrNothing) {
    EXPECT_EQ(ws::encode_close_frame(std::nullopt), "\x88\x00"s);
    EXPECT_EQ(ws::encode_close_frame(ws::CloseCode::message_too_big), "\x88\x02\x03\xf1"s);  // 1009
    EXPECT_EQ(ws::encode_control_frame(ws::Opcode::pong, "hi"), "\x8a\x02hi"s);
}

TEST(WebSocketFrame, ParsesAndUnmasksAClientFrame) {
    for (std::size_t size : {0u, 5u, 125u, 126u, 1000u, 70000u}) {
        std::string payload(size, 'x');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        std::string frame = client_frame(0x81, payload);
        ws::IncomingHeader h;
        ASSERT_EQ(ws::parse_header(frame, h), ws::HeaderResult::complete) << size;
        EXPECT_TRUE(h.fin);
        EXPECT_EQ(h.opcode, ws::Opcode::text);
        EXPECT_EQ(h.payload_size, size);
        ASSERT_EQ(h.header_size + size, frame.size());
        ws::unmask(frame.data() + h.header_size, size, h.mask);
        EXPECT_EQ(frame.substr(h.header_size), payload) << size;
    }
}

TEST(WebSocketFrame, AskForMoreUntilTheHeaderAndMaskAreThere) {
    std::string frame = client_frame(0x82, std::string(300, 'b'));
    ws::IncomingHeader h;
    for (std::size_t cut = 0; cut < 8; ++cut) {  // 2 + 2 (length) + 4 (mask)
        EXPECT_EQ(ws::parse_header(std::string_view(frame).substr(0, cut), h), ws::HeaderResult::need_more) << cut;
    }
    EXPECT_EQ(ws::parse_header(std::string_view(frame).substr(0, 8), h), ws::HeaderResult::complete);
}

TEST(WebSocketFrame, RefusesWhatAServerMustRefuse) {
    ws::IncomingHeader h;
    auto unmasked = "\x81\x02hi"s;
    EXPECT_EQ(ws::parse_header(unmasked, h), ws::HeaderResult::protocol_error) << "unmasked client frame";
    EXPECT_EQ(ws::parse_header(client_frame(0xC1, "x"), h), ws::HeaderResult::protocol_error)
        << "RSV1 without extension";
    EXPECT_EQ(ws::parse_header(client_frame(0x83, "x"), h), ws::HeaderResult::protocol_error) << "reserved opcode 3";
    EXPECT_EQ(ws::parse_header(client_frame(0x8B, "x"), h), ws::HeaderResult::protocol_error) << "reserved opcode 0xB";
    EXPECT_EQ(ws::parse_header(client_frame(0x09, "x"), h), ws::HeaderResult::protocol_error) << "fragmented ping";
    EXPECT_EQ(ws::parse_header(client_frame(0x89, std::string(126, 'p')), h), ws::HeaderResult::protocol_error)
        << "control frame over 125 bytes";
    auto huge = "\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04"s;
    EXPECT_EQ(ws::parse_header(huge, h), ws::HeaderResult::protocol_error) << "64-bit length with the top bit set";
}

TEST(WebSocketFrame, AcceptsFragmentsAndControlFramesInBetween) {
    ws::IncomingHeader h;
    ASSERT_EQ(ws::parse_header(client_frame(0x01, "he"), h), ws::HeaderResult::complete);
    EXPECT_FALSE(h.fin);
    EXPECT_EQ(h.opcode, ws::Opcode::text);
    ASSERT_EQ(ws::parse_header(client_frame(0x89, "ping"), h), ws::HeaderResult::complete);
    EXPECT_EQ(h.opcode, ws::Opcode::ping);
    ASSERT_EQ(ws::parse_header(client_frame(0x80, "llo"), h), ws::HeaderResult::complete);
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.opcode, ws::Opcode::continuation);
}

TEST(WebSocketFrame, UnmaskWorksForEveryAlignment) {
    const std::array<std::uint8_t, 4> key = {0x11, 0x22, 0x33, 0x44};
    for (std::size_t size = 0; size < 40; ++size) {
        std::string data(size, '\0');
        for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 7);
        std::string original = data;
        ws::unmask(data.data(), size, key);
        for (std::size_t i = 0; i < size; ++i)
            EXPECT_EQ(static_cast<std::uint8_t>(data[i]), static_cast<std::uint8_t>(original[i]) ^ key[i % 4]);
        ws::unmask(data.data(), size, key);
        EXPECT_EQ(data, original);
    }
}

TEST(WebSocketFrame, CloseCodesAPeerMaySend) {
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999})
        EXPECT_TRUE(ws::is_valid_close_code(code)) << code;
    for (int code : {0, 999, 1004, 1005, 1006, 1012, 1015, 2999, 5000})
        EXPECT_FALSE(ws::is_valid_close_code(code)) << code;
}

TEST(WebSocketFrame, TextMustBeUtf8) {
    EXPECT_TRUE(ws::is_valid_utf8("42[\"héllo\",\"😀\"]"));
    EXPECT_TRUE(ws::is_valid_utf8(""));
    EXPECT_FALSE(ws::is_valid_utf8("\xff"));
    EXPECT_FALSE(ws::is_valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(ws::is_valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
    EXPECT_FALSE(ws::is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(ws::is_valid_utf8("ab\xe2\x82"));        // truncated
}
