#pragma once
// Driving real shard loops from a test thread: post a function to a loop and wait for its
// result. A loop that never answers is fatal (the posted function may still refer to the
// test's locals, so the test cannot go on); the limit is generous, never a timing assertion.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <type_traits>

#include <sio/core/shard.hpp>

namespace sio::test {

inline constexpr auto shard_wait_limit = std::chrono::seconds(60);

/** `future`'s value, or abort after shard_wait_limit naming `what`. */
template <class T>
T get_or_die(std::future<T>& future, const char* what) {
    if (future.wait_for(shard_wait_limit) != std::future_status::ready) {
        std::fprintf(stderr, "no answer from a shard within %lld s: %s\n",
                     static_cast<long long>(shard_wait_limit.count()), what);
        std::abort();
    }
    return future.get();
}

/** Runs `fn()` on `shard`'s loop (which must be running) and returns its result. */
template <class Fn>
auto run_on(core::ShardSet& shards, std::size_t shard, Fn fn, const char* what = "function posted to a shard")
    -> decltype(fn()) {
    using R = decltype(fn());
    std::promise<R> done;
    auto future = done.get_future();
    shards.post_to(shard, [&done, &fn] {
        if constexpr (std::is_void_v<R>) {
            fn();
            done.set_value();
        } else {
            done.set_value(fn());
        }
    });
    return get_or_die(future, what);
}

}  // namespace sio::test
