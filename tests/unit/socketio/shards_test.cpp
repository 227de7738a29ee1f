// Socket.IO across shards: one socketio::Server per loop of a core::ShardSet, joined by one
// ServerGroup, each fed with FakeSessions on its own loop. Broadcasts, socket operations,
// broadcast acks and connection state recovery must cover every shard of the process.
//
// The loops run for real (ShardSet::run on a background thread); the test thread only posts
// functions onto a shard's loop and waits for their result. Every FakeSession is made, used
// and destroyed on its shard's thread. Ordering between shards relies only on each loop
// running what is posted to it in order: after `on(k, f)` returned, whatever f posted to
// another shard runs there before anything the test posts there afterwards. (What f posts to
// its own loop is queued only once f returned, so it is awaited with settle().)
//
// Suites are named Shard* for the ThreadSanitizer tier (--gtest_filter='Shard*').

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sio/core/id_generator.hpp>
#include <sio/core/shard.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/server.hpp>
#include <sio/socketio/server_group.hpp>
#include <sio/socketio/socket.hpp>

#include "support/on_shard.hpp"
#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::engineio::CloseReason;
using sio::test::Connection;
using sio::test::FakeSession;
using sio::test::get_or_die;
using sio::test::Harness;

namespace {

/** One frame a fake session got: its text (binary ones prefixed "bin:") and its object. */
struct SeenFrame {
    std::string text;
    const engineio::Frame* object;
};

/** `n` servers on `n` loops sharing one ServerGroup. Servers are made before the loops run and
    destroyed after they stopped; connections live in per-shard maps touched on that shard only. */
class Shards {
public:
    explicit Shards(std::size_t n, ServerOptions base = {})
        : set_(n), group_(std::make_shared<ServerGroup>(set_)), conns_(n) {
        for (std::size_t i = 0; i < n; ++i) {
            ServerOptions options = base;
            options.group = group_;
            options.shard = i;
            servers_.push_back(std::make_unique<Server>(set_.executor(i), std::move(options), without_engine));
        }
        runner_ = std::thread([this] { set_.run(); });
    }

    ~Shards() {
        // Sessions end on their own loops (their clients close their sockets there, which may
        // post to other shards), then every queue drains before the loops stop.
        for (std::size_t i = 0; i < size(); ++i) on(i, [this, i] { conns_[i].clear(); });
        settle();
        set_.stop();
        runner_.join();
        servers_.clear();
    }

    std::size_t size() const { return set_.size(); }

    /** Runs `fn()` on `shard`'s loop; returns its result. */
    template <class Fn>
    auto on(std::size_t shard, Fn fn) -> decltype(fn()) {
        return sio::test::run_on(set_, shard, std::move(fn));
    }

    /** Every loop ran what had been posted to it, `rounds` times over (work that posts to
        another loop, which posts back, needs two rounds). */
    void settle(int rounds = 3) {
        for (int r = 0; r < rounds; ++r)
            for (std::size_t i = 0; i < size(); ++i) on(i, [] {});
    }

    /** Shard `shard`'s server / main namespace: on that shard's loop only. */
    Server& server(std::size_t shard) { return *servers_[shard]; }
    Namespace& nsp(std::size_t shard) { return servers_[shard]->of("/"); }
    std::shared_ptr<Socket> socket(std::size_t shard, const std::string& sid) { return nsp(shard).socket(sid); }

    // ---- connections, each named, each on one shard (call these from the test thread) -----

    /** Opens an Engine.IO connection `name` on `shard` and sends `0<auth>`; returns the frames
        it got right away (a CONNECT answer last, unless the answer comes later). */
    std::vector<std::string> open(std::size_t shard, const std::string& name, const std::string& auth = {}) {
        return open_with(shard, name, "0" + auth);
    }

    /** The same with any first packet (`0/nsp,` for another namespace). */
    std::vector<std::string> open_with(std::size_t shard, const std::string& name, const std::string& first) {
        return on(shard, [&] {
            Connection c;
            c.session = std::make_unique<FakeSession>("s" + std::to_string(shard) + "-" + name);
            c.handler = server(shard).accept(*c.session);
            auto [it, fresh] = conns_[shard].emplace(name, std::move(c));
            EXPECT_TRUE(fresh) << name;
            it->second.recv(first);
            return it->second.take();
        });
    }

    /** open() + the sid of the CONNECT answer. */
    std::string join(std::size_t shard, const std::string& name) {
        auto frames = open(shard, name);
        EXPECT_EQ(frames.size(), 1u) << name;
        return frames.empty() ? std::string() : Harness::sid_of(frames.back());
    }

    std::vector<std::string> take(std::size_t shard, const std::string& name) {
        return on(shard, [&] { return conns_[shard].at(name).take(); });
    }

    /** The frames `name` got with their objects (then forgotten, as take()). */
    std::vector<SeenFrame> frames(std::size_t shard, const std::string& name) {
        return on(shard, [&] {
            std::vector<SeenFrame> out;
            auto& session = *conns_[shard].at(name).session;
            for (const auto& unit : session.units())
                for (const auto& f : unit) out.push_back(SeenFrame{f->binary ? "bin:" + f->bytes : f->bytes, f.get()});
            session.take();
            return out;
        });
    }

    void recv(std::size_t shard, const std::string& name, const std::string& text) {
        on(shard, [&] { conns_[shard].at(name).recv(text); });
    }

    bool session_closed(std::size_t shard, const std::string& name) {
        return on(shard, [&] { return conns_[shard].at(name).session->closed(); });
    }

    /** The engine reports the connection closed with `reason`; the session is then destroyed. */
    void drop(std::size_t shard, const std::string& name, CloseReason reason) {
        on(shard, [&] {
            auto it = conns_[shard].find(name);
            it->second.engine_close(reason);
            conns_[shard].erase(it);
        });
    }

private:
    core::ShardSet set_;
    std::shared_ptr<ServerGroup> group_;
    std::vector<std::unique_ptr<Server>> servers_;
    std::vector<std::map<std::string, Connection>> conns_;  // [shard]: used on that shard only
    std::thread runner_;
};

using Frames = std::vector<std::string>;

/** (shard, connection name) of the two-shard tests' clients a0, a1 (shard 0), b0, b1 (shard 1). */
const std::vector<std::pair<std::size_t, std::string>> four_clients{{0, "a0"}, {0, "a1"}, {1, "b0"}, {1, "b1"}};

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

boost::json::object answer_of(const std::string& frame) {
    return boost::json::parse(frame.substr(frame.find('{'))).as_object();
}

/** The last argument of an EVENT frame (the offset, with recovery on). */
std::string last_arg(const std::string& frame) {
    auto v = boost::json::parse(frame.substr(frame.find('[')));
    return std::string(v.as_array().back().as_string());
}

// ---- broadcast -------------------------------------------------------------------------------

TEST(ShardedBroadcast, EmitReachesEveryShardWithTheSameFrames) {
    Shards s(2);
    s.join(0, "a0");
    s.join(0, "a1");
    s.join(1, "b0");
    s.join(1, "b1");

    s.on(0, [&] { EXPECT_TRUE(s.nsp(0).emit("hi", Payload(boost::json::array{1, "x"}))); });
    std::vector<const engineio::Frame*> objects;
    for (const auto& [shard, name] : four_clients) {
        auto got = s.frames(shard, name);
        ASSERT_EQ(got.size(), 1u) << name;
        EXPECT_EQ(got[0].text, "42[\"hi\",1,\"x\"]") << name;
        objects.push_back(got[0].object);
    }
    // Encoded once by the emitting shard; the other shard sends the very same frame (still
    // held by b0/b1 when compared, so an equal address is the same object).
    EXPECT_EQ(objects[0], objects[1]);
    EXPECT_EQ(objects[2], objects[3]);
    EXPECT_EQ(objects[0], objects[2]);

    // The other way round, with a binary attachment: the packet and its attachment together.
    s.on(1, [&] {
        Payload p;
        p.push_binary("xy");
        EXPECT_TRUE(s.nsp(1).emit("bin", std::move(p)));
    });
    const Frames expected{"451-[\"bin\",{\"_placeholder\":true,\"num\":0}]", "bin:xy"};
    EXPECT_EQ(s.take(0, "a0"), expected);
    EXPECT_EQ(s.take(0, "a1"), expected);
    EXPECT_EQ(s.take(1, "b0"), expected);
    EXPECT_EQ(s.take(1, "b1"), expected);
}

TEST(ShardedBroadcast, WhenWrittenAnswersOnTheCallingShardAfterEveryShard) {
    Shards s(3);
    // Shard 2 is busy with earlier work (a broadcast being written, say) when the call comes:
    // the answer must wait for it, and then come back to shard 0.
    std::atomic<bool> earlier_work_done{false};
    std::promise<std::optional<std::size_t>> answered_on;
    s.on(0, [&] {
        s.server(0).group()->shards().post_to(2, [&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            earlier_work_done = true;
        });
        s.server(0).when_written([&] {
            EXPECT_TRUE(earlier_work_done.load());
            answered_on.set_value(core::ShardSet::current());
        });
    });
    auto answer = answered_on.get_future();
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(answer.get(), std::optional<std::size_t>(0));
}

TEST(ShardedBroadcast, RoomsAndExceptAreAppliedOnTheRemoteShard) {
    Shards s(2);
    auto a0 = s.join(0, "a0");
    auto a1 = s.join(0, "a1");
    auto b0 = s.join(1, "b0");
    auto b1 = s.join(1, "b1");
    auto receivers = [&] {
        std::vector<std::string> out;
        for (const auto& [shard, name] : four_clients) {
            auto got = s.take(shard, name);
            EXPECT_LE(got.size(), 1u) << name;
            if (!got.empty()) out.push_back(name);
        }
        return out;
    };

    // A room that exists on shard 1 only: shard 0 has no member, the emit still gets there.
    s.on(1, [&] { s.socket(1, b1)->join("r"); });
    s.on(0, [&] { s.nsp(0).to("r").emit("only-r"); });
    EXPECT_EQ(receivers(), Frames{"b1"});
    s.on(0, [&] { s.nsp(0).except("r").emit("not-r"); });
    EXPECT_EQ(receivers(), (Frames{"a0", "a1", "b0"}));

    s.on(0, [&] { s.socket(0, a0)->join("x"); });
    s.on(1, [&] { s.socket(1, b0)->join("x"); });
    s.on(0, [&] { s.nsp(0).to("x").emit("x"); });
    EXPECT_EQ(receivers(), (Frames{"a0", "b0"}));
    s.on(0, [&] { s.nsp(0).except("x").emit("not-x"); });
    EXPECT_EQ(receivers(), (Frames{"a1", "b1"}));
    s.on(0, [&] { s.nsp(0).to(std::vector<std::string>{"x", "r"}).emit("x-or-r"); });  // each once
    EXPECT_EQ(receivers(), (Frames{"a0", "b0", "b1"}));
    s.on(0, [&] { s.nsp(0).to("x").except(b0).emit("x-not-b0"); });
    EXPECT_EQ(receivers(), Frames{"a0"});

    // A socket's own room, on the other shard.
    s.on(0, [&] { s.nsp(0).to(b0).emit("direct"); });
    EXPECT_EQ(receivers(), Frames{"b0"});
    s.on(1, [&] { s.nsp(1).to(a1).emit("direct"); });
    EXPECT_EQ(receivers(), Frames{"a1"});

    // From a socket: everyone but the sender, on every shard.
    s.on(0, [&] { s.socket(0, a0)->broadcast().emit("from-a0"); });
    EXPECT_EQ(receivers(), (Frames{"a1", "b0", "b1"}));
    s.on(1, [&] { s.socket(1, b0)->to("x").emit("x-from-b0"); });
    EXPECT_EQ(receivers(), Frames{"a0"});
    s.on(1, [&] { s.socket(1, b1)->except("x").emit("not-x-from-b1"); });
    EXPECT_EQ(receivers(), Frames{"a1"});
}

// ---- socket operations -------------------------------------------------------------------

TEST(ShardedAdapter, FetchSocketsGathersEveryShard) {
    Shards s(2);
    auto a0 = s.join(0, "a0");
    auto b0 = s.join(1, "b0");
    auto b1 = s.join(1, "b1");
    s.on(0, [&] {
        auto socket = s.socket(0, a0);
        socket->join("ra");
        socket->data() = boost::json::object{{"n", 1}};
    });

    struct Fetched {
        std::optional<std::size_t> shard;  // where `done` ran
        std::vector<SocketInfo> infos;
    };
    auto fetch = [&](std::size_t from, auto make_operator) {
        auto result = std::make_shared<std::promise<Fetched>>();
        auto future = result->get_future();
        s.on(from, [&] {
            make_operator(s.nsp(from)).fetch_sockets([result](ErrorCode ec, std::vector<SocketInfo> infos) {
                EXPECT_FALSE(ec);
                result->set_value(Fetched{core::ShardSet::current(), std::move(infos)});
            });
        });
        return get_or_die(future, "fetch_sockets");
    };
    auto ids = [](const Fetched& f) {
        std::vector<std::string> out;
        for (const auto& info : f.infos) out.push_back(info.id);
        return sorted(out);
    };

    auto all = fetch(1, [](Namespace& n) { return n.all(); });
    EXPECT_EQ(all.shard, 1u);
    EXPECT_EQ(ids(all), sorted({a0, b0, b1}));
    auto it = std::find_if(all.infos.begin(), all.infos.end(), [&](const SocketInfo& i) { return i.id == a0; });
    ASSERT_NE(it, all.infos.end());
    EXPECT_EQ(it->rooms, sorted({a0, "ra"}));
    EXPECT_EQ(it->data, (boost::json::object{{"n", 1}}));
    EXPECT_TRUE(it->handshake.is_object());

    auto in_ra = fetch(1, [](Namespace& n) { return n.to("ra"); });
    EXPECT_EQ(in_ra.shard, 1u);
    EXPECT_EQ(ids(in_ra), Frames{a0});

    auto not_ra = fetch(0, [](Namespace& n) { return n.except("ra"); });
    EXPECT_EQ(not_ra.shard, 0u);
    EXPECT_EQ(ids(not_ra), sorted({b0, b1}));

    auto by_sid = fetch(0, [&](Namespace& n) { return n.to(b1); });
    EXPECT_EQ(ids(by_sid), Frames{b1});
}

TEST(ShardedAdapter, JoinLeaveAndDisconnectActOnTheOtherShardsSockets) {
    Shards s(2);
    auto a0 = s.join(0, "a0");
    auto b0 = s.join(1, "b0");
    auto b1 = s.join(1, "b1");
    auto rooms = [&](std::size_t shard, const std::string& sid) {
        return s.on(shard, [&] {
            auto socket = s.socket(shard, sid);
            return socket ? socket->rooms() : std::vector<std::string>{"<gone>"};
        });
    };

    s.on(0, [&] { s.nsp(0).all().sockets_join({"z"}); });
    EXPECT_EQ(rooms(1, b0), sorted({b0, "z"}));
    EXPECT_EQ(rooms(1, b1), sorted({b1, "z"}));
    EXPECT_EQ(rooms(0, a0), sorted({a0, "z"}));

    s.on(0, [&] { s.nsp(0).to(b1).sockets_leave({"z"}); });
    EXPECT_EQ(rooms(1, b1), Frames{b1});
    EXPECT_EQ(rooms(1, b0), sorted({b0, "z"}));

    // The remote index changed too: a broadcast to "z" follows it.
    s.on(0, [&] { s.nsp(0).to("z").emit("z"); });
    EXPECT_EQ(s.take(0, "a0").size(), 1u);
    EXPECT_EQ(s.take(1, "b0").size(), 1u);
    EXPECT_TRUE(s.take(1, "b1").empty());

    // Namespace disconnect of a socket of shard 1, asked on shard 0.
    s.on(0, [&] { s.nsp(0).to(b0).disconnect_sockets(); });
    EXPECT_EQ(s.take(1, "b0"), Frames{"41"});
    EXPECT_FALSE(s.session_closed(1, "b0"));
    EXPECT_EQ(s.on(1, [&] { return s.socket(1, b0) == nullptr; }), true);
    EXPECT_EQ(s.on(1, [&] { return s.nsp(1).sockets().size(); }), 1u);
    EXPECT_EQ(s.on(0, [&] { return s.nsp(0).sockets().size(); }), 1u);

    // With close: the session of shard 1 is closed as well.
    s.on(0, [&] { s.nsp(0).except(a0).disconnect_sockets(true); });
    EXPECT_EQ(s.take(1, "b1"), Frames{"41"});
    EXPECT_TRUE(s.session_closed(1, "b1"));
    EXPECT_EQ(s.on(1, [&] { return s.nsp(1).sockets().size(); }), 0u);
    EXPECT_TRUE(s.take(0, "a0").empty());
    EXPECT_FALSE(s.session_closed(0, "a0"));
    EXPECT_EQ(rooms(0, a0), sorted({a0, "z"}));
}

// A namespace made on one shard only (Server::of is per shard): the other shard has nothing
// to add, and gathering operations must still complete.
TEST(ShardedAdapter, GathersCompleteWhenANamespaceExistsOnOneShardOnly) {
    Shards s(2);
    s.on(0, [&] { s.server(0).of("/only0"); });  // not on shard 1
    auto connected = s.open_with(0, "a0", "0/only0,");
    ASSERT_EQ(connected.size(), 1u);
    ASSERT_TRUE(connected[0].starts_with("40/only0,{")) << connected[0];
    auto sid = Harness::sid_of(connected[0]);

    // fetch_sockets: shard 1 has nothing to add, `done` must still run (with a0).
    auto fetched = std::make_shared<std::promise<std::vector<SocketInfo>>>();
    auto infos = fetched->get_future();
    s.on(0, [&s, fetched = std::move(fetched)] {  // the callback holds the only reference
        s.server(0).of("/only0").all().fetch_sockets(
            [fetched](ErrorCode, std::vector<SocketInfo> found) { fetched->set_value(std::move(found)); });
    });
    s.settle();
    ASSERT_EQ(infos.wait_for(std::chrono::seconds(0)), std::future_status::ready) << "fetch_sockets did not answer";
    try {
        auto found = infos.get();
        ASSERT_EQ(found.size(), 1u);
        EXPECT_EQ(found[0].id, sid);
    } catch (const std::future_error& e) {
        ADD_FAILURE() << "fetch_sockets dropped its callback uncalled: " << e.what();
    }

    // emit_with_ack: the only client answers, so no timeout.
    auto done = std::make_shared<std::promise<BroadcastAckResult>>();
    auto finished = done->get_future();
    s.on(0, [&] {
        s.server(0)
            .of("/only0")
            .timeout(std::chrono::seconds(20))
            .emit_with_ack("q", Payload{}, [done](BroadcastAckResult r) { done->set_value(std::move(r)); });
    });
    auto got = s.take(0, "a0");
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(got[0].starts_with("42/only0,")) << got[0];
    auto id = got[0].substr(9, got[0].find('[') - 9);
    s.recv(0, "a0", "3/only0," + id + "[\"ok\"]");
    auto r = get_or_die(finished, "broadcast ack");
    EXPECT_FALSE(r.timed_out) << "every client answered";
    EXPECT_EQ(r.responses, std::vector<boost::json::value>{"ok"});
}

// ---- broadcast with acks -----------------------------------------------------------------

TEST(ShardedAck, EmitWithAckGetsEveryShardsAnswersOnTheEmittingShard) {
    Shards s(3);  // shard 2 has no client: it answers a count of 0
    s.join(0, "a0");
    s.join(1, "b0");
    s.join(1, "b1");

    struct Done {
        std::optional<std::size_t> shard;
        BroadcastAckResult result;
    };
    auto done = std::make_shared<std::promise<Done>>();
    auto finished = done->get_future();
    s.on(0, [&] {
        EXPECT_TRUE(s.nsp(0)
                        .timeout(std::chrono::seconds(20))
                        .emit_with_ack("q", Payload(boost::json::array{1}), [done](BroadcastAckResult r) {
                            done->set_value(Done{core::ShardSet::current(), std::move(r)});
                        }));
    });

    // Each client got `4<id>["q",1]` (the id is its shard's); answers `3<id>[...]` go back
    // through the client's own shard.
    auto ack_id = [](const Frames& got) {
        EXPECT_EQ(got.size(), 1u);
        if (got.size() != 1u) return std::string("?");
        const auto& f = got[0];
        auto bracket = f.find('[');
        EXPECT_TRUE(f.starts_with("42") && bracket > 2) << f;
        EXPECT_EQ(f.substr(bracket), "[\"q\",1]");
        return f.substr(2, bracket - 2);
    };
    auto id_a0 = ack_id(s.take(0, "a0"));
    auto id_b0 = ack_id(s.take(1, "b0"));
    auto id_b1 = ack_id(s.take(1, "b1"));

    s.recv(0, "a0", "3" + id_a0 + "[\"a0\"]");
    s.recv(1, "b0", "3" + id_b0 + "[\"b0\",\"second arg is not relayed\"]");
    // Whatever the b0 answer posted to shard 0 has run there now: 2 of 3 answers, not done.
    s.settle();
    EXPECT_EQ(finished.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
        << "completed before every client of every shard answered";

    s.recv(1, "b1", "3" + id_b1 + "[{\"b\":1}]");
    auto d = get_or_die(finished, "broadcast ack");
    EXPECT_EQ(d.shard, 0u) << "done must run on the emitting shard";
    EXPECT_FALSE(d.result.timed_out);
    EXPECT_FALSE(d.result.error);
    std::vector<std::string> answers;
    for (const auto& v : d.result.responses) answers.push_back(boost::json::serialize(v));
    EXPECT_EQ(sorted(answers), sorted({"\"a0\"", "\"b0\"", "{\"b\":1}"}));
}

TEST(ShardedAck, TimesOutWaitingForAClientOfAnotherShard) {
    Shards s(2);
    s.join(0, "a0");
    s.join(1, "b0");
    auto done = std::make_shared<std::promise<BroadcastAckResult>>();
    auto finished = done->get_future();
    s.on(0, [&] {
        s.nsp(0).timeout(std::chrono::seconds(1)).emit_with_ack("q", Payload{}, [done](BroadcastAckResult r) {
            done->set_value(std::move(r));
        });
    });
    auto got = s.take(0, "a0");
    ASSERT_EQ(got.size(), 1u);
    s.recv(0, "a0", "3" + got[0].substr(2, got[0].find('[') - 2) + "[1]");
    EXPECT_EQ(s.take(1, "b0").size(), 1u);  // b0 never answers
    // a0's answer alone must not complete it: shard 1 counted b0.
    auto r = get_or_die(finished, "broadcast ack timeout");
    EXPECT_TRUE(r.timed_out);
    // (Empty only if this thread was held up past the timeout before a0 answered.)
    EXPECT_LE(r.responses.size(), 1u);
    if (!r.responses.empty()) {
        EXPECT_EQ(r.responses[0], 1);
    }
}

// ---- connection state recovery -----------------------------------------------------------

ServerOptions with_recovery() {
    ServerOptions o;
    o.connection_state_recovery = true;
    return o;
}

std::string recovery_auth(const std::string& pid, const std::string& offset) {
    return "{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}";
}

TEST(ShardedRecovery, SessionOfShard0RecoversOnShard1) {
    Shards s(2, with_recovery());
    s.join(1, "witness");  // a socket of shard 1 that receives the same broadcasts

    auto first = s.open(0, "c0");
    ASSERT_EQ(first.size(), 1u);
    auto a = answer_of(first[0]);
    std::string sid(a.at("sid").as_string()), pid(a.at("pid").as_string());
    ASSERT_EQ(core::shard_of(pid, 2), 0u) << "a pid made by shard 0 names shard 0: " << pid;
    s.on(0, [&] {
        auto socket = s.socket(0, sid);
        socket->join("room1");
        socket->data() = boost::json::object{{"n", 1}};
    });

    s.on(0, [&] { s.nsp(0).emit("seen"); });
    auto seen = s.take(0, "c0");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(s.take(1, "witness"), seen) << "one offset for every shard";
    std::string offset = last_arg(seen[0]);
    EXPECT_EQ(offset.find('~'), std::string::npos) << "shard 0's offsets have no suffix: " << offset;

    s.drop(0, "c0", CloseReason::transport_close);  // recoverable: the session is kept
    EXPECT_EQ(s.on(0, [&] { return s.socket(0, sid) == nullptr; }), true);

    // Missed while away, emitted by both shards; and some that are not for this session.
    s.on(0, [&] { s.nsp(0).emit("m1", Payload(boost::json::array{1})); });
    s.on(1, [&] { s.nsp(1).to("room1").emit("m2"); });
    s.on(1, [&] { s.nsp(1).to("other").emit("skip"); });
    s.on(0, [&] { s.nsp(0).except("room1").emit("skip2"); });
    s.on(1, [&] { s.nsp(1).volatile_().emit("skip3"); });
    EXPECT_EQ(s.take(1, "witness").size(), 3u);  // m1, skip2, skip3

    // Back, through a connection of shard 1: shard 1 never had this socket.
    auto immediate = s.open(1, "c1", recovery_auth(pid, offset));
    s.settle();
    auto frames = immediate;
    for (auto& f : s.take(1, "c1")) frames.push_back(f);
    ASSERT_EQ(frames.size(), 3u) << "missed packets then the CONNECT answer";
    EXPECT_TRUE(frames[0].starts_with("42[\"m1\",1,\"")) << frames[0];
    EXPECT_EQ(last_arg(frames[0]).find('~'), std::string::npos) << frames[0];
    EXPECT_TRUE(frames[1].starts_with("42[\"m2\",\"")) << frames[1];
    EXPECT_TRUE(last_arg(frames[1]).ends_with("~1")) << "an offset made by shard 1: " << frames[1];
    auto back = answer_of(frames[2]);
    EXPECT_TRUE(frames[2].starts_with("40{")) << frames[2];
    EXPECT_EQ(back.at("sid").as_string(), sid);
    EXPECT_EQ(back.at("pid").as_string(), pid);

    struct State {
        bool recovered = false;
        std::vector<std::string> rooms;
        boost::json::value data;
    };
    auto state = s.on(1, [&] {
        auto socket = s.socket(1, sid);
        return socket ? State{socket->recovered(), socket->rooms(), socket->data()} : State{};
    });
    EXPECT_TRUE(state.recovered);
    EXPECT_EQ(state.rooms, sorted({sid, "room1"}));
    EXPECT_EQ(state.data, (boost::json::object{{"n", 1}}));
    EXPECT_EQ(s.on(0, [&] { return s.socket(0, sid) == nullptr; }), true);

    // It now lives on shard 1, in its rooms there.
    s.on(0, [&] { s.nsp(0).to("room1").emit("after"); });
    auto after = s.take(1, "c1");
    ASSERT_EQ(after.size(), 1u);
    EXPECT_TRUE(after[0].starts_with("42[\"after\",\"")) << after[0];

    // The session was used up: a second attempt, from either shard, gets a new socket.
    for (std::size_t shard : {0u, 1u}) {
        std::string name = "again" + std::to_string(shard);
        auto got = s.open(shard, name, recovery_auth(pid, offset));
        s.settle();
        for (auto& f : s.take(shard, name)) got.push_back(f);
        ASSERT_EQ(got.size(), 1u) << name << ": only a CONNECT answer, no missed packet";
        auto fresh = answer_of(got[0]);
        EXPECT_NE(fresh.at("sid").as_string(), sid) << name;
        EXPECT_NE(fresh.at("pid").as_string(), pid) << name;
    }
}

TEST(ShardedRecovery, RecoversBackAndForthBetweenShards) {
    Shards s(2, with_recovery());
    // Made on shard 1: its ids name shard 1.
    auto first = s.open(1, "c1");
    ASSERT_EQ(first.size(), 1u);
    auto a = answer_of(first[0]);
    std::string sid(a.at("sid").as_string()), pid(a.at("pid").as_string());
    ASSERT_EQ(core::shard_of(pid, 2), 1u) << pid;
    ASSERT_EQ(core::shard_of(sid, 2), 1u) << sid;
    s.on(1, [&] { s.nsp(1).emit("e1"); });
    auto offset = last_arg(s.take(1, "c1").at(0));
    EXPECT_TRUE(offset.ends_with("~1")) << offset;
    s.drop(1, "c1", CloseReason::ping_timeout);

    // Back on shard 0.
    s.on(1, [&] { s.nsp(1).emit("e2"); });
    auto got = s.open(0, "c0", recovery_auth(pid, offset));
    s.settle();
    for (auto& f : s.take(0, "c0")) got.push_back(f);
    ASSERT_EQ(got.size(), 2u) << "e2 then the CONNECT answer";
    EXPECT_TRUE(got[0].starts_with("42[\"e2\",\"")) << got[0];
    EXPECT_EQ(answer_of(got[1]).at("sid").as_string(), sid);

    // Lost again, now on shard 0, and back on shard 1 with what it missed meanwhile.
    s.on(0, [&] { s.nsp(0).emit("e3"); });
    offset = last_arg(s.take(0, "c0").at(0));
    s.drop(0, "c0", CloseReason::transport_error);
    s.on(0, [&] { s.nsp(0).emit("e4"); });
    s.on(1, [&] { s.nsp(1).emit("e5"); });

    got = s.open(1, "c1-again", recovery_auth(pid, offset));
    s.settle();
    for (auto& f : s.take(1, "c1-again")) got.push_back(f);
    ASSERT_EQ(got.size(), 3u) << "e4, e5 then the CONNECT answer";
    EXPECT_TRUE(got[0].starts_with("42[\"e4\",\"")) << got[0];
    EXPECT_TRUE(got[1].starts_with("42[\"e5\",\"")) << got[1];
    auto back = answer_of(got[2]);
    EXPECT_EQ(back.at("sid").as_string(), sid);
    EXPECT_EQ(back.at("pid").as_string(), pid);
    EXPECT_EQ(s.on(1, [&] { return s.socket(1, sid) && s.socket(1, sid)->recovered(); }), true);
    EXPECT_EQ(s.on(0, [&] { return s.socket(0, sid) == nullptr; }), true);
}

TEST(ShardedRecovery, UnknownPidOnAnotherShardGivesANewSocket) {
    Shards s(2, with_recovery());
    s.join(0, "a0");
    s.on(0, [&] { s.nsp(0).emit("x"); });
    auto offset = last_arg(s.take(0, "a0").at(0));
    // A well-formed pid of shard 0 that shard 0 never kept, presented on shard 1.
    core::IdGenerator shard0_ids(0, 2);
    auto pid = shard0_ids.next();
    auto got = s.open(1, "c", recovery_auth(pid, offset));
    s.settle();
    for (auto& f : s.take(1, "c")) got.push_back(f);
    ASSERT_EQ(got.size(), 1u);
    auto a = answer_of(got[0]);
    EXPECT_NE(a.at("pid").as_string(), pid);
    EXPECT_EQ(s.on(1, [&] { return s.nsp(1).sockets().size(); }), 1u);
}

}  // namespace
