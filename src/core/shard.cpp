#include <sio/core/shard.hpp>

#include <boost/asio/executor_work_guard.hpp>

namespace sio::core {
namespace {

thread_local std::optional<std::size_t> current_shard;

/** Runs one loop as shard `index` until it is stopped. */
void run_loop(boost::asio::io_context& context, std::size_t index) {
    current_shard = index;
    // An idle shard (no listener, no session yet) must not return from run().
    auto guard = boost::asio::make_work_guard(context);
    context.run();
    current_shard.reset();
}

}  // namespace

ShardSet::ShardSet(std::size_t count) {
    if (count == 0) count = 1;
    contexts_.reserve(count);
    // Concurrency hint 1: each context is run by exactly one thread (other threads only post).
    for (std::size_t i = 0; i < count; ++i) contexts_.push_back(std::make_unique<Loop>(1));
}

ShardSet::~ShardSet() {
    stop();
    for (auto& thread : threads_)
        if (thread.joinable()) thread.join();
    // Two phases: every loop discards its handlers while all loops exist (a discarded handler
    // may post a release to another loop, which only queues it), then the loops are freed,
    // each discarding the releases queued on it (plain lambdas: nothing is posted any more).
    for (auto& context : contexts_) context->discard_pending();
    contexts_.clear();
}

void ShardSet::run() {
    for (std::size_t i = 1; i < contexts_.size(); ++i) threads_.emplace_back([this, i] { run_loop(*contexts_[i], i); });
    run_loop(*contexts_[0], 0);
    for (auto& thread : threads_) thread.join();
    threads_.clear();
}

void ShardSet::stop() noexcept {
    for (auto& context : contexts_) context->stop();
}

std::optional<std::size_t> ShardSet::current() noexcept {
    return current_shard;
}

}  // namespace sio::core
