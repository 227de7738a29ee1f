// Connection state recovery with the session-aware MemoryAdapter: offsets, persistence,
// restoration (same sid/pid/rooms/data, missed packets before the CONNECT answer), expiry.

#include "socketio/recovery.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <sio/socketio/frames.hpp>
#include <sio/socketio/memory_adapter.hpp>
#include <sio/socketio/parser.hpp>

#include "support/socketio_harness.hpp"

using namespace sio;
using namespace sio::socketio;
using sio::engineio::CloseReason;
using sio::test::Connection;
using sio::test::Harness;

namespace {

TEST(RecoveryOffsets, YeastEncoding) {
    EXPECT_EQ(yeast_encode(0), "0");
    EXPECT_EQ(yeast_encode(63), "_");
    EXPECT_EQ(yeast_encode(64), "10");
    OffsetGenerator gen;
    EXPECT_EQ(gen.next(1000), "Fe");
    EXPECT_EQ(gen.next(1000), "Fe.0");
    EXPECT_EQ(gen.next(1000), "Fe.1");
    EXPECT_EQ(gen.next(999), "Fe.2");  // clock went back: still unique
    EXPECT_EQ(gen.next(1001), "Ff");
}

TEST(RecoveryOffsets, ShouldIncludePacket) {
    std::vector<std::string> session{"sid", "a"};
    EXPECT_TRUE(should_include_packet(session, {}, {}));
    EXPECT_TRUE(should_include_packet(session, {"b", "a"}, {}));
    EXPECT_FALSE(should_include_packet(session, {"b"}, {}));
    EXPECT_FALSE(should_include_packet(session, {}, {"a"}));
    EXPECT_FALSE(should_include_packet(session, {"a"}, {"sid"}));
}

/** A server with recovery on whose adapters use a manual clock. */
struct Csr {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    std::int64_t wall_ms = 1'700'000'000'000;
    Harness h;

    static ServerOptions options(Csr* self) {
        ServerOptions o;
        o.connection_state_recovery = true;
        o.max_disconnection_duration = std::chrono::milliseconds(1000);
        o.adapter_factory = [self](Namespace& nsp) -> std::unique_ptr<Adapter> {
            socketio::MemoryAdapterOptions m;
            m.session_aware = true;
            m.max_disconnection_duration = std::chrono::milliseconds(1000);
            m.steady_clock = [self] { return self->now; };
            m.wall_clock = [self] {
                return std::chrono::system_clock::time_point(std::chrono::milliseconds(self->wall_ms));
            };
            return std::make_unique<socketio::MemoryAdapter>(nsp, std::move(m));
        };
        return o;
    }
    Csr() : h(options(this)) {}

    Namespace& nsp() { return h.server.of("/"); }
};

boost::json::object answer_of(const std::string& frame) {
    return boost::json::parse(frame.substr(frame.find('{'))).as_object();
}

std::string last_arg(const std::string& frame) {
    auto v = boost::json::parse(frame.substr(frame.find('[')));
    return std::string(v.as_array().back().as_string());
}

TEST(Recovery, ConnectAnswerCarriesPid) {
    Csr t;
    auto c = t.h.open();
    c.recv("0");
    auto frames = c.take();
    ASSERT_EQ(frames.size(), 1u);
    auto a = answer_of(frames[0]);
    ASSERT_TRUE(a.contains("pid"));
    EXPECT_EQ(a.at("pid").as_string().size(), 20u);
    EXPECT_NE(a.at("pid"), a.at("sid"));
    std::vector<std::string> keys;
    for (const auto& kv : a) keys.emplace_back(kv.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"sid", "pid"}));
}

TEST(Recovery, EligiblePacketsGetTheSameOffsetForEveryone) {
    Csr t;
    auto c1 = t.h.open();
    auto c2 = t.h.open();
    auto s1 = t.nsp().socket(t.h.join(c1));
    t.h.join(c2);
    t.nsp().emit("a", Payload(boost::json::array{1}));
    auto f1 = c1.take(), f2 = c2.take();
    ASSERT_EQ(f1.size(), 1u);
    EXPECT_EQ(f1, f2);
    EXPECT_EQ(f1[0], "42[\"a\",1,\"" + yeast_encode(1'700'000'000'000) + "\"]");
    t.nsp().emit("b", Payload(boost::json::array{2}));
    EXPECT_EQ(c1.take()[0], "42[\"b\",2,\"" + yeast_encode(1'700'000'000'000) + ".0\"]");
    EXPECT_EQ(c2.take().size(), 1u);

    // socket.emit too goes through the adapter and gets an offset
    s1->emit("direct");
    EXPECT_EQ(last_arg(c1.take().at(0)), yeast_encode(1'700'000'000'000) + ".1");
    EXPECT_TRUE(c2.take().empty());

    // not eligible: volatile, with ack
    t.nsp().volatile_().emit("v");
    EXPECT_EQ(c1.take(), std::vector<std::string>{"42[\"v\"]"});
    s1->emit_volatile("v2");
    EXPECT_EQ(c1.take(), std::vector<std::string>{"42[\"v2\"]"});
    s1->emit_with_ack("q", [](ErrorCode, Payload) {});
    EXPECT_EQ(c1.take(), std::vector<std::string>{"420[\"q\"]"});
}

TEST(Recovery, RestoresSessionWithMissedPacketsBeforeConnectAnswer) {
    Csr t;
    int middleware_runs = 0;
    t.nsp().use([&](Socket&, auto next) {
        ++middleware_runs;
        next(std::nullopt);
    });
    std::vector<bool> recovered_flags;
    t.nsp().on_connection([&](Socket& s_ref) {
        auto s = s_ref.shared_from_this();
        recovered_flags.push_back(s->recovered());
    });

    auto c = t.h.open();
    c.recv("0");
    auto a = answer_of(c.take().at(0));
    std::string sid(a.at("sid").as_string()), pid(a.at("pid").as_string());
    auto s = t.nsp().socket(sid);
    s->join("room1");
    s->data() = boost::json::object{{"n", 1}};
    t.nsp().emit("seen");
    std::string offset = last_arg(c.take().at(0));
    c.engine_close(CloseReason::transport_close);  // recoverable: persisted
    EXPECT_TRUE(t.nsp().sockets().empty());

    t.nsp().emit("m1", Payload(boost::json::array{1}));
    t.nsp().to("room1").emit("m2");
    t.nsp().to("other").emit("skip");
    t.nsp().except("room1").emit("skip2");
    t.nsp().volatile_().emit("skip3");
    t.now += std::chrono::milliseconds(500);

    auto c2 = t.h.open();
    c2.recv("0{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\",\"token\":\"t\"}");
    auto frames = c2.take();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_TRUE(frames[0].starts_with("42[\"m1\",1,\""));
    EXPECT_TRUE(frames[1].starts_with("42[\"m2\",\""));
    auto a2 = answer_of(frames[2]);
    EXPECT_EQ(a2.at("sid").as_string(), sid);
    EXPECT_EQ(a2.at("pid").as_string(), pid);
    EXPECT_EQ(middleware_runs, 1);  // skipped on recovery
    EXPECT_EQ(recovered_flags, (std::vector<bool>{false, true}));

    auto r = t.nsp().socket(sid);
    ASSERT_TRUE(r);
    EXPECT_NE(r, s);
    EXPECT_TRUE(r->recovered());
    EXPECT_EQ(r->pid(), pid);
    EXPECT_EQ(r->data(), (boost::json::object{{"n", 1}}));
    std::vector<std::string> rooms{sid, "room1"};
    std::sort(rooms.begin(), rooms.end());
    EXPECT_EQ(r->rooms(), rooms);
    EXPECT_EQ(r->auth().at("token"), "t");

    // the same session cannot be restored twice
    auto c3 = t.h.open();
    c3.recv("0{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
    auto a3 = answer_of(c3.take().at(0));
    EXPECT_NE(a3.at("sid").as_string(), sid);
}

TEST(Recovery, MiddlewaresRunWhenNotSkipped) {
    Csr t;
    int runs = 0;
    t.nsp().use([&](Socket&, auto next) {
        ++runs;
        next(std::nullopt);
    });
    // skip_middlewares is read from the server options
    const_cast<ServerOptions&>(t.h.server.options()).skip_middlewares = false;
    auto c = t.h.open();
    c.recv("0");
    auto a = answer_of(c.take().at(0));
    t.nsp().emit("x");
    std::string offset = last_arg(c.take().at(0));
    c.engine_close(CloseReason::ping_timeout);
    auto c2 = t.h.open();
    c2.recv("0{\"pid\":\"" + std::string(a.at("pid").as_string()) + "\",\"offset\":\"" + offset + "\"}");
    EXPECT_EQ(answer_of(c2.take().at(0)).at("sid"), a.at("sid"));
    EXPECT_EQ(runs, 2);
}

TEST(Recovery, NotPersistedForNamespaceDisconnects) {
    Csr t;
    auto c = t.h.open();
    c.recv("0");
    auto a = answer_of(c.take().at(0));
    t.nsp().emit("x");
    std::string offset = last_arg(c.take().at(0));
    c.recv("1");  // client namespace disconnect
    c.recv("0{\"pid\":\"" + std::string(a.at("pid").as_string()) + "\",\"offset\":\"" + offset + "\"}");
    auto a2 = answer_of(c.take().at(0));
    EXPECT_NE(a2.at("sid"), a.at("sid"));
    EXPECT_NE(a2.at("pid"), a.at("pid"));
    EXPECT_FALSE(t.nsp().socket(std::string(a2.at("sid").as_string()))->recovered());
}

TEST(Recovery, ExpiredSessionOrUnknownOffsetGivesNewSocket) {
    Csr t;
    auto c = t.h.open();
    c.recv("0");
    auto a = answer_of(c.take().at(0));
    std::string pid(a.at("pid").as_string());
    t.nsp().emit("x");
    std::string offset = last_arg(c.take().at(0));
    c.engine_close(CloseReason::transport_error);

    auto c2 = t.h.open();
    c2.recv("0{\"pid\":\"" + pid + "\",\"offset\":\"nope\"}");
    EXPECT_NE(answer_of(c2.take().at(0)).at("sid"), a.at("sid"));

    t.now += std::chrono::milliseconds(1001);
    auto c3 = t.h.open();
    c3.recv("0{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
    EXPECT_NE(answer_of(c3.take().at(0)).at("sid"), a.at("sid"));
}

TEST(Recovery, ServerCloseIsRecoverable) {
    Csr t;
    auto c = t.h.open();
    c.recv("0");
    auto a = answer_of(c.take().at(0));
    t.nsp().emit("x");
    std::string offset = last_arg(c.take().at(0));
    t.h.server.close();
    auto c2 = t.h.open();
    c2.recv("0{\"pid\":\"" + std::string(a.at("pid").as_string()) + "\",\"offset\":\"" + offset + "\"}");
    EXPECT_EQ(answer_of(c2.take().at(0)).at("sid"), a.at("sid"));
}

TEST(Recovery, SocketEmitLostInFlightIsReplayedToItsSocketOnly) {
    Csr t;
    auto c = t.h.open();
    c.recv("0");
    auto a = answer_of(c.take().at(0));
    std::string sid(a.at("sid").as_string()), pid(a.at("pid").as_string());
    auto other = t.h.open();
    other.recv("0");
    auto a_other = answer_of(other.take().at(0));
    t.nsp().emit("seen");
    std::string offset = last_arg(c.take().at(0));
    other.take();
    // Sent, but lost with the connection: the client still has `offset` as its last one.
    auto s = t.nsp().socket(sid);
    s->emit("direct", Payload(boost::json::array{1}));
    Payload bin;
    bin.push_binary("\x01\x02");
    s->emit("bin", std::move(bin));
    t.nsp().socket(std::string(a_other.at("sid").as_string()))->emit("not-mine");
    auto sent = c.take();
    ASSERT_EQ(sent.size(), 3u);  // text, then text and attachment
    c.engine_close(CloseReason::transport_close);
    other.engine_close(CloseReason::transport_close);

    auto c2 = t.h.open();
    c2.recv("0{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
    auto frames = c2.take();
    ASSERT_EQ(frames.size(), 4u);
    // The bytes first sent, offsets included (Node re-emits the logged packet as it was).
    EXPECT_EQ(frames[0], sent[0]);
    EXPECT_EQ(frames[1], sent[1]);
    EXPECT_EQ(frames[2], sent[2]);
    EXPECT_EQ(frames[2], "bin:\x01\x02");
    EXPECT_EQ(answer_of(frames[3]).at("sid").as_string(), sid);

    // The other session recovers from the same offset without the two packets it was not sent.
    auto o2 = t.h.open();
    o2.recv("0{\"pid\":\"" + std::string(a_other.at("pid").as_string()) + "\",\"offset\":\"" + offset + "\"}");
    auto other_frames = o2.take();
    ASSERT_EQ(other_frames.size(), 2u);
    EXPECT_TRUE(other_frames[0].starts_with("42[\"not-mine\",\"")) << other_frames[0];
    EXPECT_EQ(answer_of(other_frames[1]).at("sid"), a_other.at("sid"));
}

/** Stamps `packet` and logs it as MemoryAdapter::broadcast does. */
std::string record(SessionStore& store, Packet& packet, const BroadcastOptions& opts) {
    std::string offset = store.stamp(packet);
    store.append(
        std::make_shared<const LoggedPacket>(LoggedPacket{encode_frames(packet), opts.rooms, opts.except, offset}));
    return offset;
}

TEST(SessionStore, PurgesOldPacketsAndSessions) {
    auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    SessionStore store(
        std::chrono::milliseconds(100), [&] { return now; },
        [] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(5000)); });
    Packet p{PacketType::event, "/", std::nullopt, boost::json::array{"e"}, {}};
    BroadcastOptions opts;
    Packet p1 = p;
    std::string o1 = record(store, p1, opts);
    EXPECT_EQ(p1.data.as_array().back().as_string(), o1);
    store.persist(PersistedSession{"sid", "pid", {"sid"}, nullptr});
    now += std::chrono::milliseconds(60);
    Packet p2 = p;
    std::string o2 = record(store, p2, opts);
    EXPECT_EQ(store.packet_count(), 2u);
    now += std::chrono::milliseconds(60);  // p1 and the session are now older than 100 ms
    Packet p3 = p;
    record(store, p3, opts);
    EXPECT_EQ(store.packet_count(), 2u);
    EXPECT_EQ(store.session_count(), 0u);
    EXPECT_FALSE(store.restore("pid", o2));
    store.persist(PersistedSession{"sid", "pid", {"sid"}, nullptr});
    EXPECT_FALSE(store.restore("pid", o1));  // offset purged
    store.persist(PersistedSession{"sid", "pid", {"sid"}, nullptr});
    auto r = store.restore("pid", o2);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->missed_packets.size(), 1u);
    ASSERT_EQ(r->missed_packets[0].size(), 1u);
    EXPECT_EQ(r->missed_packets[0][0]->bytes, "4" + encode(p3));
    EXPECT_FALSE(SessionStore::eligible(Packet{PacketType::event, "/", 1, boost::json::array{"e"}, {}}, opts));
    BroadcastOptions vol;
    vol.flags.is_volatile = true;
    EXPECT_FALSE(SessionStore::eligible(p, vol));
}

TEST(SessionStore, SocketEntriesAreFoundByOffsetFilteredAndPurged) {
    auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    SessionStore store(
        std::chrono::milliseconds(100), [&] { return now; },
        [] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(5000)); });
    store.set_offset_suffix("~3");
    auto log_for = [&](const std::string& sid, const char* event) {
        Packet p{PacketType::event, "/", std::nullopt, boost::json::array{event}, {}};
        std::string offset = store.stamp(p);
        auto frames = encode_frames(p);
        store.append_for_socket(sid, frames, offset);
        return std::pair{offset, frames[0]->bytes};
    };
    auto [o1, f1] = log_for("a", "e1");
    EXPECT_EQ(o1, yeast_encode(5000) + "~3");
    auto [o2, f2] = log_for("b", "e2");
    now += std::chrono::milliseconds(60);
    auto [o3, f3] = log_for("a", "e3");
    Packet to_room{PacketType::event, "/", std::nullopt, boost::json::array{"r"}, {}};
    std::string o4 = record(store, to_room, BroadcastOptions{{"room"}, {}, {}});
    auto [o5, f5] = log_for(std::string(300, 'x'), "long-id");  // too long to be kept inline

    auto missed = [&](const std::string& sid, std::vector<std::string> rooms, const std::string& offset) {
        store.persist(PersistedSession{sid, "pid", std::move(rooms), nullptr});
        auto r = store.restore("pid", offset);
        std::vector<std::string> out;
        if (!r) return std::vector<std::string>{"(not restored)"};
        for (const auto& frames : r->missed_packets)
            for (const auto& f : frames) out.push_back(f->bytes);
        return out;
    };
    EXPECT_EQ(missed("a", {"a"}, o1), (std::vector<std::string>{f3}));
    EXPECT_EQ(missed("b", {"b"}, o1), (std::vector<std::string>{f2}));
    EXPECT_EQ(missed("b", {"b", "room"}, o2), (std::vector<std::string>{"4" + encode(to_room)}));
    // As a broadcast to the room named by the id would (should_include_packet).
    EXPECT_EQ(missed("c", {"c", "a"}, o1), (std::vector<std::string>{f3}));
    EXPECT_EQ(missed(std::string(300, 'x'), {std::string(300, 'x')}, o4), (std::vector<std::string>{f5}));
    EXPECT_EQ(missed("a", {"a"}, o5), (std::vector<std::string>{}));
    EXPECT_EQ(missed("a", {"a"}, o1 + "x"), (std::vector<std::string>{"(not restored)"}));

    now += std::chrono::milliseconds(60);  // the first two are now older than 100 ms
    EXPECT_EQ(missed("a", {"a"}, o1), (std::vector<std::string>{"(not restored)"}));
    EXPECT_EQ(missed("a", {"a"}, o2), (std::vector<std::string>{"(not restored)"}));
    EXPECT_EQ(missed("a", {"a", "room"}, o3), (std::vector<std::string>{"4" + encode(to_room)}));
    EXPECT_EQ(store.packet_count(), 3u);
}

}  // namespace
