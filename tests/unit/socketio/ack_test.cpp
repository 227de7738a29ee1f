// Socket::emit_with_ack: per-namespace ids, exactly-once completion, timeouts, close.

#include <gtest/gtest.h>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

struct One {
    Harness h;
    Connection c;
    std::shared_ptr<Socket> socket;
    One() : c(h.open()) { socket = h.server.of("/").socket(h.join(c)); }
};

TEST(SocketAck, AnsweredOnceWithAllArguments) {
    One o;
    int calls = 0;
    AckResult got;
    ASSERT_TRUE(
        o.socket->emit_with_ack("q", Payload(boost::json::array{"a"}), std::chrono::seconds(5), [&](AckResult r) {
            ++calls;
            got = std::move(r);
        }));
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"420[\"q\",\"a\"]"});
    EXPECT_EQ(calls, 0);
    o.c.recv("30[1,\"two\",{\"three\":3}]");
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(got.timed_out);
    EXPECT_EQ(got.args.args, (boost::json::array{1, "two", boost::json::object{{"three", 3}}}));
    o.c.recv("30[2]");
    o.h.ioc.poll();  // the cancelled timer runs without calling again
    EXPECT_EQ(calls, 1);
}

TEST(SocketAck, BinaryAckCarriesAttachments) {
    One o;
    AckResult got;
    o.socket->emit_with_ack("q", {}, std::chrono::seconds(5), [&](AckResult r) { got = std::move(r); });
    o.c.recv("61-0[{\"_placeholder\":true,\"num\":0}]");
    o.c.recv_binary("raw");
    EXPECT_EQ(got.args.attachments, std::vector<std::string>{"raw"});
    EXPECT_TRUE(is_placeholder(got.args.args.at(0)));
}

TEST(SocketAck, IdsArePerNamespaceAndMatchedExactly) {
    Harness h;
    h.server.of("/other");
    auto c1 = h.open();
    auto c2 = h.open();
    auto s1 = h.server.of("/").socket(h.join(c1));
    auto s2 = h.server.of("/").socket(h.join(c2));
    auto o1 = h.server.of("/other").socket(h.join(c1, "/other"));
    std::vector<std::string> order;
    auto rec = [&](std::string name) {
        return [&order, name](AckResult r) { order.push_back(name + (r.timed_out ? "!" : "")); };
    };
    s1->emit_with_ack("a", {}, std::chrono::seconds(5), rec("s1a"));  // id 0
    s2->emit_with_ack("b", {}, std::chrono::seconds(5), rec("s2b"));  // id 1 (shared counter)
    s1->emit_with_ack("c", {}, std::chrono::seconds(5), rec("s1c"));  // id 2
    o1->emit_with_ack("d", {}, std::chrono::seconds(5), rec("o1d"));  // id 0 of /other
    EXPECT_EQ(c1.take(), (std::vector<std::string>{"420[\"a\"]", "422[\"c\"]", "42/other,0[\"d\"]"}));
    EXPECT_EQ(c2.take(), std::vector<std::string>{"421[\"b\"]"});
    c1.recv("31[]");  // id 1 is not s1's: ignored
    c1.recv("39[]");  // unknown id: ignored
    EXPECT_TRUE(order.empty());
    c1.recv("3/other,0[]");
    c1.recv("32[]");
    c2.recv("31[]");
    c1.recv("30[]");
    EXPECT_EQ(order, (std::vector<std::string>{"o1d", "s1c", "s2b", "s1a"}));
    EXPECT_FALSE(c1.session->closed());
}

TEST(SocketAck, TimesOutExactlyOnce) {
    One o;
    int calls = 0;
    bool timed_out = false;
    o.socket->emit_with_ack("q", {}, std::chrono::milliseconds(1), [&](AckResult r) {
        ++calls;
        timed_out = r.timed_out;
    });
    EXPECT_TRUE(o.h.run_until([&] { return calls > 0; }));
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(timed_out);
    o.c.recv("30[\"late\"]");  // forgotten after the timeout
    EXPECT_EQ(calls, 1);
}

TEST(SocketAck, DisconnectedSocketStillTimesOutAtTheDeadline) {
    One o;
    std::optional<AckResult> got;
    o.socket->emit_with_ack("q", {}, std::chrono::milliseconds(1), [&](AckResult r) { got = std::move(r); });
    o.c.engine_close(engineio::CloseReason::transport_close);
    EXPECT_FALSE(got);
    o.socket.reset();  // nobody holds the socket any more
    EXPECT_TRUE(o.h.run_until([&] { return got.has_value(); }));
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->timed_out);
}

TEST(SocketAck, RefusedOnDisconnectedSocketOrReservedName) {
    One o;
    bool called = false;
    EXPECT_FALSE(
        o.socket->emit_with_ack("disconnect", {}, std::chrono::milliseconds(1), [&](AckResult) { called = true; }));
    o.socket->disconnect();
    EXPECT_FALSE(o.socket->emit_with_ack("q", {}, std::chrono::milliseconds(1), [&](AckResult) { called = true; }));
    o.h.ioc.poll();
    EXPECT_FALSE(called);
}

TEST(SocketAck, IncomingAckAfterSocketClosedSendsNothing) {
    Harness h;
    Ack saved;
    h.server.of("/").on("q", [&](const auto&, Payload, Ack ack) { saved = ack; });
    auto c = h.open();
    h.join(c);
    c.recv("25[\"q\"]");
    c.recv("1");
    c.take();
    saved(Payload(boost::json::array{1}));
    EXPECT_TRUE(c.take().empty());
}

}  // namespace
