// engineio::Session's events (engine.io Socket's `upgrading`, `upgrade`, `close`; what
// socket.io exposes as `socket.conn.on(...)`), driven by a real client over 127.0.0.1:
// upgrading when the probe is answered, upgrade once `5` switched the transport, close once
// with the engine's reason and after the SessionHandler heard it.

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/engine_harness.hpp"

namespace {

using sio::engineio::CloseReason;
using sio::engineio::Options;
using sio::engineio::Session;
using sio::engineio::SessionHandler;
using sio::test::EngineHarness;

/** The sid of an open packet `0{"sid":"...",...}`. */
std::string sid_of(std::string_view open) {
    auto at = open.find("\"sid\":\"");
    if (at == std::string_view::npos) return {};
    at += 7;
    return std::string(open.substr(at, open.find('"', at) - at));
}

/** Writes what the layer above hears into the same log as the listeners. */
struct LoggingHandler final : SessionHandler {
    explicit LoggingHandler(std::vector<std::string>& into) : log(&into) {}
    void on_message(std::string_view) override {}
    void on_binary(std::string_view) override {}
    void on_upgrade() override { log->push_back("handler upgrade"); }
    void on_close(CloseReason reason) override { log->push_back("handler close " + std::string(to_string(reason))); }
    std::vector<std::string>* log;
};

class SessionEvents : public ::testing::Test {
protected:
    explicit SessionEvents(Options options = {}) {
        h_ = std::make_unique<EngineHarness>(options, [this](Session& session) {
            session_ = &session;
            session.on_upgrading([this, &session](std::string_view transport) {
                log_.push_back("upgrading " + std::string(transport) + " (current " +
                               std::string(session.transport_name()) + ")");
            });
            session.on_upgrade(
                [this](std::string_view transport) { log_.push_back("upgrade " + std::string(transport)); });
            session.on_close([this](CloseReason reason) { log_.push_back("close " + std::string(to_string(reason))); });
            return std::make_unique<LoggingHandler>(log_);
        });
    }

    std::string open_polling() {
        auto res = h_->request("GET", "/engine.io/?EIO=4&transport=polling");
        EXPECT_TRUE(res && res->result_int() == 200);
        return res ? sid_of(res->body()) : std::string();
    }

    bool logged(const std::string& line) {
        return h_->run_until([&] { return std::find(log_.begin(), log_.end(), line) != log_.end(); });
    }

    Session* session_ = nullptr;
    std::vector<std::string> log_;
    std::unique_ptr<EngineHarness> h_;  // last: its sessions' handlers write into the above until it is gone
};

TEST_F(SessionEvents, UpgradeRaisesUpgradingThenUpgradeThenCloseWithTheReason) {
    std::string sid = open_polling();
    auto poll = h_->connect();
    EngineHarness::send_request(*poll, "GET", "/engine.io/?EIO=4&transport=polling&sid=" + sid);

    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket&sid=" + sid,
                                EngineHarness::upgrade_headers());
    auto switching = h_->response(*ws);
    ASSERT_TRUE(switching);
    ASSERT_EQ(switching->result_int(), 101);
    EXPECT_TRUE(log_.empty());  // a WebSocket that has not probed is no upgrade yet

    ws->send_frame("2probe");
    auto pong = h_->frame(*ws);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->second, "3probe");
    ASSERT_TRUE(logged("upgrading websocket (current polling)"));
    auto released = h_->response(*poll);  // the held GET is let go with a noop
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body(), "6");

    ws->send_frame("5");
    ASSERT_TRUE(logged("upgrade websocket"));
    EXPECT_EQ(session_->transport_name(), "websocket");
    EXPECT_EQ(log_, (std::vector<std::string>{"upgrading websocket (current polling)", "handler upgrade",
                                              "upgrade websocket"}));

    log_.clear();
    ws->close();
    ASSERT_TRUE(logged("close transport close"));
    EXPECT_EQ(log_, (std::vector<std::string>{"handler close transport close", "close transport close"}));
}

TEST_F(SessionEvents, AFailedProbeRaisesNoUpgrade) {
    std::string sid = open_polling();
    auto ws = h_->connect();
    EngineHarness::send_request(*ws, "GET", "/engine.io/?EIO=4&transport=websocket&sid=" + sid,
                                EngineHarness::upgrade_headers());
    ASSERT_TRUE(h_->response(*ws));
    ws->send_frame("2probe");
    ASSERT_TRUE(h_->frame(*ws));
    ASSERT_TRUE(logged("upgrading websocket (current polling)"));
    ws->send_frame("4not an upgrade");  // anything but `5` aborts the upgrade
    ASSERT_TRUE(h_->run_until([&] { return ws->closed_by_peer(); }));
    EXPECT_EQ(session_->transport_name(), "polling");
    EXPECT_EQ(log_, std::vector<std::string>{"upgrading websocket (current polling)"});

    // The session goes on over polling, and closes with its own reason.
    auto res = h_->request("POST", "/engine.io/?EIO=4&transport=polling&sid=" + sid, {}, "1");
    ASSERT_TRUE(res);
    ASSERT_TRUE(logged("close transport close"));
}

TEST_F(SessionEvents, CloseIsRaisedOnceWithAServerSideReason) {
    std::string sid = open_polling();
    ASSERT_NE(session_, nullptr);
    auto poll = h_->connect();  // a held GET: the close goes out at once
    EngineHarness::send_request(*poll, "GET", "/engine.io/?EIO=4&transport=polling&sid=" + sid);
    h_->ioc().poll();
    session_->close(CloseReason::forced_close);
    session_->close(CloseReason::transport_error);  // idempotent
    // Nothing from inside close(): the listeners hear it on a later turn.
    EXPECT_TRUE(log_.empty());
    ASSERT_TRUE(logged("close forced close"));
    auto res = h_->response(*poll);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body(), "1");
    h_->ioc().poll();
    EXPECT_EQ(log_, (std::vector<std::string>{"handler close forced close", "close forced close"}));
}

TEST_F(SessionEvents, ListenersRunInRegistrationOrderAndOnesAddedMeanwhileWaitForTheNextEvent) {
    open_polling();
    ASSERT_NE(session_, nullptr);
    std::string sid = session_->id();
    std::vector<std::string> order;
    session_->on_close([&](CloseReason) {
        order.push_back("first");
        session_->on_close([&](CloseReason) { order.push_back("added during close"); });
    });
    session_->on_close([&](CloseReason) { order.push_back("second"); });
    h_->request("POST", "/engine.io/?EIO=4&transport=polling&sid=" + sid, {}, "1");  // the client closes
    ASSERT_TRUE(logged("close transport close"));
    EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}));
}

class SessionHeartbeatEvents : public SessionEvents {
protected:
    static Options short_heartbeat() {
        Options o;
        o.ping_interval = std::chrono::milliseconds(20);
        o.ping_timeout = std::chrono::milliseconds(20);
        return o;
    }
    SessionHeartbeatEvents() : SessionEvents(short_heartbeat()) {}
};

TEST_F(SessionHeartbeatEvents, AMissingPongClosesWithPingTimeout) {
    open_polling();  // and never polls again: the ping is not answered
    ASSERT_TRUE(logged("close ping timeout"));
    EXPECT_EQ(log_, (std::vector<std::string>{"handler close ping timeout", "close ping timeout"}));
}

}  // namespace
