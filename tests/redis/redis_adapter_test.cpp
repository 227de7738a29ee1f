#include <sio/adapter/redis_adapter.hpp>

// RedisAdapter against a real redis-server: two or three in-process socketio::Servers (no
// engine, FakeSessions), each with its own RedisCluster (own connections), all on the test's
// io_context. A raw "spy" connection PSUBSCRIBEs `socket.io*` to see the exact bytes on the
// wire (pattern subscriptions do not count in NUMSUB); a raw publisher plays a Node peer or
// the emitter with the golden bytes of tests/vectors/redis/vectors.json.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include <sio/socketio/namespace.hpp>
#include <sio/socketio/server.hpp>
#include <sio/socketio/socket.hpp>

#include "redis/redis_fixture.hpp"
#include "support/socketio_harness.hpp"
#include "unit/adapter/redis_vectors.hpp"

namespace sio::test {
namespace {

using boost::system::error_code;
using sio::adapter::cluster_errc;
using sio::adapter::RedisAdapter;
using sio::adapter::RedisAdapterOptions;
using sio::adapter::RedisCluster;
using sio::redis_test::unhex;
using sio::socketio::BroadcastAckResult;
using sio::socketio::Namespace;
using sio::socketio::Payload;
using sio::socketio::Server;
using sio::socketio::ServerOptions;
using sio::socketio::SocketInfo;
namespace json = boost::json;

/** One cluster member: a Server with its own RedisCluster, and its client connections. */
struct Member {
    std::shared_ptr<RedisCluster> cluster;
    std::unique_ptr<Server> server;
    std::vector<Connection> conns;
    std::vector<std::string> sids;
    std::vector<std::vector<std::string>> boxes;  // frames received so far, per connection
    int next = 0;

    Namespace& nsp(const std::string& name = "/") { return server->of(name); }
    RedisAdapter& adapter(const std::string& name = "/") { return dynamic_cast<RedisAdapter&>(nsp(name).adapter()); }

    /** A new client joined to `name`; returns its index. */
    std::size_t connect(const std::string& name = "/") {
        Connection c;
        c.session = std::make_unique<FakeSession>("engine" + std::to_string(next++));
        c.handler = server->accept(*c.session);
        c.recv(name == "/" ? std::string("0") : "0" + name + ",");
        auto frames = c.take();
        sids.push_back(frames.empty() ? std::string() : Harness::sid_of(frames.back()));
        conns.push_back(std::move(c));
        boxes.emplace_back();
        return conns.size() - 1;
    }
    std::shared_ptr<socketio::Socket> socket(std::size_t i, const std::string& name = "/") {
        return nsp(name).socket(sids[i]);
    }
    /** Frames received by connection i so far (accumulated). */
    std::vector<std::string>& box(std::size_t i) {
        auto got = conns[i].take();
        boxes[i].insert(boxes[i].end(), got.begin(), got.end());
        return boxes[i];
    }
    void clear() {
        for (std::size_t i = 0; i < conns.size(); ++i) {
            box(i);
            boxes[i].clear();
        }
    }
};

struct Message {
    std::string channel;
    std::string payload;
};

/** `42<id>[...]` -> id. */
std::string ack_id_of(const std::string& frame) {
    std::size_t i = 2;
    std::string id;
    while (i < frame.size() && frame[i] >= '0' && frame[i] <= '9') id.push_back(frame[i++]);
    return id;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

class RedisAdapterTest : public RedisFixture {
protected:
    static RedisAdapterOptions fast() {
        RedisAdapterOptions o;
        o.requests_timeout = 400ms;
        return o;
    }

    std::unique_ptr<Member> member(std::vector<std::string> namespaces = {}, RedisAdapterOptions ao = fast()) {
        auto m = std::make_unique<Member>();
        m->cluster = RedisCluster::create(ioc_.get_executor(), options());
        ServerOptions so;
        so.adapter_factory = sio::adapter::make_redis_adapter_factory(m->cluster, ao);
        m->server = std::make_unique<Server>(ioc_.get_executor(), so, socketio::without_engine);
        for (const auto& n : namespaces) m->server->of(n);
        m->cluster->start();
        std::optional<error_code> ready;
        m->cluster->wait_ready(5s, [&](error_code ec) { ready = ec; });
        EXPECT_TRUE(run_until(
            ioc_, [&] { return ready.has_value(); }, 6s));
        EXPECT_FALSE(ready.value_or(error_code{})) << m->cluster->last_error();
        EXPECT_TRUE(m->cluster->ready());
        return m;
    }

    /** A raw connection that PSUBSCRIBEs `socket.io*` and records every message. */
    void spy() {
        spy_ = connect_ok(options());
        spy_->set_message_handler([this](std::string_view c, std::string_view, std::string_view p) {
            spied_.push_back({std::string(c), std::string(p)});
        });
        bool ok = false;
        spy_->psubscribe({"socket.io*"}, [&](error_code ec, RedisReply) { ok = !ec; });
        ASSERT_TRUE(run_until(ioc_, [&] { return ok; }));
    }
    std::vector<Message> spied_on(const std::string& channel) const {
        std::vector<Message> out;
        for (const auto& m : spied_)
            if (m.channel == channel) out.push_back(m);
        return out;
    }

    void publish(const std::string& channel, const std::string& payload) {
        if (!pub_) pub_ = connect_ok(options());
        cmd(pub_, {"PUBLISH", channel, payload});
    }

    void settle(std::chrono::milliseconds d = 100ms) {
        run_until(
            ioc_, [] { return false; }, d);
    }

    std::size_t server_count(Member& m, error_code* ec_out = nullptr) {
        std::optional<std::size_t> n;
        m.nsp().server_count([&](error_code ec, std::size_t c) {
            if (ec_out) *ec_out = ec;
            n = c;
        });
        EXPECT_TRUE(run_until(ioc_, [&] { return n.has_value(); }));
        return n.value_or(0);
    }

    std::shared_ptr<RedisConnection> spy_;
    std::shared_ptr<RedisConnection> pub_;
    std::vector<Message> spied_;
};

// ---- subscriptions ---------------------------------------------------------------------------

TEST_F(RedisAdapterTest, SubscribesNodesChannelsAndCountsServers) {
    auto a = member({"/chat"});
    auto b = member();
    auto raw = connect_ok(options());
    const auto& uid = a->adapter().uid();
    ASSERT_EQ(uid.size(), 6u);
    EXPECT_NE(uid, b->adapter().uid());
    auto numsub = cmd(raw, {"PUBSUB", "NUMSUB", "socket.io-request#/#", "socket.io-response#/#",
                            "socket.io-response#/#" + uid + "#", "socket.io-request#/chat#"});
    ASSERT_EQ(numsub.elements.size(), 8u);
    EXPECT_EQ(numsub.elements[1].integer, 2);  // one plain SUBSCRIBE per server
    EXPECT_EQ(numsub.elements[3].integer, 2);
    EXPECT_EQ(numsub.elements[5].integer, 1);
    EXPECT_EQ(numsub.elements[7].integer, 1);
    EXPECT_EQ(server_count(*a), 2u);
    EXPECT_EQ(a->cluster->adapter_count(), 2u);
    EXPECT_FALSE(a->adapter().supports_recovery());

    // A namespace made later subscribes too; destroying the server unsubscribes.
    b->server->of("/chat");
    ASSERT_TRUE(run_until(ioc_, [&] { return b->cluster->ready(); }));
    EXPECT_EQ(cmd(raw, {"PUBSUB", "NUMSUB", "socket.io-request#/chat#"}).elements[1].integer, 2);
    b.reset();
    settle(50ms);
    EXPECT_EQ(cmd(raw, {"PUBSUB", "NUMSUB", "socket.io-request#/#"}).elements[1].integer, 1);
    EXPECT_EQ(server_count(*a), 1u);
}

// ---- broadcasts ------------------------------------------------------------------------------

TEST_F(RedisAdapterTest, BroadcastToAllReachesEveryServerOnceWithNodesBytes) {
    spy();
    auto a = member();
    auto b = member();
    a->connect();
    a->connect();
    b->connect();
    b->connect();
    a->nsp().emit("hello", Payload(json::array{"world"}));
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1 && b->box(1).size() == 1; }));
    settle();
    for (auto* m : {a.get(), b.get()})
        for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(m->box(i), std::vector<std::string>{"42[\"hello\",\"world\"]"});

    // Byte-exact: [uid, {type, data, nsp}, {rooms, except, flags}] on socket.io#/#.
    ASSERT_TRUE(run_until(ioc_, [&] { return spied_on("socket.io#/#").size() == 1; }));
    auto msgs = spied_on("socket.io#/#");
    const std::string expected = "\x93\xa6" + a->adapter().uid() +
                                 unhex(
                                     "83a47479706502a46461746192a568656c6c6fa5776f726c64a36e7370a12f"
                                     "83a5726f6f6d7390a665786365707490a5666c61677380");
    EXPECT_EQ(redis_test::tohex(msgs[0].payload), redis_test::tohex(expected));
    EXPECT_EQ(a->cluster->publish_failures(), 0u);
}

TEST_F(RedisAdapterTest, BroadcastToRoomsAndExceptAcrossServers) {
    spy();
    auto a = member();
    auto b = member();
    for (int i = 0; i < 3; ++i) {
        a->connect();
        b->connect();
    }
    b->socket(0)->join("r1");
    b->socket(1)->join("r2");
    b->socket(2)->join(std::vector<std::string>{"r1", "r3"});
    a->socket(0)->join("r1");

    // One room: published on the room channel.
    a->nsp().to("r1").emit("one");
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1 && b->box(2).size() == 1; }));
    settle();
    EXPECT_EQ(b->box(0), std::vector<std::string>{"42[\"one\"]"});
    EXPECT_TRUE(b->box(1).empty());
    EXPECT_EQ(a->box(0), std::vector<std::string>{"42[\"one\"]"});
    EXPECT_TRUE(a->box(1).empty());
    EXPECT_EQ(spied_on("socket.io#/#r1#").size(), 1u);
    a->clear();
    b->clear();

    // Several rooms minus an except room: the broadcast channel; each socket once.
    a->nsp().to(std::vector<std::string>{"r1", "r2"}).except("r3").emit("multi");
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1 && b->box(1).size() == 1; }));
    settle();
    EXPECT_TRUE(b->box(2).empty());
    EXPECT_EQ(a->box(0).size(), 1u);
    EXPECT_EQ(spied_on("socket.io#/#").size(), 1u);
    a->clear();
    b->clear();

    // From a socket: socket.broadcast excludes only the sender.
    b->socket(0)->broadcast().emit("bc");
    ASSERT_TRUE(
        run_until(ioc_, [&] { return a->box(0).size() == 1 && a->box(1).size() == 1 && a->box(2).size() == 1; }));
    settle();
    EXPECT_TRUE(b->box(0).empty());
    EXPECT_EQ(b->box(1).size(), 1u);

    // A room nobody here is in: dropped by the receiver before decoding.
    a->clear();
    b->clear();
    a->nsp().to("nobody").emit("x");
    settle();
    for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(b->box(i).empty() && a->box(i).empty());
}

TEST_F(RedisAdapterTest, BinaryVolatileAndLocalFlags) {
    spy();
    auto a = member();
    auto b = member();
    a->connect();
    b->connect();
    b->connect();

    Payload bin;
    bin.push_binary(std::string("\x01\x02\x03", 3));
    bin.args.push_back(json::object{{"buf", bin.add_binary(std::string("\x04", 1))}});
    a->nsp().emit("bin", bin);
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 3; }));
    EXPECT_EQ(b->box(0),
              (std::vector<std::string>{
                  "452-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"buf\":{\"_placeholder\":true,\"num\":1}}]",
                  std::string("bin:\x01\x02\x03", 7), std::string("bin:\x04", 5)}));
    // On the wire: type 2 with msgpack bin (Node's own capture, modulo uid).
    ASSERT_TRUE(run_until(ioc_, [&] { return spied_on("socket.io#/#").size() == 1; }));
    auto msgs = spied_on("socket.io#/#");
    EXPECT_EQ(redis_test::tohex(msgs[0].payload.substr(8)),
              "83a47479706502a46461746193a362696ec40301020381a3627566c40104a36e7370a12f83a5726f6f6d7390a665786365707490"
              "a5666c61677380");
    b->clear();

    // volatile: carried as flags.volatile and honoured by the receiving server.
    b->conns[1].session->set_writable(false);
    a->nsp().volatile_().emit("vol", Payload(json::array{1}));
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1; }));
    settle(50ms);
    EXPECT_TRUE(b->box(1).empty());
    EXPECT_EQ(b->conns[1].session->dropped(), 1u);
    EXPECT_NE(redis_test::tohex(spied_on("socket.io#/#").back().payload).find("a5666c61677381a8766f6c6174696c65c3"),
              std::string::npos);  // "flags":{"volatile":true}
    b->conns[1].session->set_writable(true);

    // local: delivered here only, never published.
    const auto before = spied_.size();
    a->clear();
    b->clear();
    a->nsp().local().emit("loc");
    a->nsp().emit("marker");
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1; }));
    settle(50ms);
    EXPECT_EQ(b->box(0), std::vector<std::string>{"42[\"marker\"]"});
    EXPECT_EQ(a->box(0), (std::vector<std::string>{"42[\"loc\"]", "42[\"marker\"]"}));
    EXPECT_EQ(spied_.size(), before + 1);
}

TEST_F(RedisAdapterTest, NodeAndEmitterBroadcastBytesAreDelivered) {
    auto b = member({"/chat"});
    b->connect();         // 0: in room1
    b->connect();         // 1: not
    b->connect("/chat");  // 2
    b->socket(0)->join("room1");
    auto vector_bytes = [](std::string_view name) {
        for (const auto& v : redis_test::vector_list("broadcasts")) {
            const auto& o = v.as_object();
            if (o.at("name").as_string() == name)
                return std::make_pair(redis_test::str(o, "channel"), unhex(o.at("hex").as_string()));
        }
        throw std::invalid_argument("no vector");
    };
    for (auto name : {"capture 4.3 to room1", "emitter emit", "dates", "capture binary", "V1"}) {
        auto [channel, bytes] = vector_bytes(name);
        publish(channel, bytes);
    }
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 6 && b->box(2).size() == 1; }));
    settle();
    EXPECT_EQ(b->box(0),
              (std::vector<std::string>{
                  "42[\"room-event\",{\"a\":1}]", "42[\"from-emitter\",1]",
                  "42[\"date\",\"2023-11-14T22:13:20.123Z\",\"2023-11-14T22:13:20.000Z\"]",
                  "452-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"buf\":{\"_placeholder\":true,\"num\":1}}]",
                  std::string("bin:\x01\x02\x03", 7), std::string("bin:\x04", 5)}));
    EXPECT_EQ(b->box(1).size(), 5u);  // everything but the room1 message
    EXPECT_EQ(b->box(2), std::vector<std::string>{"42/chat,[\"hello\",\"world\"]"});

    // The emitter with a room and flags, and a hand-made minimal message (no flags, no nsp).
    b->clear();
    auto [channel, bytes] = vector_bytes("emitter to room volatile compress");
    publish(channel, bytes);
    // ["node1", {"type": 2.0 (float64), "data": ["x"]}, {"rooms": [], "except": []}]
    publish("socket.io#/#", unhex("93a56e6f64653182a474797065cb4000000000000000a46461746191a178"
                                  "82a5726f6f6d7390a665786365707490"));
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 2; }));
    settle(50ms);
    EXPECT_EQ(b->box(0), (std::vector<std::string>{"42[\"x\",{\"y\":[1,2]}]", "42[\"x\"]"}));
    EXPECT_EQ(b->box(1), std::vector<std::string>{"42[\"x\"]"});
}

// ---- socketsJoin / socketsLeave / disconnectSockets --------------------------------------------

TEST_F(RedisAdapterTest, RemoteJoinLeaveDisconnectApplyEverywhereIncludingTheSender) {
    auto a = member();
    auto b = member();
    a->connect();
    a->connect();
    b->connect();
    b->connect();
    a->socket(0)->join("r");
    b->socket(0)->join("r");

    a->nsp().to("r").sockets_join({"j1", "j2"});
    // As Node: the sender's own sockets change only when its request comes back.
    EXPECT_EQ(a->socket(0)->rooms().size(), 2u);
    ASSERT_TRUE(
        run_until(ioc_, [&] { return a->socket(0)->rooms().size() == 4 && b->socket(0)->rooms().size() == 4; }));
    EXPECT_EQ(a->socket(1)->rooms().size(), 1u);
    EXPECT_EQ(b->socket(1)->rooms().size(), 1u);

    a->nsp().all().sockets_leave({"j1"});
    ASSERT_TRUE(
        run_until(ioc_, [&] { return a->socket(0)->rooms().size() == 3 && b->socket(0)->rooms().size() == 3; }));

    // local: applied at once, here only.
    a->nsp().local().sockets_join({"l"});
    EXPECT_EQ(a->socket(1)->rooms().size(), 2u);
    settle(50ms);
    EXPECT_EQ(b->socket(1)->rooms().size(), 1u);

    // The emitter's form (no uid).
    publish("socket.io-request#/#", R"({"type":2,"opts":{"rooms":["r"],"except":[]},"rooms":["ej"]})");
    ASSERT_TRUE(run_until(ioc_, [&] {
        auto rb = b->socket(0)->rooms();
        return std::count(rb.begin(), rb.end(), "ej") == 1;
    }));

    a->clear();
    b->clear();
    a->nsp().to("r").disconnect_sockets();
    ASSERT_TRUE(run_until(ioc_, [&] { return !b->socket(0) && !a->socket(0); }));
    EXPECT_EQ(b->box(0), std::vector<std::string>{"41"});
    EXPECT_EQ(a->box(0), std::vector<std::string>{"41"});
    EXPECT_TRUE(b->socket(1) && a->socket(1));

    // Legacy sid form: answered with {"requestId"} by the owner of the sid.
    spy();
    publish("socket.io-request#/#",
            R"({"uid":"nodeXX","requestId":"legacy","type":2,"sid":")" + b->sids[1] + R"(","room":"room7"})");
    ASSERT_TRUE(run_until(ioc_, [&] { return !spied_on("socket.io-response#/#").empty(); }));
    EXPECT_EQ(spied_on("socket.io-response#/#")[0].payload, R"({"requestId":"legacy"})");
    EXPECT_EQ(sorted(b->socket(1)->rooms()), sorted({b->sids[1], "room7"}));
    publish("socket.io-request#/#",
            R"({"uid":"nodeXX","requestId":"legac2","type":4,"sid":")" + b->sids[1] + R"(","close":false})");
    publish("socket.io-request#/#", R"({"uid":"nodeXX","requestId":"legac3","type":4,"sid":"nobody","close":false})");
    ASSERT_TRUE(run_until(ioc_, [&] { return !b->socket(1); }));
    settle(50ms);
    auto responses = spied_on("socket.io-response#/#");
    ASSERT_EQ(responses.size(), 2u);  // the unknown sid is not answered (by anyone)
    EXPECT_EQ(responses[1].payload, R"({"requestId":"legac2"})");
}

// ---- fetchSockets ----------------------------------------------------------------------------

TEST_F(RedisAdapterTest, FetchSocketsMergesEveryServer) {
    spy();
    auto a = member();
    auto b = member();
    auto c = member();  // no sockets: answers anyway
    a->connect();
    b->connect();
    b->connect();
    b->socket(1)->join("room1");
    b->socket(1)->data() = json::object{{"user", "s2-user"}};

    std::optional<std::vector<SocketInfo>> got;
    error_code ec;
    auto t0 = std::chrono::steady_clock::now();
    a->nsp().all().fetch_sockets([&](error_code e, std::vector<SocketInfo> s) {
        ec = e;
        got = std::move(s);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return got.has_value(); }));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms);  // not the timeout: C answered
    EXPECT_FALSE(ec);
    ASSERT_EQ(got->size(), 3u);
    EXPECT_EQ((*got)[0].id, a->sids[0]);  // local first
    auto it = std::find_if(got->begin(), got->end(), [&](const SocketInfo& s) { return s.id == b->sids[1]; });
    ASSERT_NE(it, got->end());
    EXPECT_EQ(sorted(it->rooms), sorted({b->sids[1], "room1"}));
    EXPECT_EQ(socketio::to_json(it->data), R"({"user":"s2-user"})");
    const auto& hs = it->handshake.as_object();
    EXPECT_EQ(hs.at("address").as_string(), "::ffff:127.0.0.1");
    EXPECT_EQ(hs.at("url").as_string(), "/socket.io/?EIO=4&transport=websocket");
    EXPECT_TRUE(hs.at("issued").is_int64());
    EXPECT_TRUE(hs.at("headers").is_object());
    // (the spy's connection may see the traffic a little after the servers do)
    ASSERT_TRUE(run_until(ioc_, [&] { return spied_on("socket.io-response#/#").size() == 2; }));
    auto requests = spied_on("socket.io-request#/#");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_TRUE(requests[0].payload.starts_with(R"({"uid":")" + a->adapter().uid() + R"(","requestId":")"));
    EXPECT_NE(requests[0].payload.find(R"("type":5,"opts":{"rooms":[],"except":[]}})"), std::string::npos);
    EXPECT_EQ(spied_on("socket.io-response#/#").size(), 2u);
    EXPECT_EQ(a->adapter().pending_requests(), 0u);

    // Rooms filter; local flag.
    got.reset();
    a->nsp().to("room1").fetch_sockets([&](error_code, std::vector<SocketInfo> s) { got = std::move(s); });
    ASSERT_TRUE(run_until(ioc_, [&] { return got.has_value(); }));
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].id, b->sids[1]);
    got.reset();
    a->nsp().local().fetch_sockets([&](error_code, std::vector<SocketInfo> s) { got = std::move(s); });
    ASSERT_TRUE(got.has_value());  // synchronous
    EXPECT_EQ(got->size(), 1u);

    // A server that never answers (an extra SUBSCRIBE inflates NUMSUB): timed_out + partial.
    auto extra = connect_ok(options());
    bool subscribed = false;
    extra->subscribe({"socket.io-request#/#"}, [&](error_code, RedisReply) { subscribed = true; });
    ASSERT_TRUE(run_until(ioc_, [&] { return subscribed; }));
    got.reset();
    t0 = std::chrono::steady_clock::now();
    a->nsp().all().fetch_sockets([&](error_code e, std::vector<SocketInfo> s) {
        ec = e;
        got = std::move(s);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return got.has_value(); }));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 380ms);
    EXPECT_EQ(ec, cluster_errc::timed_out);
    EXPECT_EQ(got->size(), 3u);
}

// ---- allRooms --------------------------------------------------------------------------------

TEST_F(RedisAdapterTest, AllRoomsMergesEveryServerOnceEach) {
    spy();
    auto a = member();
    auto b = member();
    auto c = member();  // no sockets: answers anyway
    a->connect();
    b->connect();
    a->socket(0)->join("shared");
    a->socket(0)->join("only-a");
    b->socket(0)->join("shared");
    b->socket(0)->join("only-b");

    std::optional<std::vector<std::string>> got;
    error_code ec;
    a->nsp().all_rooms([&](error_code e, std::vector<std::string> rooms) {
        ec = e;
        got = std::move(rooms);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return got.has_value(); }));
    EXPECT_FALSE(ec);
    EXPECT_EQ(*got, sorted({a->sids[0], b->sids[0], "only-a", "only-b", "shared"}));  // "shared" once
    // socket.io's ALL_ROOMS request, answered by B and C.
    ASSERT_TRUE(run_until(ioc_, [&] { return spied_on("socket.io-response#/#").size() == 2; }));
    auto requests = spied_on("socket.io-request#/#");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_TRUE(requests[0].payload.starts_with(R"({"uid":")" + a->adapter().uid() + R"(","requestId":")"));
    EXPECT_TRUE(requests[0].payload.ends_with(R"(","type":1})"));
    EXPECT_EQ(a->adapter().pending_requests(), 0u);

    // A server that never answers (an extra SUBSCRIBE inflates NUMSUB): timed_out with what
    // the others said.
    auto extra = connect_ok(options());
    bool subscribed = false;
    extra->subscribe({"socket.io-request#/#"}, [&](error_code, RedisReply) { subscribed = true; });
    ASSERT_TRUE(run_until(ioc_, [&] { return subscribed; }));
    got.reset();
    a->nsp().all_rooms([&](error_code e, std::vector<std::string> rooms) {
        ec = e;
        got = std::move(rooms);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return got.has_value(); }));
    EXPECT_EQ(ec, cluster_errc::timed_out);
    EXPECT_EQ(*got, sorted({a->sids[0], b->sids[0], "only-a", "only-b", "shared"}));
    EXPECT_EQ(a->adapter().pending_requests(), 0u);
}

// ---- serverSideEmit --------------------------------------------------------------------------

TEST_F(RedisAdapterTest, ServerSideEmitWithAndWithoutAck) {
    auto a = member();
    auto b = member();
    auto c = member();
    EXPECT_EQ(server_count(*a), 3u);
    std::vector<std::string> calls;
    for (auto [m, name] : {std::pair{a.get(), "A"}, std::pair{b.get(), "B"}, std::pair{c.get(), "C"}}) {
        m->nsp().on_server_side("sse",
                                [&calls, name = std::string(name)](Payload args, std::function<void(json::value)> ack) {
                                    calls.push_back(name + ":" + socketio::to_json(json::value(args.args)));
                                    if (ack) {
                                        ack(json::value(name));
                                        ack(json::value("twice"));  // only the first counts
                                    }
                                });
    }
    a->nsp().server_side_emit("sse", Payload(json::array{"hi", 2}));
    ASSERT_TRUE(run_until(ioc_, [&] { return calls.size() == 2; }));
    settle(50ms);
    EXPECT_EQ(sorted(calls), (std::vector<std::string>{"B:[\"hi\",2]", "C:[\"hi\",2]"}));  // never the sender

    calls.clear();
    std::optional<std::vector<json::value>> acks;
    error_code ec;
    a->nsp().server_side_emit("sse", Payload(json::array{"q"}), [&](error_code e, std::vector<json::value> v) {
        ec = e;
        acks = std::move(v);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return acks.has_value(); }));
    EXPECT_FALSE(ec);
    ASSERT_EQ(acks->size(), 2u);
    std::vector<std::string> from;
    for (const auto& v : *acks) from.emplace_back(v.as_string());
    EXPECT_EQ(sorted(from), (std::vector<std::string>{"B", "C"}));
    EXPECT_EQ(a->adapter().pending_requests(), 0u);

    // A peer that does not answer: serverCount - 1 = 3 expected, 2 arrive.
    auto extra = connect_ok(options());
    bool subscribed = false;
    extra->subscribe({"socket.io-request#/#"}, [&](error_code, RedisReply) { subscribed = true; });
    ASSERT_TRUE(run_until(ioc_, [&] { return subscribed; }));
    acks.reset();
    a->nsp().server_side_emit("sse", Payload(json::array{"q"}), [&](error_code e, std::vector<json::value> v) {
        ec = e;
        acks = std::move(v);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return acks.has_value(); }));
    EXPECT_EQ(ec, cluster_errc::timed_out);
    EXPECT_EQ(acks->size(), 2u);
}

TEST_F(RedisAdapterTest, ServerSideEmitAloneAcksAtOnceAndEmitterAndMsgpackRequestsWork) {
    spy();
    auto a = member();
    std::vector<std::string> calls;
    a->nsp().on_server_side("sse", [&](Payload args, std::function<void(json::value)> ack) {
        calls.push_back(socketio::to_json(json::value(args.args)) + "/" + std::to_string(args.attachments.size()));
        if (ack) ack(json::value("ok"));
    });
    std::optional<std::vector<json::value>> acks;
    a->nsp().server_side_emit("sse", Payload(json::array{"q"}), [&](error_code ec, std::vector<json::value> v) {
        EXPECT_FALSE(ec);
        acks = std::move(v);
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return acks.has_value(); }));
    EXPECT_TRUE(acks->empty());

    // The emitter's serverSideEmit, then a msgpack-encoded request with ack (bin argument).
    publish("socket.io-request#/#", R"({"uid":"emitter","type":6,"data":["sse","from-emitter",3]})");
    for (const auto& v : redis_test::vector_list("requests"))
        if (v.as_object().at("name").as_string() == "msgpack server side emit")
            publish("socket.io-request#/#", redis_test::payload(v.as_object()));
    ASSERT_TRUE(run_until(ioc_, [&] { return calls.size() == 2; }));
    EXPECT_EQ(calls[0], "[\"from-emitter\",3]/0");
    EXPECT_EQ(calls[1], "[{\"_placeholder\":true,\"num\":0}]/1");
    ASSERT_TRUE(run_until(ioc_, [&] { return !spied_on("socket.io-response#/#").empty(); }));
    EXPECT_EQ(spied_on("socket.io-response#/#")[0].payload, R"({"type":6,"requestId":"ffffff","data":"ok"})");
}

// ---- requests answered with zero sockets -------------------------------------------------------

TEST_F(RedisAdapterTest, EveryServerAnswersRequestsEvenWithoutSockets) {
    spy();
    auto a = member();
    auto b = member();
    a->connect();
    a->socket(0)->join("room1");
    publish("socket.io-request#/#", R"({"uid":"nodeXX","requestId":"7nGYyz","type":1})");
    publish("socket.io-request#/#", R"({"uid":"nodeXX","requestId":"abcdef","type":0,"rooms":["room1"]})");
    publish("socket.io-request#/#",
            R"({"uid":"nodeXX","requestId":"uRQhle","type":5,"opts":{"rooms":["zz"],"except":[]}})");
    ASSERT_TRUE(run_until(ioc_, [&] { return spied_on("socket.io-response#/#").size() == 6; }));
    std::vector<std::string> responses;
    for (const auto& m : spied_on("socket.io-response#/#")) responses.push_back(m.payload);
    const std::string rooms_a = R"({"requestId":"7nGYyz","rooms":[")";
    EXPECT_EQ(std::count(responses.begin(), responses.end(), R"({"requestId":"7nGYyz","rooms":[]})"), 1);  // b
    EXPECT_EQ(std::count_if(responses.begin(), responses.end(),
                            [&](const std::string& r) {
                                return r.starts_with(rooms_a) && r.find("room1") != std::string::npos &&
                                       r.find(a->sids[0]) != std::string::npos;
                            }),
              1);
    EXPECT_EQ(std::count(responses.begin(), responses.end(), R"({"requestId":"abcdef","sockets":[]})"), 1);
    EXPECT_EQ(
        std::count(responses.begin(), responses.end(), R"({"requestId":"abcdef","sockets":[")" + a->sids[0] + R"("]})"),
        1);
    EXPECT_EQ(std::count(responses.begin(), responses.end(), R"({"requestId":"uRQhle","sockets":[]})"), 2);
}

// ---- broadcast with acks ---------------------------------------------------------------------

TEST_F(RedisAdapterTest, BroadcastWithAckAcrossServers) {
    auto a = member();
    auto b = member();
    a->connect();
    b->connect();
    b->connect();
    std::optional<BroadcastAckResult> result;
    a->nsp().timeout(2000ms).emit_with_ack("q", Payload(json::array{1}),
                                           [&](BroadcastAckResult r) { result = std::move(r); });
    ASSERT_TRUE(
        run_until(ioc_, [&] { return b->box(0).size() == 1 && b->box(1).size() == 1 && a->box(0).size() == 1; }));
    auto answer = [](Member& m, std::size_t i, const std::string& value) {
        const auto& frame = m.box(i).back();
        ASSERT_TRUE(frame.starts_with("42")) << frame;
        EXPECT_EQ(frame.substr(frame.find('[')), "[\"q\",1]");
        m.conns[i].recv("3" + ack_id_of(frame) + "[\"" + value + "\",\"ignored\"]");
    };
    answer(*a, 0, "a0");
    answer(*b, 0, "b0");
    answer(*b, 1, "b1");
    ASSERT_TRUE(run_until(ioc_, [&] { return result.has_value(); }));
    EXPECT_FALSE(result->timed_out);
    EXPECT_FALSE(result->error);
    std::vector<std::string> got;
    for (const auto& v : result->responses) got.emplace_back(v.as_string());
    EXPECT_EQ(sorted(got), (std::vector<std::string>{"a0", "b0", "b1"}));

    // One remote client does not answer: timeout with the partial responses.
    a->clear();
    b->clear();
    result.reset();
    a->nsp().timeout(300ms).emit_with_ack("q", Payload(json::array{1}),
                                          [&](BroadcastAckResult r) { result = std::move(r); });
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1 && b->box(1).size() == 1; }));
    answer(*a, 0, "a0");
    answer(*b, 1, "b1");
    ASSERT_TRUE(run_until(ioc_, [&] { return result.has_value(); }));
    EXPECT_TRUE(result->timed_out);
    EXPECT_EQ(result->responses.size(), 2u);
    settle(50ms);
    // This one is forgotten after its timeout; the first lives for its 2 s, as in Node.
    EXPECT_EQ(a->adapter().pending_ack_requests(), 1u);
}

TEST_F(RedisAdapterTest, AnswersANodeBroadcastWithAckRequestByteForByte) {
    spy();
    auto b = member();
    b->connect();
    for (const auto& v : redis_test::vector_list("requests"))
        if (v.as_object().at("name").as_string() == "broadcast with ack")
            publish("socket.io-request#/#", redis_test::payload(v.as_object()));
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1; }));
    const auto frame = b->box(0)[0];
    EXPECT_EQ(frame.substr(frame.find('[')), "[\"ack-me\",42]");
    b->conns[0].recv("3" + ack_id_of(frame) + "[\"ack-from-B\"]");
    ASSERT_TRUE(run_until(ioc_, [&] { return spied_on("socket.io-response#/#").size() == 2; }));
    auto responses = spied_on("socket.io-response#/#");
    EXPECT_EQ(responses[0].payload, R"({"type":8,"requestId":"pnvPPc","clientCount":1})");
    EXPECT_EQ(redis_test::tohex(responses[1].payload),
              "83a47479706509a9726571756573744964a6706e76505063a67061636b6574aa61636b2d66726f6d2d42");
}

// ---- Redis down and back ---------------------------------------------------------------------

TEST_F(RedisAdapterTest, RedisRestartFailsFastThenHeals) {
    auto a = member();
    auto b = member();
    a->connect();
    b->connect();

    server_->stop(SIGKILL);
    ASSERT_TRUE(run_until(
        ioc_, [&] { return !a->cluster->up() && !b->cluster->up(); }, 5s));
    EXPECT_FALSE(a->cluster->ready());

    // Local delivery continues; the publish fails fast and is counted.
    const auto failures = a->cluster->publish_failures();
    a->nsp().emit("down");
    EXPECT_EQ(a->box(0), std::vector<std::string>{"42[\"down\"]"});
    EXPECT_EQ(a->cluster->publish_failures(), failures + 1);

    // Questions fail at once with `unavailable`.
    auto t0 = std::chrono::steady_clock::now();
    std::optional<error_code> fetch_ec, emit_ec, count_ec;
    std::optional<BroadcastAckResult> bwa;
    a->nsp().all().fetch_sockets([&](error_code ec, std::vector<SocketInfo> s) {
        fetch_ec = ec;
        EXPECT_EQ(s.size(), 1u);  // the local ones
    });
    a->nsp().server_side_emit("x", {}, [&](error_code ec, std::vector<json::value>) { emit_ec = ec; });
    a->nsp().server_count([&](error_code ec, std::size_t) { count_ec = ec; });
    a->nsp().timeout(2000ms).emit_with_ack("q", Payload{}, [&](BroadcastAckResult r) { bwa = std::move(r); });
    ASSERT_TRUE(run_until(
        ioc_, [&] { return fetch_ec && emit_ec && count_ec && bwa; }, 1s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);
    EXPECT_EQ(*fetch_ec, cluster_errc::unavailable);
    EXPECT_EQ(*emit_ec, cluster_errc::unavailable);
    EXPECT_EQ(*count_ec, cluster_errc::unavailable);
    EXPECT_EQ(bwa->error, cluster_errc::unavailable);
    EXPECT_FALSE(bwa->timed_out);

    // socketsJoin while down: applied locally at once (nothing would come back).
    a->nsp().all().sockets_join({"while-down"});
    EXPECT_EQ(a->socket(0)->rooms().size(), 2u);

    // Back on the same port: both re-subscribe by themselves.
    ASSERT_TRUE(server_->start());
    ASSERT_TRUE(run_until(
        ioc_, [&] { return a->cluster->ready() && b->cluster->ready(); }, 8s));
    EXPECT_GE(a->cluster->reconnects(), 1u);
    a->clear();
    b->clear();
    a->nsp().emit("up");
    ASSERT_TRUE(run_until(ioc_, [&] { return b->box(0).size() == 1; }));
    EXPECT_EQ(b->box(0), std::vector<std::string>{"42[\"up\"]"});
    EXPECT_EQ(server_count(*a), 2u);
}

}  // namespace
}  // namespace sio::test
