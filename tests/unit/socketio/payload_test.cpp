#include <sio/socketio/payload.hpp>

#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <sio/socketio/disconnect_reason.hpp>
#include <sio/socketio/json.hpp>
#include <sio/socketio/packet.hpp>
#include <sio/socketio/parser.hpp>

using namespace sio::socketio;
using namespace std::string_literals;
namespace json = boost::json;

TEST(SocketioPayload, PushBinaryAppendsPlaceholderAndAttachment) {
    Payload p(json::array{"bin-back"});
    p.push_binary("\x01\x02\x03"s);
    EXPECT_EQ(to_json(p.args), R"(["bin-back",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(p.attachments, (std::vector<std::string>{"\x01\x02\x03"s}));
}

TEST(SocketioPayload, AddBinaryNumbersAttachmentsInOrder) {
    Payload p(json::array{"bin-back"});
    p.args.push_back(p.add_binary("\x01\x02\x03"s));
    p.args.push_back(json::object{{"k", p.add_binary("\x04"s)}});
    EXPECT_EQ(p.attachments.size(), 2u);

    Packet packet;
    packet.type = PacketType::event;
    packet.data = p.args;
    packet.attachments = p.attachments;
    EXPECT_EQ(encode(packet), R"(52-["bin-back",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
}

TEST(SocketioPayload, ForwardsDecodedBinaryUnchanged) {
    Decoder d;
    ASSERT_TRUE(d.feed_text(R"(51-["echo",{"_placeholder":true,"num":0}])"));
    auto r = d.feed_binary("\xde\xad"s);
    ASSERT_TRUE(r && r->has_value());

    Payload p(json::array((*r)->data.as_array().begin() + 1, (*r)->data.as_array().end()));
    p.attachments = (*r)->attachments;
    json::array args{"echo"};
    for (const auto& a : p.args) args.push_back(a);
    Packet out;
    out.data = std::move(args);
    out.attachments = p.attachments;
    EXPECT_EQ(encode(out), R"(51-["echo",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(out.attachments.front(), "\xde\xad"s);
}

TEST(SocketioPayload, PlaceholdersAreRecognised) {
    EXPECT_TRUE(is_placeholder(make_placeholder(0)));
    EXPECT_TRUE(is_placeholder(make_placeholder(7)));
    EXPECT_EQ(to_json(make_placeholder(3)), R"({"_placeholder":true,"num":3})");
    EXPECT_TRUE(is_placeholder(json::parse(R"({"_placeholder":true,"num":2})")));
    EXPECT_TRUE(is_placeholder(json::parse(R"({"_placeholder":true,"num":2.0})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"({"_placeholder":false,"num":2})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"({"_placeholder":1,"num":2})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"({"_placeholder":true,"num":-1})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"({"_placeholder":true,"num":"2"})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"({"_placeholder":true,"num":0.5})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"({"_placeholder":true})")));
    EXPECT_FALSE(is_placeholder(json::parse(R"([{"_placeholder":true,"num":0}])")));
    EXPECT_FALSE(is_placeholder(json::value("x")));
}

TEST(SocketioPayload, EqualityCoversArgsAndAttachments) {
    Payload a(json::array{1});
    Payload b(json::array{1});
    EXPECT_EQ(a, b);
    b.push_binary("x");
    EXPECT_NE(a, b);
}

TEST(SocketioDisconnectReason, HasNodeStrings) {
    EXPECT_EQ(to_string(DisconnectReason::client_namespace_disconnect), "client namespace disconnect");
    EXPECT_EQ(to_string(DisconnectReason::server_namespace_disconnect), "server namespace disconnect");
    EXPECT_EQ(to_string(DisconnectReason::transport_close), "transport close");
    EXPECT_EQ(to_string(DisconnectReason::transport_error), "transport error");
    EXPECT_EQ(to_string(DisconnectReason::ping_timeout), "ping timeout");
    EXPECT_EQ(to_string(DisconnectReason::parse_error), "parse error");
    EXPECT_EQ(to_string(DisconnectReason::forced_close), "forced close");
    EXPECT_EQ(to_string(DisconnectReason::forced_server_close), "forced server close");
    EXPECT_EQ(to_string(DisconnectReason::server_shutting_down), "server shutting down");
}

TEST(SocketioDisconnectReason, MapsEngineReasons) {
    using sio::engineio::CloseReason;
    for (auto r : {CloseReason::transport_close, CloseReason::transport_error, CloseReason::parse_error,
                   CloseReason::ping_timeout, CloseReason::forced_close, CloseReason::server_shutting_down}) {
        EXPECT_EQ(to_string(from_engine(r)), sio::engineio::to_string(r));
    }
}

TEST(SocketioDisconnectReason, RecoverableReasonsMatchSocketIo48) {
    EXPECT_TRUE(is_recoverable(DisconnectReason::transport_error));
    EXPECT_TRUE(is_recoverable(DisconnectReason::transport_close));
    EXPECT_TRUE(is_recoverable(DisconnectReason::forced_close));
    EXPECT_TRUE(is_recoverable(DisconnectReason::ping_timeout));
    EXPECT_TRUE(is_recoverable(DisconnectReason::server_shutting_down));
    EXPECT_TRUE(is_recoverable(DisconnectReason::forced_server_close));
    EXPECT_FALSE(is_recoverable(DisconnectReason::client_namespace_disconnect));
    EXPECT_FALSE(is_recoverable(DisconnectReason::server_namespace_disconnect));
    EXPECT_FALSE(is_recoverable(DisconnectReason::parse_error));
}
