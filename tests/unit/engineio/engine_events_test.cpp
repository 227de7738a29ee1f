// engineio::Server's events and allow_request (docs/protocol.md §1.2, §1.16), driven with real
// requests over 127.0.0.1: every refusal raises connection_error with engine.io's code, default
// message and context; allow_request admits or refuses handshakes (both transports), now or
// later, and its late answer is safe when the client or the engine is gone; the headers hooks
// change the session's responses (polling answers and WebSocket 101s), not error answers.

#include <optional>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "support/engine_harness.hpp"

namespace {

using sio::engineio::AllowRequestDone;
using sio::engineio::ConnectionError;
using sio::engineio::HeaderMap;
using sio::engineio::Options;
using sio::engineio::Session;
using sio::engineio::SessionHandler;
using sio::test::EngineHarness;
using sio::test::RawConnection;

struct Refusal {
    std::string method;
    std::string target;
    std::string address;
    int code = -1;
    std::string message;
    std::string context;  // serialized
};

/** Keeps no state: the engine's sessions need a handler, the tests look at the wire. */
struct NullHandler final : SessionHandler {
    void on_message(std::string_view) override {}
    void on_binary(std::string_view) override {}
    void on_close(sio::engineio::CloseReason) override {}
};

/** The sid of an open packet `0{"sid":"...",...}` (after an optional v3 `<len>:` prefix). */
std::string sid_of(std::string_view open) {
    auto at = open.find("\"sid\":\"");
    if (at == std::string_view::npos) return {};
    at += 7;
    return std::string(open.substr(at, open.find('"', at) - at));
}

class EngineEvents : public ::testing::Test {
protected:
    void start(Options options = {}) {
        h_ = std::make_unique<EngineHarness>(std::move(options), [this](Session& session) {
            sessions_.push_back(&session);
            return std::make_unique<NullHandler>();
        });
        h_->engine().on_connection_error([this](const ConnectionError& e) {
            refusals_.push_back(Refusal{std::string(e.request.method_string()), std::string(e.request.target()),
                                        std::string(e.address), static_cast<int>(e.code), std::string(e.message),
                                        boost::json::serialize(e.context)});
        });
    }

    /** A polling handshake; returns the sid. */
    std::string open_polling(std::string_view eio = "4") {
        auto res = h_->request("GET", "/engine.io/?EIO=" + std::string(eio) + "&transport=polling");
        EXPECT_TRUE(res && res->result_int() == 200);
        return res ? sid_of(res->body()) : std::string();
    }

    std::vector<Refusal> refusals_;
    std::vector<Session*> sessions_;
    std::unique_ptr<EngineHarness> h_;  // last: its listeners write into the above until it is gone
};

// ---- connection_error ------------------------------------------------------------------------

TEST_F(EngineEvents, UnknownTransportReportsCode0WithTheTransport) {
    start();
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=carrier-pigeon", {{"X-Test", "yes"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);
    EXPECT_EQ(res->body(), R"({"code":0,"message":"Transport unknown"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 0);
    EXPECT_EQ(refusals_[0].message, "Transport unknown");
    EXPECT_EQ(refusals_[0].context, R"({"transport":"carrier-pigeon"})");
    EXPECT_EQ(refusals_[0].method, "GET");
    EXPECT_EQ(refusals_[0].target, "/engine.io/?EIO=4&transport=carrier-pigeon");
    EXPECT_NE(refusals_[0].address.find("127.0.0.1"), std::string::npos) << refusals_[0].address;

    // Without a transport the context is empty (engine.io's `transport: undefined`).
    res = h_->request("GET", "/engine.io/?EIO=4");
    ASSERT_TRUE(res);
    ASSERT_EQ(refusals_.size(), 2u);
    EXPECT_EQ(refusals_[1].context, "{}");
}

TEST_F(EngineEvents, ListenersSeeTheRequestHeaders) {
    start();
    std::string seen;
    h_->engine().on_connection_error([&](const ConnectionError& e) { seen = std::string(e.request["X-Test"]); });
    h_->request("GET", "/engine.io/?EIO=4&transport=nope", {{"X-Test", "yes"}});
    EXPECT_EQ(seen, "yes");
    EXPECT_EQ(refusals_.size(), 1u);  // both listeners ran
}

TEST_F(EngineEvents, UnknownSidReportsCode1WithTheSid) {
    start();
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling&sid=doesnotexist");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), R"({"code":1,"message":"Session ID unknown"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 1);
    EXPECT_EQ(refusals_[0].message, "Session ID unknown");
    EXPECT_EQ(refusals_[0].context, R"({"sid":"doesnotexist"})");
}

TEST_F(EngineEvents, BadHandshakeMethodReportsCode2WithTheMethod) {
    start();
    auto res = h_->request("POST", "/engine.io/?EIO=4&transport=polling", {}, "40");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), R"({"code":2,"message":"Bad handshake method"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 2);
    EXPECT_EQ(refusals_[0].context, R"({"method":"POST"})");
    EXPECT_EQ(refusals_[0].method, "POST");
}

TEST_F(EngineEvents, WebSocketHandshakeOverPlainHttpReportsTransportHandshakeError) {
    start();
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=websocket");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), R"({"code":3,"message":"Bad request"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 3);
    EXPECT_EQ(refusals_[0].message, "Bad request");
    EXPECT_EQ(refusals_[0].context, R"({"name":"TRANSPORT_HANDSHAKE_ERROR"})");
}

TEST_F(EngineEvents, PollingAfterTheUpgradeReportsTransportMismatch) {
    start();
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket", EngineHarness::upgrade_headers());
    auto switching = h_->response(*ws);
    ASSERT_TRUE(switching);
    ASSERT_EQ(switching->result_int(), 101);
    auto open = h_->frame(*ws);
    ASSERT_TRUE(open);
    std::string sid = sid_of(open->second);
    ASSERT_EQ(sid.size(), 20u);

    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling&sid=" + sid);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);
    EXPECT_EQ(res->body(), R"({"code":3,"message":"Bad request"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 3);
    EXPECT_EQ(refusals_[0].context,
              R"({"name":"TRANSPORT_MISMATCH","transport":"polling","previousTransport":"websocket"})");
}

TEST_F(EngineEvents, AnotherRevisionOnASessionReportsProtocolMismatch) {
    start();
    std::string sid = open_polling();
    auto res = h_->request("GET", "/engine.io/?EIO=3&transport=polling&sid=" + sid);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), R"({"code":3,"message":"Bad request"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].context, R"({"name":"PROTOCOL_MISMATCH","protocol":3,"previousProtocol":4})");
}

TEST_F(EngineEvents, Revision3WithoutAllowEio3ReportsCode5OnBothTransports) {
    start();
    auto res = h_->request("GET", "/engine.io/?EIO=3&transport=polling");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);
    EXPECT_EQ(res->body(), R"({"code":5,"message":"Unsupported protocol version"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 5);
    EXPECT_EQ(refusals_[0].message, "Unsupported protocol version");
    EXPECT_EQ(refusals_[0].context, R"({"protocol":3})");

    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?transport=websocket", EngineHarness::upgrade_headers());
    res = h_->response(*ws);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);
    EXPECT_EQ(res->body(), "Unsupported protocol version");  // raw text over an upgrade
    ASSERT_EQ(refusals_.size(), 2u);
    EXPECT_EQ(refusals_[1].code, 5);
    EXPECT_EQ(refusals_[1].context, R"({"protocol":3})");
    EXPECT_TRUE(sessions_.empty());
}

TEST_F(EngineEvents, InvalidOriginIsRefused) {
    start();
    // Beast's parser already refuses a DEL in a header value; whoever refuses it, it is a 400
    // and, when the engine does, code 3 INVALID_ORIGIN.
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling", {{"Origin", "http://a\x7f"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);
    EXPECT_TRUE(sessions_.empty());
    for (const auto& r : refusals_) {
        EXPECT_EQ(r.code, 3);
        EXPECT_EQ(r.context, "{\"name\":\"INVALID_ORIGIN\",\"origin\":\"http://a\x7f\"}");
    }
}

TEST_F(EngineEvents, AcceptedRequestsReportNothing) {
    start();
    std::string sid = open_polling();
    auto res = h_->request("POST", "/engine.io/?EIO=4&transport=polling&sid=" + sid, {}, "4hello");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    EXPECT_TRUE(refusals_.empty());
}

// ---- allow_request ---------------------------------------------------------------------------

TEST_F(EngineEvents, AllowRequestRefusalAnswers403WithItsMessage) {
    Options options;
    std::vector<std::string> asked;
    options.allow_request = [&](const sio::http::Request& req, AllowRequestDone done) {
        asked.emplace_back(req.target());
        done("denied \"by\" test");
    };
    start(std::move(options));
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling&user=x");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 403);
    EXPECT_EQ(res->body(), R"({"code":4,"message":"denied \"by\" test"})");
    EXPECT_EQ(asked, std::vector<std::string>{"/engine.io/?EIO=4&transport=polling&user=x"});
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 4);
    EXPECT_EQ(refusals_[0].message, "Forbidden");
    EXPECT_EQ(refusals_[0].context, R"({"message":"denied \"by\" test"})");
    EXPECT_TRUE(sessions_.empty());
}

TEST_F(EngineEvents, AllowRequestRefusalWithoutMessageSaysForbidden) {
    Options options;
    options.allow_request = [](const sio::http::Request&, AllowRequestDone done) { done(""); };
    start(std::move(options));
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 403);
    EXPECT_EQ(res->body(), R"({"code":4,"message":"Forbidden"})");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].context, R"({"message":""})");
}

TEST_F(EngineEvents, AllowRequestRefusesWebSocketHandshakesWithARaw400) {
    Options options;
    options.allow_request = [](const sio::http::Request&, AllowRequestDone done) { done("no sockets"); };
    start(std::move(options));
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket", EngineHarness::upgrade_headers());
    auto res = h_->response(*ws);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 400);  // engine.io: always 400 over an upgrade, even for code 4
    EXPECT_EQ(res->body(), "no sockets");
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 4);
    EXPECT_EQ(refusals_[0].context, R"({"message":"no sockets"})");
    EXPECT_TRUE(sessions_.empty());
}

TEST_F(EngineEvents, AllowRequestMayAnswerLater) {
    Options options;
    std::optional<AllowRequestDone> pending;
    options.allow_request = [&](const sio::http::Request&, AllowRequestDone done) { pending = std::move(done); };
    start(std::move(options));
    auto c = h_->connect();
    EngineHarness::send_request(*c, "GET", "/engine.io/?EIO=4&transport=polling");
    ASSERT_TRUE(h_->run_until([&] { return pending.has_value(); }));
    h_->ioc().poll();
    EXPECT_TRUE(c->input().empty());  // held until the application answers
    EXPECT_TRUE(sessions_.empty());

    (*pending)(std::nullopt);
    auto res = h_->response(*c);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 200);
    EXPECT_EQ(sid_of(res->body()).size(), 20u);
    EXPECT_EQ(sessions_.size(), 1u);
    EXPECT_TRUE(refusals_.empty());

    // A second answer is ignored.
    (*pending)("too late");
    h_->ioc().poll();
    EXPECT_TRUE(refusals_.empty());
    EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(EngineEvents, AllowRequestAdmitsWebSocketHandshakesLater) {
    Options options;
    std::optional<AllowRequestDone> pending;
    options.allow_request = [&](const sio::http::Request&, AllowRequestDone done) { pending = std::move(done); };
    start(std::move(options));
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket", EngineHarness::upgrade_headers());
    ASSERT_TRUE(h_->run_until([&] { return pending.has_value(); }));
    (*pending)(std::nullopt);
    auto res = h_->response(*ws);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 101);
    auto open = h_->frame(*ws);
    ASSERT_TRUE(open);
    EXPECT_EQ(sid_of(open->second).size(), 20u);
}

TEST_F(EngineEvents, AllowRequestIsNotAskedForRequestsWithASid) {
    Options options;
    int asked = 0;
    options.allow_request = [&](const sio::http::Request&, AllowRequestDone done) {
        ++asked;
        done(std::nullopt);
    };
    start(std::move(options));
    std::string sid = open_polling();
    EXPECT_EQ(asked, 1);
    auto res = h_->request("POST", "/engine.io/?EIO=4&transport=polling&sid=" + sid, {}, "4x");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    EXPECT_EQ(asked, 1);
}

TEST_F(EngineEvents, AllowRequestAnswerAfterTheClientLeftIsSafe) {
    Options options;
    std::vector<AllowRequestDone> pending;
    options.allow_request = [&](const sio::http::Request&, AllowRequestDone done) {
        pending.push_back(std::move(done));
    };
    start(std::move(options));
    for (int i = 0; i < 2; ++i) {
        auto c = h_->connect();
        EngineHarness::send_request(*c, "GET", "/engine.io/?EIO=4&transport=polling");
        ASSERT_TRUE(h_->run_until([&] { return pending.size() == static_cast<std::size_t>(i + 1); }));
        c->close();
    }
    // Until the engine has seen both hang-ups.
    while (h_->ioc().poll() > 0) {
    }
    pending[0](std::nullopt);  // admitted: nobody to open a session for
    pending[1]("refused");     // refused: reported, the answer goes nowhere
    h_->ioc().poll();
    EXPECT_TRUE(sessions_.empty());
    EXPECT_EQ(h_->engine().clients_count(), 0u);
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].code, 4);
}

TEST_F(EngineEvents, AllowRequestAnswerAfterTheEngineIsGoneDoesNothing) {
    Options options;
    std::optional<AllowRequestDone> pending;
    options.allow_request = [&](const sio::http::Request&, AllowRequestDone done) { pending = std::move(done); };
    start(std::move(options));
    auto c = h_->connect();
    EngineHarness::send_request(*c, "GET", "/engine.io/?EIO=4&transport=polling");
    ASSERT_TRUE(h_->run_until([&] { return pending.has_value(); }));
    h_->reset_engine();
    (*pending)(std::nullopt);
    (*pending)("refused");
    h_->ioc().poll();
    EXPECT_TRUE(sessions_.empty());
    EXPECT_TRUE(refusals_.empty());
}

// ---- initial_headers / headers ---------------------------------------------------------------

class EngineHeaders : public EngineEvents {
protected:
    ~EngineHeaders() override { h_.reset(); }  // the hooks write into calls_

    void start_with_hooks(Options options = {}) {
        start(std::move(options));
        h_->engine().on_initial_headers([this](HeaderMap& headers, const sio::http::Request& req) {
            calls_.push_back("initial " + std::string(req.target()));
            headers.set("Set-Cookie", "io=chosen; Path=/");
            headers.set("X-Initial", "1");
        });
        h_->engine().on_headers([this](HeaderMap& headers, const sio::http::Request& req) {
            // Runs after initial_headers, and sees what it set.
            calls_.push_back("every " + std::string(req.target()) + " initial=" + std::string(headers["X-Initial"]));
            headers.set("X-Every", "1");
        });
    }
    std::vector<std::string> calls_;
};

TEST_F(EngineHeaders, PollingHandshakeGetsBothLaterAnswersOnlyHeaders) {
    start_with_hooks();
    auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["Set-Cookie"], "io=chosen; Path=/");
    EXPECT_EQ((*res)["X-Initial"], "1");
    EXPECT_EQ((*res)["X-Every"], "1");
    EXPECT_EQ((*res)["Content-Type"], "text/plain; charset=UTF-8");
    std::string sid = sid_of(res->body());
    EXPECT_EQ(calls_, (std::vector<std::string>{"initial /engine.io/?EIO=4&transport=polling",
                                                "every /engine.io/?EIO=4&transport=polling initial=1"}));
    calls_.clear();

    // A POST's `ok` and a GET's payload: headers only.
    res = h_->request("POST", "/engine.io/?EIO=4&transport=polling&sid=" + sid, {}, "4hello");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "ok");
    EXPECT_EQ((*res)["X-Every"], "1");
    EXPECT_EQ((*res)["X-Initial"], "");
    ASSERT_EQ(sessions_.size(), 1u);
    sessions_[0]->send(sio::engineio::make_text_frame("4hi"));
    res = h_->request("GET", "/engine.io/?EIO=4&transport=polling&sid=" + sid);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "4hi");
    EXPECT_EQ((*res)["X-Every"], "1");
    EXPECT_EQ((*res)["X-Initial"], "");
    EXPECT_EQ((*res)["Set-Cookie"], "");
    EXPECT_EQ(calls_.size(), 2u);

    // Error answers are written without the hooks.
    calls_.clear();
    res = h_->request("GET", "/engine.io/?EIO=4&transport=polling&sid=unknown");
    ASSERT_TRUE(res);
    EXPECT_EQ((*res)["X-Every"], "");
    EXPECT_TRUE(calls_.empty());
}

TEST_F(EngineHeaders, WebSocketHandshake101GetsBothAnUpgrade101OnlyHeaders) {
    start_with_hooks();
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket", EngineHarness::upgrade_headers());
    auto res = h_->response(*ws);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 101);
    EXPECT_EQ((*res)["X-Initial"], "1");
    EXPECT_EQ((*res)["X-Every"], "1");
    EXPECT_EQ((*res)["Set-Cookie"], "io=chosen; Path=/");
    EXPECT_FALSE((*res)["Sec-WebSocket-Accept"].empty());
    auto open = h_->frame(*ws);  // the frames still follow the answer
    ASSERT_TRUE(open);
    EXPECT_TRUE(open->second.starts_with("0{\"sid\":")) << open->second;

    std::string sid = open_polling();
    calls_.clear();
    auto up = h_->connect();
    EngineHarness::send_request(*up, "GET", "/engine.io/?EIO=4&transport=websocket&sid=" + sid,
                                EngineHarness::upgrade_headers());
    res = h_->response(*up);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 101);
    EXPECT_EQ((*res)["X-Every"], "1");
    EXPECT_EQ((*res)["X-Initial"], "");
    EXPECT_EQ(calls_.size(), 1u);
}

TEST_F(EngineHeaders, HeadersThatWouldBreakThe101AreLeftOut) {
    start();
    h_->engine().on_headers([](HeaderMap& headers, const sio::http::Request&) {
        headers.set("X-Good", "yes");
        headers.set("X-Bad", "a\r\nInjected: 1");
    });
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket", EngineHarness::upgrade_headers());
    auto res = h_->response(*ws);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->result_int(), 101);
    EXPECT_EQ((*res)["X-Good"], "yes");
    EXPECT_EQ((*res)["X-Bad"], "");
    EXPECT_EQ((*res)["Injected"], "");
}

}  // namespace
