// Engine.IO protocol 3 sessions (Options::allow_eio3, docs/protocol.md §1.14), driven over
// 127.0.0.1 as socket.io-client 2.x drives them: length-prefixed polling payloads, `b4<base64>`
// binary with `b64=1`, the XHR2 binary payload without it, a type byte on WebSocket binary
// frames, client pings answered with pongs, and the upgrade.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/engine_harness.hpp"

namespace {

using sio::engineio::CloseReason;
using sio::engineio::make_binary_frame;
using sio::engineio::make_text_frame;
using sio::engineio::Options;
using sio::engineio::Session;
using sio::engineio::SessionHandler;
using sio::test::EngineHarness;

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

struct Heard {
    std::vector<std::string> log;  // "text <data>", "binary <hex>", "close <reason>"
};

struct RecordingHandler final : SessionHandler {
    explicit RecordingHandler(Heard& into) : heard(&into) {}
    void on_message(std::string_view text) override { heard->log.push_back("text " + std::string(text)); }
    void on_binary(std::string_view bytes) override { heard->log.push_back("binary " + hex(bytes)); }
    void on_close(CloseReason reason) override { heard->log.push_back("close " + std::string(to_string(reason))); }
    Heard* heard;
};

class Eio3Session : public ::testing::Test {
protected:
    explicit Eio3Session(Options options = eio3()) {
        h_ = std::make_unique<EngineHarness>(options, [this](Session& session) {
            session_ = &session;
            return std::make_unique<RecordingHandler>(heard_);
        });
    }
    static Options eio3() {
        Options o;
        o.allow_eio3 = true;
        return o;
    }

    /** A v3 polling handshake (`extra`: more query parameters); returns the sid. */
    std::string open_polling(const std::string& extra = "") {
        auto res = h_->request("GET", "/engine.io/?EIO=3&transport=polling" + extra);
        EXPECT_TRUE(res && res->result_int() == 200);
        if (!res) return {};
        const std::string& body = res->body();
        auto colon = body.find(':');
        EXPECT_NE(colon, std::string::npos);
        auto open = boost::json::parse(body.substr(colon + 2));  // after `<len>:0`
        return std::string(open.as_object().at("sid").as_string());
    }

    std::string url(const std::string& sid, const std::string& extra = "") {
        return "/engine.io/?EIO=3&transport=polling&sid=" + sid + extra;
    }

    bool heard(const std::string& line) {
        return h_->run_until([&] { return std::find(heard_.log.begin(), heard_.log.end(), line) != heard_.log.end(); });
    }

    Session* session_ = nullptr;
    Heard heard_;
    std::unique_ptr<EngineHarness> h_;  // last: its sessions' handlers write into the above until it is gone
};

TEST_F(Eio3Session, PollingHandshakeIsALengthPrefixedOpenPacket) {
    auto res = h_->request("GET", "/engine.io/?EIO=3&transport=polling&b64=1");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 200);
    EXPECT_EQ((*res)["Content-Type"], "text/plain; charset=UTF-8");
    const std::string& body = res->body();
    auto colon = body.find(':');
    ASSERT_NE(colon, std::string::npos);
    std::string packet = body.substr(colon + 1);
    EXPECT_EQ(std::stoul(body.substr(0, colon)), packet.size());
    ASSERT_TRUE(packet.starts_with("0{\"sid\":\""));
    auto open = boost::json::parse(packet.substr(1)).as_object();
    EXPECT_EQ(open.at("sid").as_string().size(), 20u);
    EXPECT_EQ(open.at("upgrades"), boost::json::array{"websocket"});
    EXPECT_EQ(open.at("pingInterval"), 25000);
    EXPECT_EQ(open.at("pingTimeout"), 20000);
    EXPECT_EQ(open.at("maxPayload"), 1000000);
    ASSERT_NE(session_, nullptr);
    EXPECT_EQ(session_->protocol(), 3);
}

TEST_F(Eio3Session, AMissingEioIsRevision3) {
    auto res = h_->request("GET", "/engine.io/?transport=polling");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 200);
    ASSERT_NE(session_, nullptr);
    EXPECT_EQ(session_->protocol(), 3);
}

TEST_F(Eio3Session, Revision4SessionsAreUnchanged) {
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling");
    ASSERT_TRUE(res);
    EXPECT_TRUE(res->body().starts_with("0{\"sid\":\"")) << res->body();
    ASSERT_NE(session_, nullptr);
    EXPECT_EQ(session_->protocol(), 4);
}

TEST_F(Eio3Session, ClientPingsAreAnsweredWithPongs) {
    std::string sid = open_polling("&b64=1");
    auto res = h_->request("POST", url(sid), {{"Content-Type", "text/plain;charset=UTF-8"}}, "1:2");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    res = h_->request("GET", url(sid));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "1:3");
    EXPECT_TRUE(heard_.log.empty());
}

TEST_F(Eio3Session, APongFromTheClientIsAnError) {
    std::string sid = open_polling();
    h_->request("POST", url(sid), {}, "1:3");
    ASSERT_TRUE(heard("close transport error"));
}

TEST_F(Eio3Session, TextMessagesBothWaysOverPolling) {
    std::string sid = open_polling("&b64=1");
    auto res = h_->request("POST", url(sid), {}, "6:4h\xc3\xa9llo5:4two!");  // lengths in UTF-16 units
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    EXPECT_EQ(heard_.log, (std::vector<std::string>{"text h\xc3\xa9llo", "text two!"}));

    session_->send(make_text_frame("42[\"\xf0\x9f\x98\x80\"]"));
    session_->send(make_text_frame("42[\"b\"]"));
    res = h_->request("GET", url(sid));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "8:42[\"\xf0\x9f\x98\x80\"]7:42[\"b\"]");
}

TEST_F(Eio3Session, BinaryOverPollingIsBase64WhenTheClientAskedForIt) {
    std::string sid = open_polling("&b64=1");
    session_->send(make_text_frame("451-[\"x\",{\"_placeholder\":true,\"num\":0}]"));
    session_->send(make_binary_frame("\x01\x02\x03"));
    auto res = h_->request("GET", url(sid));
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["Content-Type"], "text/plain; charset=UTF-8");
    EXPECT_EQ(res->body(), "39:451-[\"x\",{\"_placeholder\":true,\"num\":0}]6:b4AQID");

    res = h_->request("POST", url(sid), {}, "6:b4AQID");
    ASSERT_TRUE(res);
    EXPECT_EQ(heard_.log, std::vector<std::string>{"binary 010203"});
}

TEST_F(Eio3Session, BinaryOverPollingIsAnXhr2PayloadOtherwise) {
    std::string sid = open_polling();
    session_->send(make_text_frame("42[\"h\xc3\xa9\"]"));
    session_->send(make_binary_frame("\x01\x02\x03"));
    auto res = h_->request("GET", url(sid));
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["Content-Type"], "application/octet-stream");
    EXPECT_EQ(hex(res->body()), "0009ff34325b2268c3a9225d0104ff04010203");

    // Text only: a text payload.
    session_->send(make_text_frame("42[\"t\"]"));
    res = h_->request("GET", url(sid));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "7:42[\"t\"]");

    res = h_->request("POST", url(sid), {{"Content-Type", "application/octet-stream"}},
                      unhex("0009ff34325b2268c3a9225d0104ff04010203"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    EXPECT_EQ(heard_.log, (std::vector<std::string>{"text 2[\"h\xc3\xa9\"]", "binary 010203"}));
}

TEST_F(Eio3Session, ABadRecordDeliversThePacketsBeforeItThenClosesWithParseError) {
    std::string sid = open_polling();
    auto res = h_->request("POST", url(sid), {}, "3:4ab1:x");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    ASSERT_TRUE(heard("close parse error"));
    EXPECT_EQ(heard_.log, (std::vector<std::string>{"text ab", "close parse error"}));
}

TEST_F(Eio3Session, ClosePacketsAreLengthPrefixed) {
    std::string sid = open_polling();
    auto poll = h_->connect();
    EngineHarness::send_request(*poll, "GET", url(sid));
    h_->ioc().poll();
    auto res = h_->request("POST", url(sid), {}, "1:1");  // the client closes: the held GET gets a noop
    ASSERT_TRUE(res);
    auto released = h_->response(*poll);
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body(), "1:6");
    ASSERT_TRUE(heard("close transport close"));

    sid = open_polling();
    auto poll2 = h_->connect();
    EngineHarness::send_request(*poll2, "GET", url(sid));
    h_->ioc().poll();
    session_->close(CloseReason::forced_close);  // the server closes: the held GET gets the close
    released = h_->response(*poll2);
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body(), "1:1");
}

TEST_F(Eio3Session, WebSocketBinaryFramesCarryATypeByte) {
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=3&transport=websocket", EngineHarness::upgrade_headers());
    auto res = h_->response(*ws);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 101);
    auto open = h_->frame(*ws);
    ASSERT_TRUE(open);
    EXPECT_EQ(open->first, 1);
    EXPECT_TRUE(open->second.starts_with("0{\"sid\":\"")) << open->second;
    ASSERT_NE(session_, nullptr);
    EXPECT_EQ(session_->protocol(), 3);

    session_->send(make_binary_frame("\x01\x02\x03"));
    auto bin = h_->frame(*ws);
    ASSERT_TRUE(bin);
    EXPECT_EQ(bin->first, 2);
    EXPECT_EQ(hex(bin->second), "04010203");

    ws->send_frame(std::string("\x04\x05", 2), true);
    ASSERT_TRUE(heard("binary 05"));
    ws->send_frame("4text");
    ASSERT_TRUE(heard("text text"));
    ws->send_frame("2");
    auto pong = h_->frame(*ws);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->second, "3");

    ws->send_frame(std::string("\x09", 1), true);  // no such packet type
    ASSERT_TRUE(heard("close parse error"));
}

TEST_F(Eio3Session, WebSocketBinaryIsBase64TextWhenTheClientAskedForIt) {
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=3&transport=websocket&b64=1",
                                EngineHarness::upgrade_headers());
    ASSERT_TRUE(h_->response(*ws));
    ASSERT_TRUE(h_->frame(*ws));  // open
    session_->send(make_binary_frame("\x01\x02\x03"));
    auto f = h_->frame(*ws);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->first, 1);
    EXPECT_EQ(f->second, "b4AQID");
}

TEST_F(Eio3Session, UpgradeFromBase64PollingToABinaryWebSocket) {
    std::string sid = open_polling("&b64=1");  // as socket.io-client 2.x in Node polls
    auto poll = h_->connect();
    EngineHarness::send_request(*poll, "GET", url(sid));
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=3&transport=websocket&sid=" + sid,
                                EngineHarness::upgrade_headers());
    auto res = h_->response(*ws);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 101);
    ws->send_frame("2probe");
    auto probe = h_->frame(*ws);
    ASSERT_TRUE(probe);
    EXPECT_EQ(probe->second, "3probe");
    auto released = h_->response(*poll);
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body(), "1:6");

    session_->send(make_binary_frame("\x07"));  // queued on polling until the switch
    ws->send_frame("5");
    auto bin = h_->frame(*ws);
    ASSERT_TRUE(bin);
    EXPECT_EQ(bin->first, 2);
    EXPECT_EQ(hex(bin->second), "0407");
    EXPECT_EQ(session_->transport_name(), "websocket");

    // The session keeps its revision: EIO=4 is a mismatch.
    res = h_->request("GET", "/engine.io/?EIO=4&transport=websocket&sid=" + sid);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);
}

class Eio3Heartbeat : public Eio3Session {
protected:
    static Options short_heartbeat() {
        Options o = eio3();
        o.ping_interval = std::chrono::milliseconds(30);
        o.ping_timeout = std::chrono::milliseconds(30);
        return o;
    }
    Eio3Heartbeat() : Eio3Session(short_heartbeat()) {}
};

TEST_F(Eio3Heartbeat, NoClientPingWithinIntervalPlusTimeoutClosesWithPingTimeout) {
    auto opened = std::chrono::steady_clock::now();
    std::string sid = open_polling();
    ASSERT_TRUE(heard("close ping timeout"));
    // Not at pingTimeout as in v4: the client has pingInterval + pingTimeout to ping.
    EXPECT_GE(std::chrono::steady_clock::now() - opened, std::chrono::milliseconds(60));
    auto res = h_->request("GET", url(sid));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), R"({"code":1,"message":"Session ID unknown"})");
}

TEST_F(Eio3Heartbeat, TheServerNeverPings) {
    std::string sid = open_polling();
    auto poll = h_->connect();
    EngineHarness::send_request(*poll, "GET", url(sid));
    ASSERT_TRUE(heard("close ping timeout"));
    // The held GET was never answered with a ping: it got the close.
    auto res = h_->response(*poll);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "1:1");
}

}  // namespace
