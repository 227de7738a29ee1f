// MemoryAdapter against real sockets on fake sessions: targeting, encode-once fan-out,
// volatile, socket operations, standalone cluster calls.

#include <sio/socketio/memory_adapter.hpp>

#include <algorithm>
#include <utility>

#include <gtest/gtest.h>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::test::Connection;
using sio::test::Harness;

namespace {

struct Fixture {
    Harness h;
    std::vector<Connection> conns;
    std::vector<std::string> sids;

    explicit Fixture(int n) {
        conns.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            conns.push_back(h.open());
            sids.push_back(h.join(conns.back()));
        }
    }
    Namespace& nsp() { return h.server.of("/"); }
    std::shared_ptr<Socket> socket(int i) { return nsp().socket(sids[static_cast<std::size_t>(i)]); }
    Packet event(const char* name) {
        return Packet{PacketType::event, "/", std::nullopt, boost::json::array{name}, {}};
    }
    std::vector<int> receivers() {
        std::vector<int> out;
        for (std::size_t i = 0; i < conns.size(); ++i)
            if (!conns[i].take().empty()) out.push_back(static_cast<int>(i));
        return out;
    }
};

TEST(MemoryAdapter, BroadcastEncodesOnceAndSharesFrames) {
    Fixture f(3);
    Payload p;
    p.push_binary("xy");
    f.nsp().adapter().broadcast(
        Packet{PacketType::event, "/", std::nullopt, boost::json::array{"e", p.args[0]}, p.attachments},
        BroadcastOptions{});
    std::vector<const engineio::Frame*> firsts;
    for (auto& c : f.conns) {
        ASSERT_EQ(c.session->units().size(), 1u);
        ASSERT_EQ(c.session->units()[0].size(), 2u);
        firsts.push_back(c.session->units()[0][0].get());
    }
    EXPECT_EQ(firsts[0], firsts[1]);  // the very same frame object
    EXPECT_EQ(firsts[1], firsts[2]);
    EXPECT_EQ(firsts[0]->bytes, "451-[\"e\",{\"_placeholder\":true,\"num\":0}]");
}

TEST(MemoryAdapter, RoomsExceptAndEachOnce) {
    Fixture f(4);
    f.socket(0)->join("a");
    f.socket(1)->join(std::vector<std::string>{"a", "b"});
    f.socket(2)->join("b");
    f.socket(2)->join("x");
    auto& a = f.nsp().adapter();
    a.broadcast(f.event("e"), BroadcastOptions{{"a", "b"}, {}, {}});
    EXPECT_EQ(f.receivers(), (std::vector<int>{0, 1, 2}));
    a.broadcast(f.event("e"), BroadcastOptions{{"a", "b"}, {"x"}, {}});
    EXPECT_EQ(f.receivers(), (std::vector<int>{0, 1}));
    a.broadcast(f.event("e"), BroadcastOptions{{}, {"a"}, {}});
    EXPECT_EQ(f.receivers(), (std::vector<int>{2, 3}));
    EXPECT_EQ(f.conns[0].session->units().size(), 0u);
    // each socket got every packet once
    a.broadcast(f.event("e"), BroadcastOptions{{"a", "b", f.sids[1]}, {}, {}});
    EXPECT_EQ(f.conns[1].session->units().size(), 1u);
}

TEST(MemoryAdapter, VolatileSkipsOnlyUnwritableSessions) {
    Fixture f(2);
    f.conns[0].session->set_writable(false);
    BroadcastOptions opts;
    opts.flags.is_volatile = true;
    f.nsp().adapter().broadcast(f.event("v"), opts);
    EXPECT_EQ(f.receivers(), (std::vector<int>{1}));
    f.nsp().adapter().broadcast(f.event("nv"), BroadcastOptions{});
    EXPECT_EQ(f.receivers(), (std::vector<int>{0, 1}));
}

TEST(MemoryAdapter, SocketRoomsAndDelAll) {
    Fixture f(1);
    f.socket(0)->join("r");
    auto rooms = f.nsp().adapter().socket_rooms(f.sids[0]);
    std::vector<std::string> expected{"r", f.sids[0]};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(rooms, expected);
    EXPECT_EQ(f.socket(0)->rooms(), expected);
    f.socket(0)->leave("r");
    EXPECT_EQ(f.socket(0)->rooms(), std::vector<std::string>{f.sids[0]});
    f.nsp().adapter().del_all(f.sids[0]);
    EXPECT_TRUE(f.nsp().adapter().socket_rooms(f.sids[0]).empty());
}

TEST(MemoryAdapter, SharedDataIsCopiedOnWriteAndFetched) {
    Fixture f(2);
    auto shared = std::make_shared<const boost::json::value>(boost::json::object{{"user", nullptr}});
    f.socket(0)->share_data(shared);
    f.socket(1)->share_data(shared);
    EXPECT_EQ(&std::as_const(*f.socket(0)).data(), shared.get());  // no copy while only read

    f.socket(1)->data().as_object()["user"] = "bob";  // the write copies first
    EXPECT_EQ(*shared, (boost::json::object{{"user", nullptr}}));
    EXPECT_EQ(std::as_const(*f.socket(0)).data(), (boost::json::object{{"user", nullptr}}));
    EXPECT_EQ(std::as_const(*f.socket(1)).data(), (boost::json::object{{"user", "bob"}}));

    std::vector<SocketInfo> got;
    f.nsp().adapter().fetch_sockets(BroadcastOptions{},
                                    [&](ErrorCode, std::vector<SocketInfo> infos) { got = std::move(infos); });
    ASSERT_EQ(got.size(), 2u);
    std::vector<boost::json::value> data{got[0].data, got[1].data};
    EXPECT_NE(std::find(data.begin(), data.end(), boost::json::value(boost::json::object{{"user", nullptr}})),
              data.end());
    EXPECT_NE(std::find(data.begin(), data.end(), boost::json::value(boost::json::object{{"user", "bob"}})),
              data.end());
}

TEST(MemoryAdapter, FetchSocketsGivesHandshakeRoomsData) {
    Fixture f(2);
    f.socket(0)->join("r");
    f.socket(0)->data() = boost::json::object{{"user", "ann"}};
    std::vector<SocketInfo> got;
    bool called = false;
    f.nsp().adapter().fetch_sockets(BroadcastOptions{{"r"}, {}, {}}, [&](ErrorCode ec, std::vector<SocketInfo> infos) {
        EXPECT_FALSE(ec);
        called = true;
        got = std::move(infos);
    });
    ASSERT_TRUE(called);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].id, f.sids[0]);
    EXPECT_EQ(got[0].rooms.size(), 2u);
    EXPECT_EQ(got[0].data, (boost::json::object{{"user", "ann"}}));
    const auto& hs = got[0].handshake.as_object();
    std::vector<std::string> keys;
    for (const auto& kv : hs) keys.emplace_back(kv.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"headers", "time", "address", "xdomain", "secure", "issued", "url",
                                              "query", "auth"}));
    EXPECT_EQ(hs.at("address"), "::ffff:127.0.0.1");
    EXPECT_EQ(hs.at("query"), (boost::json::object{{"EIO", "4"}, {"transport", "websocket"}}));
    EXPECT_EQ(hs.at("headers").as_object().at("host"), "localhost");
    EXPECT_TRUE(hs.at("issued").is_int64());
    std::string time(hs.at("time").as_string());
    EXPECT_TRUE(time.ends_with(" GMT+0000 (Coordinated Universal Time)")) << time;
    EXPECT_EQ(time.size(), std::string("Tue Nov 24 2026 18:39:04 GMT+0000 (Coordinated Universal Time)").size());
}

TEST(MemoryAdapter, HandshakeMergesRepeatedHeadersAndQueryKeys) {
    Harness h;
    auto c = h.open();
    c.session->mutable_handshake() = sio::engineio::Handshake("/socket.io/?EIO=4&transport=websocket&k=1&k=2&k=3",
                                                              {{"x-a", "1"}, {"x-a", "2"}, {"set-cookie", "c=1"}},
                                                              {{"k", "1"}, {"k", "2"}, {"k", "3"}}, "::ffff:127.0.0.1");
    c.session->mutable_handshake().xdomain = true;
    auto sid = h.join(c);
    auto hs = h.server.of("/").socket(sid)->handshake_json().as_object();
    EXPECT_EQ(hs.at("headers"), (boost::json::object{{"x-a", "1, 2"}, {"set-cookie", boost::json::array{"c=1"}}}));
    EXPECT_EQ(hs.at("query"), (boost::json::object{{"k", boost::json::array{"1", "2", "3"}}}));
    EXPECT_EQ(hs.at("xdomain"), true);
}

TEST(MemoryAdapter, AddDelDisconnectSockets) {
    Fixture f(3);
    f.socket(0)->join("a");
    f.socket(1)->join("a");
    auto& a = f.nsp().adapter();
    a.add_sockets(BroadcastOptions{{"a"}, {}, {}}, {"b", "c"});
    EXPECT_EQ(f.socket(1)->rooms().size(), 4u);
    EXPECT_EQ(f.socket(2)->rooms().size(), 1u);
    a.del_sockets(BroadcastOptions{{}, {}, {}}, {"c"});
    EXPECT_EQ(f.socket(0)->rooms().size(), 3u);
    a.disconnect_sockets(BroadcastOptions{{"b"}, {}, {}}, false);
    EXPECT_EQ(f.conns[0].take().back(), "41");
    EXPECT_EQ(f.conns[1].take().back(), "41");
    EXPECT_EQ(f.nsp().sockets().size(), 1u);
    EXPECT_FALSE(f.conns[0].session->closed());
    a.disconnect_sockets(BroadcastOptions{}, true);
    EXPECT_TRUE(f.conns[2].session->closed());
}

TEST(MemoryAdapter, StandaloneClusterCalls) {
    Fixture f(1);
    std::size_t count = 0;
    f.nsp().adapter().server_count([&](ErrorCode ec, std::size_t n) {
        EXPECT_FALSE(ec);
        count = n;
    });
    EXPECT_EQ(count, 1u);
    bool acked = false;
    EXPECT_TRUE(f.nsp().server_side_emit("hello", Payload(boost::json::array{1}),
                                         [&](ErrorCode ec, std::vector<boost::json::value> v) {
                                             EXPECT_FALSE(ec);
                                             EXPECT_TRUE(v.empty());
                                             acked = true;
                                         }));
    EXPECT_TRUE(acked);
    EXPECT_FALSE(f.nsp().server_side_emit("connection", {}));
    EXPECT_FALSE(f.nsp().adapter().supports_recovery());
    bool answered = false;
    f.nsp().adapter().restore_session("p", "o", [&](std::optional<socketio::RecoveredSession> found) {
        EXPECT_FALSE(found);
        answered = true;
    });
    EXPECT_TRUE(answered);
}

}  // namespace
