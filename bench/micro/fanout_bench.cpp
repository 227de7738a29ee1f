// In-process fan-out: `io.emit` through BroadcastOperator, MemoryAdapter, Socket and Client down
// to Session::send for N connected sockets, with sessions that only count frames. This is the
// server's share of the CPU per delivered message, without the kernel and WebSocket writes.

#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <sio/socketio/server.hpp>

#include "counting_session.hpp"

namespace {

namespace sock = sio::socketio;

/** A socketio::Server without an engine and N clients connected to "/". */
class Audience {
public:
    Audience(std::size_t n, bool recovery) : server_(ioc_.get_executor(), options(recovery), sock::without_engine) {
        sessions_.reserve(n);
        handlers_.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            sessions_.push_back(std::make_unique<sio::bench::CountingSession>("engine" + std::to_string(i)));
            handlers_.push_back(server_.accept(*sessions_.back()));
            handlers_.back()->on_message("0");  // CONNECT to "/"
        }
    }
    Audience(const Audience&) = delete;
    Audience& operator=(const Audience&) = delete;

    sock::Namespace& nsp() { return server_.of("/"); }

    void join_all(const std::string& room) {
        for (const auto& [sid, socket] : nsp().sockets()) socket->join(room);
    }

    std::size_t frames() const {
        std::size_t total = 0;
        for (const auto& s : sessions_) total += s->frames();
        return total;
    }
    void reset() {
        for (auto& s : sessions_) s->reset();
    }

private:
    static sock::ServerOptions options(bool recovery) {
        sock::ServerOptions o;
        o.connection_state_recovery = recovery;
        return o;
    }

    boost::asio::io_context ioc_;  // never run: connect timers are cancelled by the CONNECT
    sock::Server server_;
    std::vector<std::unique_ptr<sio::bench::CountingSession>> sessions_;
    std::vector<std::unique_ptr<sio::engineio::SessionHandler>> handlers_;  // destroyed before the sessions
};

/** Runs `emit()` once per iteration; each of the range(0) sockets of `audience` must get one
    frame per emit. Items are delivered messages. */
template <class Emit>
void run_emits(benchmark::State& state, Audience& audience, Emit emit) {
    const auto n = static_cast<std::size_t>(state.range(0));
    if (audience.nsp().sockets().size() != n) {
        state.SkipWithError("not every client joined the namespace");
        return;
    }
    audience.reset();
    for (auto _ : state) emit();
    if (audience.frames() != n * static_cast<std::size_t>(state.iterations()))
        state.SkipWithError("a socket missed a frame");
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

/** The arguments of every emit; each emit copies them into its Payload, as an application does. */
boost::json::array news_args() {
    return boost::json::array{boost::json::object{{"title", "hello"}, {"seq", 1}}};
}

// One `io.emit("news", {...})` per iteration to range(0) sockets; items are delivered messages.
// range(1): connection state recovery off (socket.io's default) or on (sio-server's default:
// offset appended, packet logged).
void BM_FanOut_NamespaceEmit(benchmark::State& state) {
    Audience audience(static_cast<std::size_t>(state.range(0)), state.range(1) != 0);
    const auto args = news_args();
    run_emits(state, audience, [&] { audience.nsp().emit("news", sock::Payload(args)); });
}
BENCHMARK(BM_FanOut_NamespaceEmit)
    ->ArgNames({"sockets", "recovery"})
    ->ArgsProduct({{1000, 10000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

// `io.to("news").emit(...)` with every socket in the room: the room path of the targeting (the
// members of one room) instead of "every socket".
void BM_FanOut_RoomEmit(benchmark::State& state) {
    Audience audience(static_cast<std::size_t>(state.range(0)), false);
    audience.join_all("news");
    const auto args = news_args();
    run_emits(state, audience, [&] { audience.nsp().to("news").emit("news", sock::Payload(args)); });
}
BENCHMARK(BM_FanOut_RoomEmit)->ArgName("sockets")->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
