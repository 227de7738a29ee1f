// sio::Server::close(): stop accepting -> every socket disconnected with "server shutting
// down", every session closed -> wait until the engine has no session left (a grace for the
// close frames still being written), or until close_timeout: an idle long-polling session
// waits up to 30 s for a GET to carry its close packet, and the facade does not wait for
// that -> stop the Redis connections, tell the waiters, stop the owned loop.

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include <boost/asio/post.hpp>

#include <sio/adapter/redis_adapter.hpp>
#include <sio/facade/server.hpp>

#include "facade/shutdown.hpp"

namespace sio {

namespace {

using namespace std::chrono_literals;

/** How often the session count is looked at while draining. */
constexpr auto kDrainPoll = 10ms;
/** Once no session is left: time for the close frames queued on WebSockets to leave. */
constexpr auto kCloseFrameGrace = 100ms;

}  // namespace

void Server::close(std::function<void()> done) {
    // Always posted, even from the loop's thread: a handler that calls close() must not see
    // its own socket closed under it.
    boost::asio::post(executor_, [this, weak = std::weak_ptr<Shutdown>(shutdown_), done = std::move(done)]() mutable {
        if (weak.lock()) start_close(std::move(done));
    });
}

void Server::start_close(std::function<void()> done) {
    auto& state = *shutdown_;
    if (done) state.waiters.push_back(std::move(done));
    if (state.finished) return finish_close();
    if (std::exchange(state.started, true)) return;
    listener_->stop();
    io_->close();
    state.deadline = std::chrono::steady_clock::now() + close_timeout_;
    drain();
}

void Server::drain() {
    auto& state = *shutdown_;
    const auto now = std::chrono::steady_clock::now();
    const bool empty = io_->engine().clients_count() == 0;
    if (!empty && now >= state.deadline) return finish_close();
    const auto remaining = std::chrono::duration_cast<std::chrono::steady_clock::duration>(state.deadline - now);
    state.timer.expires_after(empty ? std::min<std::chrono::steady_clock::duration>(kCloseFrameGrace, remaining)
                                    : std::min<std::chrono::steady_clock::duration>(kDrainPoll, remaining));
    state.timer.async_wait([this, weak = std::weak_ptr<Shutdown>(shutdown_), empty](boost::system::error_code ec) {
        if (ec || !weak.lock()) return;
        if (empty) return finish_close();
        drain();
    });
}

void Server::finish_close() {
    auto& state = *shutdown_;
    state.finished = true;
    state.timer.cancel();
    boost::system::error_code ignored;
    state.signals.cancel(ignored);
    if (cluster_) cluster_->stop();
    // A waiter may call close() again (or destroy nothing: the Server outlives this call).
    auto waiters = std::move(state.waiters);
    state.waiters.clear();
    for (auto& waiter : waiters) waiter();
    if (owned_) {
        state.work.reset();
        owned_->stop();
    }
}

void Server::close_on_signals(std::vector<int> signals) {
    auto& state = *shutdown_;
    for (int signo : signals) state.signals.add(signo);
    struct Waiter {
        Server* server;
        std::weak_ptr<Shutdown> weak;
        void operator()(boost::system::error_code ec, int) const {
            auto state = weak.lock();
            if (ec || !state) return;
            if (state->started) {
                // A second signal: whoever waits is told now, and the owned loop stops.
                server->finish_close();
                return;
            }
            server->start_close({});
            state->signals.async_wait(*this);
        }
    };
    state.signals.async_wait(Waiter{this, shutdown_});
}

}  // namespace sio
