// The server side of the WebSocket opening handshake (RFC 6455 §4.2, Node `ws` messages).

#include "engineio/websocket_handshake.hpp"

#include <gtest/gtest.h>

namespace ws = sio::engineio::ws;
namespace bhttp = boost::beast::http;

namespace {

sio::http::Request upgrade_request() {
    sio::http::Request req{bhttp::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
    req.set(bhttp::field::host, "localhost");
    req.set(bhttp::field::upgrade, "websocket");
    req.set(bhttp::field::connection, "Upgrade");
    req.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");  // RFC 6455 §1.3
    req.set(bhttp::field::sec_websocket_version, "13");
    return req;
}

}  // namespace

TEST(WebSocketHandshake, AnswersWithTheRfcAcceptKey) {
    auto req = upgrade_request();
    EXPECT_FALSE(ws::upgrade_error(req));
    EXPECT_EQ(ws::switching_protocols_response(req),
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
}

TEST(WebSocketHandshake, SelectsTheFirstOfferedSubprotocolAsWsDoes) {
    auto req = upgrade_request();
    req.set(bhttp::field::sec_websocket_protocol, "chat, superchat");
    EXPECT_NE(ws::switching_protocols_response(req).find("\r\nSec-WebSocket-Protocol: chat\r\n"), std::string::npos);
}

TEST(WebSocketHandshake, RefusesBadUpgradeRequests) {
    auto no_key = upgrade_request();
    no_key.erase(bhttp::field::sec_websocket_key);
    EXPECT_EQ(ws::upgrade_error(no_key).value_or(""), "Missing or invalid Sec-WebSocket-Key header");

    auto short_key = upgrade_request();
    short_key.set(bhttp::field::sec_websocket_key, "c2hvcnQ=");
    EXPECT_EQ(ws::upgrade_error(short_key).value_or(""), "Missing or invalid Sec-WebSocket-Key header");

    auto old_version = upgrade_request();
    old_version.set(bhttp::field::sec_websocket_version, "7");
    EXPECT_EQ(ws::upgrade_error(old_version).value_or(""), "Missing or invalid Sec-WebSocket-Version header");

    auto not_websocket = upgrade_request();
    not_websocket.set(bhttp::field::upgrade, "h2c");
    EXPECT_EQ(ws::upgrade_error(not_websocket).value_or(""), "Invalid Upgrade header");

    auto post = upgrade_request();
    post.method(bhttp::verb::post);
    EXPECT_TRUE(ws::upgrade_error(post));
}
