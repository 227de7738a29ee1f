// Shards: ShardSet (one loop per thread, posting, run/stop), shard-tagged ids (IdGenerator,
// shard_of) and HomeBound (work and destruction on the home loop). Every suite is named
// Shard* so that the ThreadSanitizer tier selects it with --gtest_filter='Shard*'.
//
// Loops run for real on their threads; the test thread drives them only by posting and
// waiting on futures (generous timeouts: a missed wait is a failure, never a sleep).

#include <sio/core/shard.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sio/core/home_bound.hpp>
#include <sio/core/id_generator.hpp>

#include "support/on_shard.hpp"

using sio::core::HomeBound;
using sio::core::IdGenerator;
using sio::core::ShardSet;
using sio::test::get_or_die;

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** What a function posted to a shard saw about the thread it ran on. */
struct Where {
    std::optional<std::size_t> current;
    std::thread::id thread;
};

/** A ShardSet whose run() is called on a background thread (so loop 0 runs there too). */
struct Running {
    ShardSet set;
    std::promise<void> returned;
    std::future<void> run_returned = returned.get_future();
    std::thread runner;
    std::thread::id runner_id;

    explicit Running(std::size_t n) : set(n) {
        runner = std::thread([this] {
            set.run();
            returned.set_value();
        });
        runner_id = runner.get_id();
    }
    ~Running() {
        set.stop();
        if (runner.joinable()) runner.join();
    }

    /** Runs `fn()` on `shard`'s loop and returns its result. */
    template <class Fn>
    auto on(std::size_t shard, Fn fn) -> decltype(fn()) {
        return sio::test::run_on(set, shard, std::move(fn), "posted function");
    }

    Where where(std::size_t shard) {
        return on(shard, [] { return Where{ShardSet::current(), std::this_thread::get_id()}; });
    }
};

// ---- ShardSet ----------------------------------------------------------------------------

TEST(ShardSet, PostsRunOnTheShardsOwnThread) {
    Running r(3);
    EXPECT_EQ(r.set.size(), 3u);
    std::vector<Where> seen;
    for (std::size_t i = 0; i < 3; ++i) seen.push_back(r.where(i));
    std::set<std::thread::id> threads;
    for (std::size_t i = 0; i < 3; ++i) {
        ASSERT_TRUE(seen[i].current.has_value()) << "shard " << i;
        EXPECT_EQ(*seen[i].current, i);
        EXPECT_NE(seen[i].thread, std::this_thread::get_id());
        threads.insert(seen[i].thread);
    }
    EXPECT_EQ(threads.size(), 3u) << "each shard has a thread of its own";
    // Loop 0 runs on the thread that called run(); the others on threads of their own.
    EXPECT_EQ(seen[0].thread, r.runner_id);
    EXPECT_NE(seen[1].thread, r.runner_id);
    // The same shard always runs on the same thread.
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(r.where(i).thread, seen[i].thread);
    // Not a loop thread: no shard, neither here nor on a thread of our own.
    EXPECT_FALSE(ShardSet::current().has_value());
    std::optional<std::size_t> other = 42;
    std::thread([&] { other = ShardSet::current(); }).join();
    EXPECT_FALSE(other.has_value());
}

TEST(ShardSet, PostFromALoopToItselfRunsLater) {
    Running r(2);
    auto order = std::make_shared<std::vector<int>>();
    std::promise<void> second_ran;
    auto second = second_ran.get_future();
    r.on(1, [&] {
        r.set.post_to(1, [order, &second_ran] {
            order->push_back(2);
            second_ran.set_value();
        });
        order->push_back(1);  // still in the first function: the post did not run inline
    });
    get_or_die(second, "self post");
    auto result = r.on(1, [order] { return *order; });
    EXPECT_EQ(result, (std::vector<int>{1, 2}));
}

TEST(ShardSet, IdleLoopsKeepRunningUntilStopped) {
    Running r(3);
    // Every loop has run its only function and is idle now; an idle loop must not return.
    for (std::size_t i = 0; i < 3; ++i) r.where(i);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(r.where(i).current, i);
    EXPECT_EQ(r.run_returned.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
}

TEST(ShardSet, RunReturnsAfterStopFromAnotherShard) {
    Running r(3);
    for (std::size_t i = 0; i < 3; ++i) r.where(i);  // all loops up
    r.set.post_to(2, [&r] { r.set.stop(); });
    ASSERT_EQ(r.run_returned.wait_for(sio::test::shard_wait_limit), std::future_status::ready)
        << "run() did not return after stop()";
    r.runner.join();
    EXPECT_FALSE(ShardSet::current().has_value());
}

TEST(ShardSet, OneShardRunsOnTheCallingThread) {
    ShardSet set(1);
    ASSERT_EQ(set.size(), 1u);
    Where seen;
    int runs = 0;
    set.post_to(0, [&] {
        seen = Where{ShardSet::current(), std::this_thread::get_id()};
        ++runs;
        set.post_to(0, [&] {
            ++runs;
            set.stop();
        });
    });
    // Runs loop 0 here and returns once it is stopped (from inside the loop).
    set.run();
    EXPECT_EQ(runs, 2);
    ASSERT_TRUE(seen.current.has_value());
    EXPECT_EQ(*seen.current, 0u);
    EXPECT_EQ(seen.thread, std::this_thread::get_id());
    EXPECT_FALSE(ShardSet::current().has_value()) << "reset once run() returned";
}

TEST(ShardSet, ZeroMeansOne) {
    ShardSet set(0);
    EXPECT_EQ(set.size(), 1u);
}

// ---- ids ---------------------------------------------------------------------------------

TEST(ShardIds, EveryShardMakesUniqueTwentyCharIdsItIsNamedBy) {
    for (std::size_t count : {1u, 2u, 3u, 7u, 64u}) {
        std::set<std::string> seen;
        for (std::size_t shard = 0; shard < count; ++shard) {
            IdGenerator ids(shard, count);
            std::set<char> firsts;
            constexpr int per_shard = 300;
            for (int k = 0; k < per_shard; ++k) {
                auto id = ids.next();
                ASSERT_EQ(id.size(), 20u) << id;
                ASSERT_EQ(id.find_first_not_of(alphabet), std::string::npos) << id;
                auto owner = sio::core::shard_of(id, count);
                ASSERT_TRUE(owner.has_value()) << id;
                ASSERT_EQ(*owner, shard) << "id " << id << " count " << count;
                ASSERT_EQ(alphabet.find(id.front()) % count, shard) << id;
                ASSERT_TRUE(seen.insert(id).second) << "duplicate " << id << " count " << count;
                firsts.insert(id.front());
            }
            if (count == 64) {
                // One character per shard: the one at the shard's index.
                EXPECT_EQ(firsts, std::set<char>{alphabet[shard]});
            } else {
                // Not only the lowest candidate: the first character still spreads (64 / count
                // choices; 300 ids all on one of >= 9 choices would be a broken generator).
                EXPECT_GT(firsts.size(), 1u) << "count " << count << " shard " << shard;
            }
        }
        EXPECT_EQ(seen.size(), count * 300u);
    }
}

TEST(ShardIds, DefaultGeneratorIsShardZeroOfOne) {
    IdGenerator ids;
    for (int k = 0; k < 100; ++k) EXPECT_EQ(sio::core::shard_of(ids.next(), 1), 0u);
}

TEST(ShardIds, ShardOfReadsTheFirstCharacter) {
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        std::string id(1, alphabet[i]);
        id += "AAAAAAAAAAAAAAAAAAA";
        for (std::size_t count : {1u, 2u, 3u, 7u, 64u}) EXPECT_EQ(sio::core::shard_of(id, count), i % count) << id;
    }
    EXPECT_EQ(sio::core::max_shards, 64u);
}

TEST(ShardIds, ShardOfAForeignIdIsNullopt) {
    for (std::string_view id :
         {"+AAAAAAAAAAAAAAAAAAA", "/AAAAAAAAAAAAAAAAAAA", "=AAA", " AAAA", ".x", "~1", "\xc3\xa9t\xc3\xa9", ""}) {
        for (std::size_t count : {1u, 2u, 7u, 64u})
            EXPECT_FALSE(sio::core::shard_of(id, count).has_value()) << "'" << id << "' count " << count;
    }
}

// ---- HomeBound -----------------------------------------------------------------------------

/** Records the thread that destroys it. */
struct Tracked {
    std::shared_ptr<std::promise<std::thread::id>> destroyed_on;
    int value = 0;
    explicit Tracked(std::shared_ptr<std::promise<std::thread::id>> p) : destroyed_on(std::move(p)) {}
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
    ~Tracked() { destroyed_on->set_value(std::this_thread::get_id()); }
};

TEST(ShardHomeBound, PostRunsAtHomeFromAnyShard) {
    Running r(3);
    auto home0 = r.where(0);
    auto destroyed = std::make_shared<std::promise<std::thread::id>>();
    auto destroyed_on = destroyed->get_future();
    std::optional<HomeBound<Tracked>> bound;
    r.on(0, [&] { bound.emplace(r.set.executor(0), std::make_shared<Tracked>(destroyed)); });

    // Posted from shard 2 and from a thread that is no loop: each runs on shard 0's thread.
    std::promise<Where> from_shard;
    auto from_shard_seen = from_shard.get_future();
    r.on(2, [&] {
        bound->post([&from_shard](Tracked& t) {
            ++t.value;
            from_shard.set_value(Where{ShardSet::current(), std::this_thread::get_id()});
        });
    });
    auto a = get_or_die(from_shard_seen, "post from shard 2");
    EXPECT_EQ(a.current, 0u);
    EXPECT_EQ(a.thread, home0.thread);

    std::promise<Where> from_outside;
    auto from_outside_seen = from_outside.get_future();
    bound->post([&from_outside](Tracked& t) {
        ++t.value;
        from_outside.set_value(Where{ShardSet::current(), std::this_thread::get_id()});
    });
    auto b = get_or_die(from_outside_seen, "post from the test thread");
    EXPECT_EQ(b.current, 0u);
    EXPECT_EQ(b.thread, home0.thread);

    // A post made at home runs later, not inside the caller.
    auto inline_value = r.on(0, [&] {
        bound->post([](Tracked& t) { t.value += 100; });
        return bound->local().value;
    });
    EXPECT_EQ(inline_value, 2);
    // A post made on a loop to itself is queued once the running function returns (asio keeps
    // it aside until then), possibly after a post from another thread made meanwhile: one
    // empty round first, then it has run.
    r.on(0, [] {});
    EXPECT_EQ(r.on(0, [&] { return bound->local().value; }), 102);
    EXPECT_TRUE(bound->home() == r.set.executor(0));

    r.on(0, [&] { bound.reset(); });  // the last copy, at home
    EXPECT_EQ(get_or_die(destroyed_on, "destruction"), home0.thread);
}

TEST(ShardHomeBound, LastCopyDroppedOnAnotherShardIsDestroyedAtHome) {
    Running r(2);
    auto home = r.where(0);
    auto away = r.where(1);
    ASSERT_NE(home.thread, away.thread);
    auto destroyed = std::make_shared<std::promise<std::thread::id>>();
    auto destroyed_on = destroyed->get_future();

    // Made at home; a copy handed to shard 1 and kept there; the home copy dropped.
    std::optional<HomeBound<Tracked>> kept_on_1;  // used on shard 1 only
    std::promise<void> handed;
    auto handed_over = handed.get_future();
    r.on(0, [&] {
        HomeBound<Tracked> bound(r.set.executor(0), std::make_shared<Tracked>(destroyed));
        r.set.post_to(1, [copy = bound, &kept_on_1, &handed] {
            kept_on_1.emplace(copy);
            handed.set_value();
        });
    });  // `bound` died here, at home, while shard 1 keeps a reference
    get_or_die(handed_over, "hand-over");
    // Copies came and went on shard 1 (the posted lambda's own copy): not the last one.
    EXPECT_EQ(destroyed_on.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

    r.on(1, [&] { kept_on_1.reset(); });  // the last copy dies on shard 1's thread
    auto destroyer = get_or_die(destroyed_on, "destruction");
    EXPECT_EQ(destroyer, home.thread) << "destroyed off its home loop";
    EXPECT_NE(destroyer, away.thread);
}

TEST(ShardHomeBound, LastCopyDroppedOffAnyLoopIsDestroyedAtHome) {
    Running r(2);
    auto home = r.where(1);
    auto destroyed = std::make_shared<std::promise<std::thread::id>>();
    auto destroyed_on = destroyed->get_future();
    auto bound = r.on(1, [&] {
        return std::make_unique<HomeBound<Tracked>>(r.set.executor(1), std::make_shared<Tracked>(destroyed));
    });
    bound.reset();  // on the test thread, no loop at all
    EXPECT_EQ(get_or_die(destroyed_on, "destruction"), home.thread);
}

TEST(ShardHomeBound, ShardSetDestroyedWithCrossLoopWorkQueuedFreesItSafely) {
    // Shutdown shape: the loops stopped while loop 1 still had work queued that holds a
    // HomeBound of loop 0 (a gather, an ack relay). Discarding that work releases the
    // HomeBound, which posts to loop 0: loop 0 must still exist then (ASan: use after free).
    auto destroyed = std::make_shared<std::promise<std::thread::id>>();
    auto destroyed_on = destroyed->get_future();
    {
        ShardSet set(2);
        HomeBound<Tracked> bound(set.executor(0), std::make_shared<Tracked>(destroyed));
        set.post_to(1, [bound] {});
        set.post_to(0, [] {});  // loop 0 has work of its own, discarded first
    }
    EXPECT_EQ(destroyed_on.wait_for(std::chrono::seconds(0)), std::future_status::ready);
}

}  // namespace
