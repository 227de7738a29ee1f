#include "adapter/redis/redis_bus.hpp"

// Flow:
//   start -> do_connect (new publisher + subscriber, generation g) -> both on_connected -> on_up
//   ("redis connected") -> do_resubscribe (SUBSCRIBE all channels, PSUBSCRIBE all patterns)
//   -> on_resubscribed: ready; on_ready (first time) or on_reconnect (after a loss).
//   Any failure of generation g (connect error, close handler) -> teardown (g+1, close both)
//   -> schedule_retry (50 ms, doubling to max_backoff) -> do_connect.
// Callbacks of older generations are recognised by their captured g and ignored, so a
// connection that dies during teardown can never start a second reconnect cycle.
// Every callback handed to a connection holds a weak_ptr: the bus can be destroyed while its
// connections still have I/O in flight.

#include <algorithm>
#include <future>
#include <utility>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <sio/core/log.hpp>

namespace sio::adapter {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

auto& log() {
    static auto logger = sio::core::logger("redis");
    return logger;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Lifecycle

std::shared_ptr<RedisBus> RedisBus::create(boost::asio::any_io_executor ex, RedisOptions opts) {
    return std::shared_ptr<RedisBus>(new RedisBus(std::move(ex), std::move(opts)));
}

RedisBus::RedisBus(boost::asio::any_io_executor ex, RedisOptions opts)
    : ex_(std::move(ex)), opts_(std::move(opts)), retry_timer_(ex_), ping_timer_(ex_) {}

RedisBus::~RedisBus() {
    // Connections may outlive us (their handlers hold them); close them so their sockets go
    // now. Their callbacks into us fail weak_ptr::lock and do nothing.
    if (pub_) {
        pub_->close();
    }
    if (sub_) {
        sub_->close();
    }
}

void RedisBus::start(std::function<void()> on_ready) {
    if (started_ || stopped_) {
        return;
    }
    started_ = true;
    on_ready_ = std::move(on_ready);
    do_connect();
}

void RedisBus::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    retry_timer_.cancel();
    teardown();
    on_ready_ = nullptr;
    on_reconnect_ = nullptr;
    for (auto& cb : std::exchange(deferred_, {})) {
        if (cb) {
            cb(false);
        }
    }
    for (auto& w : std::exchange(waiters_, {})) {
        w->timer->cancel();
        w->cb(make_error_code(redis_error::closed));
    }
    log()->info("redis bus stopped");
}

bool RedisBus::ready() const noexcept {
    return up_ && resubscribed_ && inflight_subs_ == 0;
}

// ---------------------------------------------------------------------------------------------
// Connecting and reconnecting

void RedisBus::do_connect() {
    connected_ = 0;
    const auto g = gen_;
    std::weak_ptr<RedisBus> weak = weak_from_this();
    pub_ = RedisConnection::create(ex_, opts_);
    sub_ = RedisConnection::create(ex_, opts_);
    sub_->set_message_handler([weak](std::string_view channel, std::string_view pattern, std::string_view payload) {
        auto self = weak.lock();
        if (self && !self->stopped_ && self->on_message_) {
            self->on_message_(channel, pattern, payload);
        }
    });
    for (bool publisher : {true, false}) {
        auto& conn = publisher ? pub_ : sub_;
        conn->set_close_handler([weak, g, publisher](error_code ec) {
            if (auto self = weak.lock()) {
                self->on_lost(g, publisher, ec);
            }
        });
        conn->connect([weak, g, publisher](error_code ec) {
            if (auto self = weak.lock()) {
                self->on_connected(g, publisher, ec);
            }
        });
    }
}

void RedisBus::on_connected(std::uint64_t gen, bool publisher, error_code ec) {
    if (gen != gen_ || stopped_) {
        return;
    }
    if (ec) {
        last_error_ = (publisher ? pub_ : sub_)->last_error();
        // One warning per outage (or at startup); the retries every <= max_backoff are debug.
        if (!failure_logged_) {
            failure_logged_ = true;
            log()->warn("redis connect to {}:{} failed: {} (retrying)", opts_.host, opts_.port, last_error_);
        } else {
            log()->debug("redis connect to {}:{} failed: {}", opts_.host, opts_.port, last_error_);
        }
        teardown();
        schedule_retry();
        return;
    }
    if (++connected_ == 2) {
        on_up();
    }
}

void RedisBus::on_up() {
    up_ = true;
    failure_logged_ = false;
    backoff_ = kInitialBackoff;
    if (ever_ready_) {
        auto down_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - down_since_);
        log()->info("redis connected to {}:{} (down for {} ms)", opts_.host, opts_.port, down_ms.count());
    } else {
        log()->info("redis connected to {}:{}", opts_.host, opts_.port);
    }
    do_ping();
    do_resubscribe();
}

// Subscribes the whole remembered set in (at most) two commands. Names added meanwhile by
// subscribe() are sent separately after these, in FIFO order, so nothing is lost.
void RedisBus::do_resubscribe() {
    resubscribed_ = false;
    std::vector<std::string> channels(channels_.begin(), channels_.end());
    std::vector<std::string> patterns(patterns_.begin(), patterns_.end());
    const int parts = static_cast<int>(!channels.empty()) + static_cast<int>(!patterns.empty());
    if (parts == 0) {
        on_resubscribed();
        return;
    }
    auto remaining = std::make_shared<int>(parts);
    auto done = [weak = weak_from_this(), g = gen_, remaining](error_code ec, RedisReply reply) {
        auto self = weak.lock();
        if (!self || g != self->gen_ || self->stopped_) {
            return;
        }
        if (ec == redis_error::server_error) {
            // Refused (ACL): retrying with backoff is all we can do; keep saying why.
            self->last_error_ = fmt::format("re-subscribe refused: {}", reply.str);
            log()->warn("redis {}", self->last_error_);
            self->teardown();
            self->schedule_retry();
            return;
        }
        if (ec) {
            return;  // transport failure: the close handler (on_lost) follows
        }
        if (--*remaining == 0) {
            self->on_resubscribed();
        }
    };
    if (!channels.empty()) {
        sub_->subscribe(std::move(channels), done);
    }
    if (!patterns.empty()) {
        sub_->psubscribe(std::move(patterns), done);
    }
}

void RedisBus::on_resubscribed() {
    resubscribed_ = true;
    for (auto& cb : std::exchange(deferred_, {})) {
        if (cb) {
            cb(true);
        }
    }
    if (!ever_ready_) {
        ever_ready_ = true;
        if (auto cb = std::exchange(on_ready_, nullptr)) {
            cb();
        }
    } else {
        ++reconnects_;
        log()->debug("redis subscriptions restored: {} channels, {} patterns", channels_.size(), patterns_.size());
        if (on_reconnect_) {
            auto hook = on_reconnect_;  // a copy: the hook may replace itself or stop() the bus
            hook();
        }
    }
    notify_waiters();
}

void RedisBus::on_lost(std::uint64_t gen, bool publisher, error_code ec) {
    if (gen != gen_ || stopped_) {
        return;
    }
    const auto& conn = publisher ? pub_ : sub_;
    last_error_ = conn ? conn->last_error() : ec.message();
    if (up_) {
        down_since_ = std::chrono::steady_clock::now();
        log()->info("redis connection lost: {} ({} connection)", last_error_, publisher ? "publisher" : "subscriber");
        failure_logged_ = true;  // the loss was logged; retries are debug
    }
    teardown();
    schedule_retry();
}

// Closes both connections of the current generation. gen_ is bumped first, so the callbacks
// that close() runs synchronously (failed commands, connect and close handlers) are stale.
void RedisBus::teardown() {
    ++gen_;
    up_ = false;
    resubscribed_ = false;
    inflight_subs_ = 0;
    connected_ = 0;
    ping_timer_.cancel();
    auto pub = std::exchange(pub_, nullptr);
    auto sub = std::exchange(sub_, nullptr);
    if (pub) {
        pub->close();
    }
    if (sub) {
        sub->close();
    }
}

void RedisBus::schedule_retry() {
    if (stopped_) {
        return;
    }
    auto delay = std::min(backoff_, opts_.max_backoff);
    backoff_ = std::min(backoff_ * 2, std::max(opts_.max_backoff, kInitialBackoff));
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([weak = weak_from_this()](error_code ec) {
        auto self = weak.lock();
        if (!self || ec || self->stopped_) {
            return;
        }
        self->do_connect();
    });
}

// Keeps an idle bus honest: a PING on each connection with nothing pending (a connection with
// pending commands already has a running deadline).
void RedisBus::do_ping() {
    ping_timer_.expires_after(kPingInterval);
    ping_timer_.async_wait([weak = weak_from_this(), g = gen_](error_code ec) {
        auto self = weak.lock();
        if (!self || ec || g != self->gen_ || !self->up_ || self->stopped_) {
            return;
        }
        static constexpr std::string_view ping[] = {"PING"};
        for (const auto& conn : {self->pub_, self->sub_}) {
            if (conn && conn->pending() == 0) {
                conn->command(std::span<const std::string_view>(ping), [](error_code, RedisReply) {});
            }
        }
        self->do_ping();
    });
}

// ---------------------------------------------------------------------------------------------
// Startup helper

void RedisBus::wait_ready(std::chrono::milliseconds limit, std::function<void(error_code)> cb) {
    if (ready()) {
        asio::post(ex_, [cb = std::move(cb)] { cb({}); });
        return;
    }
    if (stopped_) {
        asio::post(ex_, [cb = std::move(cb)] { cb(make_error_code(redis_error::closed)); });
        return;
    }
    auto w = std::make_shared<Waiter>();
    w->timer = std::make_shared<asio::steady_timer>(ex_, limit);
    w->cb = std::move(cb);
    waiters_.push_back(w);
    w->timer->async_wait([weak = weak_from_this(), w](error_code ec) {
        auto self = weak.lock();
        if (!self || ec) {
            return;
        }
        auto it = std::find(self->waiters_.begin(), self->waiters_.end(), w);
        if (it == self->waiters_.end()) {
            return;  // already answered
        }
        self->waiters_.erase(it);
        w->cb(make_error_code(redis_error::startup_timeout));
    });
}

error_code RedisBus::block_until_ready(std::chrono::milliseconds limit) {
    auto promise = std::make_shared<std::promise<error_code>>();
    auto future = promise->get_future();
    asio::post(ex_, [self = shared_from_this(), limit, promise] {
        self->wait_ready(limit, [promise](error_code ec) { promise->set_value(ec); });
    });
    // The extra second covers an executor that never runs the posted call (not running yet).
    if (future.wait_for(limit + std::chrono::seconds(1)) != std::future_status::ready) {
        return make_error_code(redis_error::startup_timeout);
    }
    return future.get();
}

void RedisBus::notify_waiters() {
    if (!ready() || waiters_.empty()) {
        return;
    }
    for (auto& w : std::exchange(waiters_, {})) {
        w->timer->cancel();
        w->cb({});
    }
}

// ---------------------------------------------------------------------------------------------
// Commands

bool RedisBus::publish(std::string_view channel, std::string_view payload) {
    if (!up_ || !pub_ || !pub_->is_open()) {
        ++publish_failures_;
        return false;
    }
    if (pub_->buffered_bytes() + payload.size() > kMaxBufferedPublishBytes) {
        ++publish_failures_;
        return false;
    }
    const std::string_view args[] = {"PUBLISH", channel, payload};
    pub_->command(std::span<const std::string_view>(args), [weak = weak_from_this()](error_code ec, RedisReply) {
        if (ec) {
            if (auto self = weak.lock()) {
                ++self->publish_failures_;
            }
        }
    });
    return true;
}

void RedisBus::numsub(std::string channel, std::function<void(error_code, std::int64_t)> cb) {
    if (!up_ || !pub_) {
        asio::post(ex_, [cb = std::move(cb)] { cb(make_error_code(redis_error::not_connected), 0); });
        return;
    }
    pub_->command(std::vector<std::string>{"PUBSUB", "NUMSUB", std::move(channel)},
                  [cb = std::move(cb)](error_code ec, RedisReply reply) {
                      if (ec) {
                          cb(ec, 0);
                          return;
                      }
                      // [channel, count]
                      if (reply.type != RedisReply::Type::array || reply.elements.size() != 2 ||
                          reply.elements[1].type != RedisReply::Type::integer) {
                          cb(make_error_code(redis_error::protocol_error), 0);
                          return;
                      }
                      cb({}, reply.elements[1].integer);
                  });
}

void RedisBus::command(std::vector<std::string> args, RedisConnection::Callback cb) {
    if (!up_ || !pub_) {
        asio::post(ex_, [cb = std::move(cb)] { cb(make_error_code(redis_error::not_connected), RedisReply{}); });
        return;
    }
    pub_->command(std::move(args), std::move(cb));
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

void RedisBus::subscribe(std::vector<std::string> channels, Confirmed cb) {
    subscribe_family(false, std::move(channels), std::move(cb));
}

void RedisBus::psubscribe(std::vector<std::string> patterns, Confirmed cb) {
    subscribe_family(true, std::move(patterns), std::move(cb));
}

void RedisBus::subscribe_family(bool pattern, std::vector<std::string> names, Confirmed cb) {
    if (stopped_) {
        if (cb) {
            asio::post(ex_, [cb = std::move(cb)] { cb(false); });
        }
        return;
    }
    auto& set = pattern ? patterns_ : channels_;
    set.insert(names.begin(), names.end());
    if (!up_) {
        deferred_.push_back(std::move(cb));  // sent with everything else by do_resubscribe
        return;
    }
    ++inflight_subs_;
    auto done = [weak = weak_from_this(), g = gen_, pattern, names, cb = std::move(cb)](error_code ec,
                                                                                        RedisReply reply) mutable {
        auto self = weak.lock();
        if (!self) {
            return;
        }
        if (self->stopped_) {
            if (cb) {
                cb(false);
            }
            return;
        }
        if (g != self->gen_) {
            self->deferred_.push_back(std::move(cb));  // lost with its connection; restored later
            return;
        }
        --self->inflight_subs_;
        if (ec == redis_error::server_error) {
            auto& names_set = pattern ? self->patterns_ : self->channels_;
            for (const auto& n : names) {
                names_set.erase(n);
            }
            log()->warn("redis refused {}: {}", pattern ? "PSUBSCRIBE" : "SUBSCRIBE", reply.str);
            if (cb) {
                cb(false);
            }
        } else if (ec) {
            self->deferred_.push_back(std::move(cb));  // transport failure: on_lost follows
        } else if (cb) {
            cb(true);
        }
        self->notify_waiters();
    };
    if (pattern) {
        sub_->psubscribe(std::move(names), std::move(done));
    } else {
        sub_->subscribe(std::move(names), std::move(done));
    }
}

void RedisBus::unsubscribe(std::vector<std::string> channels) {
    for (const auto& c : channels) {
        channels_.erase(c);
    }
    if (up_ && sub_) {
        sub_->unsubscribe(std::move(channels), [](error_code, RedisReply) {});
    }
}

void RedisBus::punsubscribe(std::vector<std::string> patterns) {
    for (const auto& p : patterns) {
        patterns_.erase(p);
    }
    if (up_ && sub_) {
        sub_->punsubscribe(std::move(patterns), [](error_code, RedisReply) {});
    }
}

}  // namespace sio::adapter
