#pragma once
// RedisBus: the process-wide pair of Redis connections (docs/architecture.md "Redis", docs/protocol.md §4.1):
// one publisher (PUBLISH, PUBSUB NUMSUB, other commands) and one subscriber (SUBSCRIBE and
// PSUBSCRIBE only, RESP2 pub/sub mode). Both are treated as one unit: if either drops, both
// are closed and reconnected together with capped exponential backoff (50 ms doubling to
// max_backoff); after a reconnect every channel and pattern is subscribed again, then the
// on_reconnect hook runs (the adapter re-announces itself).
//
// Threading: lives on one executor (shard 0). Every method must be called on that executor's
// thread; other shards post to it. All callbacks run on it. Never blocks, except
// block_until_ready(), which is for the main thread before/while the executor runs elsewhere.
//
// While down, nothing queues: publish() drops and counts, other commands fail fast with
// redis_error::not_connected. Subscriptions are remembered and restored on reconnect.

#include <sio/adapter/redis_options.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "adapter/redis/redis_connection.hpp"

namespace sio::adapter {

class RedisBus : public std::enable_shared_from_this<RedisBus> {
public:
    using MessageHandler = RedisConnection::MessageHandler;
    using Confirmed = std::function<void(bool confirmed)>;

    /** Above this many unwritten bytes on the publisher, publish() drops (Redis is alive but
        not reading fast enough; the command timeout will tell if it is dead). */
    static constexpr std::size_t kMaxBufferedPublishBytes = 64u << 20;
    /** While up, each idle connection is PINGed this often, so that a Redis that stops
        answering is noticed within kPingInterval + command_timeout even with no traffic
        (the subscriber otherwise only reads). */
    static constexpr std::chrono::milliseconds kPingInterval{1000};
    static constexpr std::chrono::milliseconds kInitialBackoff{50};

    static std::shared_ptr<RedisBus> create(boost::asio::any_io_executor ex, RedisOptions opts);
    ~RedisBus();
    RedisBus(const RedisBus&) = delete;
    RedisBus& operator=(const RedisBus&) = delete;

    /** Starts connecting (and reconnecting forever until stop()). `on_ready` runs once, the
        first time the bus becomes ready(); later recoveries run the on_reconnect hook. Call on
        the bus's executor, or before that executor runs. A second call, or one after stop(),
        does nothing. */
    void start(std::function<void()> on_ready = {});
    /** Startup helper: `cb({})` as soon as ready() (posted, at once if already ready), or
        `cb(redis_error::startup_timeout)` after `limit`; last_error() then says why
        (e.g. "connect 127.0.0.1:6379: Connection refused"). The bus keeps retrying. */
    void wait_ready(std::chrono::milliseconds limit, std::function<void(boost::system::error_code)> cb);
    /** Blocking form of wait_ready for the main thread: the bus's executor must be run by
        another thread (calling it on the executor's own thread deadlocks). */
    boost::system::error_code block_until_ready(std::chrono::milliseconds limit);
    /** Closes both connections, stops reconnecting; waiting subscribe callbacks get false,
        pending command callbacks redis_error::closed. Idempotent; no callback of the bus
        (message handler, hooks) runs afterwards. */
    void stop();

    /** Both connections up and every subscription confirmed. */
    bool ready() const noexcept;
    /** Both connections up (subscriptions may still be in flight). */
    bool up() const noexcept { return up_; }

    /** PUBLISH, pipelined, fire-and-forget. Returns false (and counts a failure) when down or
        when kMaxBufferedPublishBytes are already waiting; a publish that fails after being
        sent (connection lost) is counted too. Binary-safe. */
    bool publish(std::string_view channel, std::string_view payload);
    /** PUBSUB NUMSUB <channel> -> the subscriber count (serverCount). Fails fast with
        not_connected while down. */
    void numsub(std::string channel, std::function<void(boost::system::error_code, std::int64_t)> cb);
    /** Any other command, on the publisher connection; fails fast with not_connected while down. */
    void command(std::vector<std::string> args, RedisConnection::Callback cb);

    /** Adds channels/patterns to the subscribed set. `cb(true)` once Redis confirmed them
        (after the next reconnect if the bus is down now); `cb(false)` if Redis refused them
        (then they are removed from the set; e.g. ACL NOPERM) or the bus was stopped first.
        Names already in the set are confirmed again harmlessly (one subscription each). */
    void subscribe(std::vector<std::string> channels, Confirmed cb = {});
    void psubscribe(std::vector<std::string> patterns, Confirmed cb = {});
    /** Removes from the set and, when up, UNSUBSCRIBEs/PUNSUBSCRIBEs. Best effort. */
    void unsubscribe(std::vector<std::string> channels);
    void punsubscribe(std::vector<std::string> patterns);

    /** `message` / `pmessage` pushes; views valid only during the call. */
    void set_message_handler(MessageHandler handler) { on_message_ = std::move(handler); }
    /** Runs each time the bus is ready again after a connection loss (not on the first start). */
    void set_reconnect_handler(std::function<void()> handler) { on_reconnect_ = std::move(handler); }

    /** Publishes refused or lost since start. */
    std::uint64_t publish_failures() const noexcept { return publish_failures_; }
    /** Number of times the bus became ready after a loss. */
    std::uint64_t reconnects() const noexcept { return reconnects_; }
    /** Reason of the last connection failure ("" if none). */
    const std::string& last_error() const noexcept { return last_error_; }
    const RedisOptions& options() const noexcept { return opts_; }

private:
    struct Waiter {
        std::shared_ptr<boost::asio::steady_timer> timer;
        std::function<void(boost::system::error_code)> cb;
    };

    RedisBus(boost::asio::any_io_executor ex, RedisOptions opts);

    void do_connect();
    void on_connected(std::uint64_t gen, bool publisher, boost::system::error_code ec);
    void on_up();
    void do_resubscribe();
    void on_resubscribed();
    void on_lost(std::uint64_t gen, bool publisher, boost::system::error_code ec);
    void teardown();
    void schedule_retry();
    void do_ping();
    void subscribe_family(bool pattern, std::vector<std::string> names, Confirmed cb);
    void notify_waiters();

    boost::asio::any_io_executor ex_;
    RedisOptions opts_;
    std::shared_ptr<RedisConnection> pub_;
    std::shared_ptr<RedisConnection> sub_;
    std::uint64_t gen_ = 0;  // bumped by teardown(): callbacks of older connections are ignored
    int connected_ = 0;      // connections of this generation that finished connecting
    bool started_ = false;
    bool stopped_ = false;
    bool up_ = false;
    bool resubscribed_ = false;
    bool ever_ready_ = false;
    bool failure_logged_ = false;  // one warning per outage, then debug
    std::size_t inflight_subs_ = 0;
    std::set<std::string> channels_;
    std::set<std::string> patterns_;
    std::vector<Confirmed> deferred_;  // subscribe callbacks waiting for the next resubscribe
    std::vector<std::shared_ptr<Waiter>> waiters_;
    std::chrono::milliseconds backoff_ = kInitialBackoff;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer ping_timer_;
    std::chrono::steady_clock::time_point down_since_{};
    std::function<void()> on_ready_;
    std::function<void()> on_reconnect_;
    MessageHandler on_message_;
    std::uint64_t publish_failures_ = 0;
    std::uint64_t reconnects_ = 0;
    std::string last_error_;
};

}  // namespace sio::adapter
