#pragma once
// The state of sio::Server::close(): what keeps the owned loop running until then, the drain
// timer, the signals that start it, and who waits for it.

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sio/facade/server.hpp>

namespace sio {

struct Server::Shutdown {
    explicit Shutdown(http::Executor ex) : timer(ex), signals(ex) {}

    /** Owned loop only: run() returns when close() is done, not when the loop has no work. */
    std::optional<boost::asio::executor_work_guard<http::Executor>> work;
    boost::asio::steady_timer timer;
    boost::asio::signal_set signals;
    std::vector<std::function<void()>> waiters;
    std::chrono::steady_clock::time_point deadline;
    bool started = false;
    bool finished = false;
};

}  // namespace sio
