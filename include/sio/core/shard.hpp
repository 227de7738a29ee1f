#pragma once
// Shards: one event loop per core in one process (Seastar's shared-nothing model). Each loop is
// an io_context run by one thread and owns its connections and their state; other loops reach
// it only by posting a function that carries immutable data (post_to). Nothing on a
// per-message path takes a lock.
//
//   core::ShardSet shards(n);                   // n io_contexts
//   ... build each shard's objects on shards.executor(i) (before run) ...
//   shards.run();                               // loops 1..n-1 on new threads, 0 on the caller
//
// Ids made by an IdGenerator tagged with a shard (id_generator.hpp) say which shard owns the
// session or socket they name: shard_of(id, n).

#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace sio::core {

class ShardSet {
public:
    using Executor = boost::asio::io_context::executor_type;

    /** `count` loops (at least 1), not running yet. */
    explicit ShardSet(std::size_t count);
    /** Stops the loops, joins their threads, then discards every loop's pending handlers
        before any loop is freed: a discarded handler may release a HomeBound, which posts to
        its home loop, so all loops must still exist at that point. */
    ~ShardSet();
    ShardSet(const ShardSet&) = delete;
    ShardSet& operator=(const ShardSet&) = delete;

    std::size_t size() const noexcept { return contexts_.size(); }
    boost::asio::io_context& context(std::size_t shard) noexcept { return *contexts_[shard]; }
    Executor executor(std::size_t shard) noexcept { return contexts_[shard]->get_executor(); }

    /** Runs `fn` on `shard`'s loop, later (also when called from that loop). */
    template <class Fn>
    void post_to(std::size_t shard, Fn&& fn) {
        boost::asio::post(contexts_[shard]->get_executor(), std::forward<Fn>(fn));
    }

    /** Runs loops 1..n-1 on threads of their own and loop 0 on the calling thread; returns once
        every loop has stopped (stop()) and its thread is joined. A loop with nothing left to do
        keeps running until stop(). */
    void run();
    /** Stops every loop (callable from any thread; handlers in progress finish). */
    void stop() noexcept;

    /** The shard whose loop runs on the calling thread; nullopt outside run(). */
    static std::optional<std::size_t> current() noexcept;

private:
    /** An io_context whose shutdown (discard pending handlers) can be called before it is
        destroyed. */
    class Loop : public boost::asio::io_context {
    public:
        using boost::asio::io_context::io_context;
        void discard_pending() { shutdown(); }
    };

    std::vector<std::unique_ptr<Loop>> contexts_;
    std::vector<std::thread> threads_;
};

}  // namespace sio::core
