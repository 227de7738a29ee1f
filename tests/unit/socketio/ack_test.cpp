// Socket::emit_with_ack: per-namespace ids, exactly-once completion, timeouts, close.

#include <gtest/gtest.h>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

using One = sio::test::OneSocket;

/** What an emit with ack completed with. */
struct Outcome {
    int calls = 0;
    ErrorCode ec;
    Payload args;
    auto handler() {
        return [this](ErrorCode e, Payload a) {
            ++calls;
            ec = e;
            args = std::move(a);
        };
    }
};

TEST(SocketAck, AnsweredOnceWithAllArguments) {
    One o;
    Outcome got;
    o.socket->timeout(std::chrono::seconds(5)).emit_with_ack("q", "a", got.handler());
    EXPECT_EQ(o.c.take(), std::vector<std::string>{"420[\"q\",\"a\"]"});
    o.h.poll();
    EXPECT_EQ(got.calls, 0);
    o.c.recv("30[1,\"two\",{\"three\":3}]");
    o.h.poll();
    EXPECT_EQ(got.calls, 1);
    EXPECT_FALSE(got.ec);
    EXPECT_EQ(got.args.args, (boost::json::array{1, "two", boost::json::object{{"three", 3}}}));
    o.c.recv("30[2]");
    o.h.poll();  // the cancelled timer runs without calling again
    EXPECT_EQ(got.calls, 1);
}

TEST(SocketAck, BinaryAckCarriesAttachments) {
    One o;
    Outcome got;
    o.socket->emit_with_ack("q", got.handler());
    o.c.recv("61-0[{\"_placeholder\":true,\"num\":0}]");
    o.c.recv_binary("raw");
    o.h.poll();
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
        return [&order, name](ErrorCode ec, Payload) { order.push_back(name + (ec ? "!" : "")); };
    };
    s1->emit_with_ack("a", rec("s1a"));  // id 0
    s2->emit_with_ack("b", rec("s2b"));  // id 1 (shared counter)
    s1->emit_with_ack("c", rec("s1c"));  // id 2
    o1->emit_with_ack("d", rec("o1d"));  // id 0 of /other
    EXPECT_EQ(c1.take(), (std::vector<std::string>{"420[\"a\"]", "422[\"c\"]", "42/other,0[\"d\"]"}));
    EXPECT_EQ(c2.take(), std::vector<std::string>{"421[\"b\"]"});
    c1.recv("31[]");  // id 1 is not s1's: ignored
    c1.recv("39[]");  // unknown id: ignored
    h.poll();
    EXPECT_TRUE(order.empty());
    for (auto* frame : {"3/other,0[]", "32[]"}) {
        c1.recv(frame);
        h.poll();
    }
    c2.recv("31[]");
    h.poll();
    c1.recv("30[]");
    h.poll();
    EXPECT_EQ(order, (std::vector<std::string>{"o1d", "s1c", "s2b", "s1a"}));
    EXPECT_FALSE(c1.session->closed());
}

TEST(SocketAck, TimesOutExactlyOnce) {
    One o;
    Outcome got;
    o.socket->timeout(std::chrono::milliseconds(1)).emit_with_ack("q", got.handler());
    EXPECT_TRUE(o.h.run_until([&] { return got.calls > 0; }));
    EXPECT_EQ(got.calls, 1);
    EXPECT_EQ(got.ec, ack_errc::timeout);
    o.c.recv("30[\"late\"]");  // forgotten after the timeout
    o.h.poll();
    EXPECT_EQ(got.calls, 1);
}

TEST(SocketAck, DisconnectedSocketStillTimesOutAtTheDeadline) {
    One o;
    Outcome got;
    o.socket->timeout(std::chrono::milliseconds(1)).emit_with_ack("q", got.handler());
    o.c.engine_close(engineio::CloseReason::transport_close);
    o.h.poll();
    EXPECT_EQ(got.calls, 0);  // with a timeout, the timeout is what is reported (as socket.io)
    o.socket.reset();         // nobody holds the socket any more
    EXPECT_TRUE(o.h.run_until([&] { return got.calls > 0; }));
    EXPECT_EQ(got.ec, ack_errc::timeout);
}

TEST(SocketAck, WithoutTimeoutDisconnectionCompletesTheWait) {
    One o;
    Outcome got;
    o.socket->emit_with_ack("q", 1, got.handler());
    o.h.poll();
    EXPECT_EQ(got.calls, 0);
    o.c.engine_close(engineio::CloseReason::transport_close);
    o.h.poll();
    EXPECT_EQ(got.calls, 1);
    EXPECT_EQ(got.ec, ack_errc::disconnected);
}

TEST(SocketAck, RefusedOnDisconnectedSocketOrReservedName) {
    One o;
    Outcome reserved, closed;
    o.socket->emit_with_ack("disconnect", reserved.handler());
    EXPECT_EQ(reserved.calls, 0);  // never before the call returns
    o.h.poll();
    EXPECT_EQ(reserved.ec, ack_errc::not_sent);
    EXPECT_TRUE(o.c.take().empty());
    o.socket->disconnect();
    o.c.take();
    o.socket->emit_with_ack("q", closed.handler());
    o.h.poll();
    EXPECT_EQ(closed.ec, ack_errc::not_sent);
    EXPECT_TRUE(o.c.take().empty());
}

TEST(SocketAck, IncomingAckAfterSocketClosedSendsNothing) {
    Harness h;
    Ack saved;
    h.server.of("/").on("q", [&](Socket&, Payload, Ack ack) { saved = ack; });
    auto c = h.open();
    h.join(c);
    c.recv("25[\"q\"]");
    c.recv("1");
    c.take();
    saved(Payload(boost::json::array{1}));
    EXPECT_TRUE(c.take().empty());
}

}  // namespace
