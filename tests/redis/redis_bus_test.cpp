#include "adapter/redis/redis_bus.hpp"

// RedisBus against a real redis-server: readiness, pub/sub through the bus, NUMSUB, fail-fast
// while down, reconnect after a restart with subscriptions restored, hung-server detection,
// and the startup helper.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "redis/redis_fixture.hpp"

namespace sio::test {
namespace {

using boost::system::error_code;
using sio::adapter::RedisBus;

struct Message {
    std::string channel;
    std::string pattern;
    std::string payload;
};

class RedisBusTest : public RedisFixture {
protected:
    std::shared_ptr<RedisBus> make_bus(RedisOptions o) {
        auto bus = RedisBus::create(ioc_.get_executor(), std::move(o));
        bus->set_message_handler([this](std::string_view c, std::string_view p, std::string_view m) {
            got_.push_back({std::string(c), std::string(p), std::string(m)});
        });
        return bus;
    }

    void TearDown() override {
        if (bus_) {
            bus_->stop();
            ioc_.restart();
            ioc_.run_for(20ms);
        }
        RedisFixture::TearDown();
    }

    std::shared_ptr<RedisBus> bus_;
    std::vector<Message> got_;
};

TEST_F(RedisBusTest, StartsSubscribesPublishesAndCounts) {
    bus_ = make_bus(options());
    bool channel_ok = false;
    bool pattern_ok = false;
    bus_->subscribe({"socket.io-request#/#"}, [&](bool ok) { channel_ok = ok; });  // before start: deferred
    bool ready_called = false;
    bus_->start([&] { ready_called = true; });
    ASSERT_TRUE(run_until(ioc_, [&] { return bus_->ready() && ready_called && channel_ok; }));
    bus_->psubscribe({"socket.io#/#*"}, [&](bool ok) { pattern_ok = ok; });
    EXPECT_FALSE(bus_->ready());  // a subscription in flight
    ASSERT_TRUE(run_until(ioc_, [&] { return pattern_ok && bus_->ready(); }));

    EXPECT_TRUE(bus_->publish("socket.io-request#/#", std::string("\x00\x01req", 5)));
    EXPECT_TRUE(bus_->publish("socket.io#/#room#", "bcast"));
    ASSERT_TRUE(run_until(ioc_, [&] { return got_.size() == 2; }));
    EXPECT_EQ(got_[0].channel, "socket.io-request#/#");
    EXPECT_EQ(got_[0].payload, std::string("\x00\x01req", 5));
    EXPECT_EQ(got_[1].pattern, "socket.io#/#*");
    EXPECT_EQ(got_[1].payload, "bcast");

    std::optional<std::int64_t> count;
    bus_->numsub("socket.io-request#/#", [&](error_code ec, std::int64_t n) {
        EXPECT_FALSE(ec);
        count = n;
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return count.has_value(); }));
    EXPECT_EQ(*count, 1);  // exactly one plain SUBSCRIBE per server (docs/protocol.md §4.1)

    bus_->unsubscribe({"socket.io-request#/#"});
    count.reset();
    run_until(
        ioc_, [] { return false; }, 50ms);
    bus_->numsub("socket.io-request#/#", [&](error_code, std::int64_t n) { count = n; });
    ASSERT_TRUE(run_until(ioc_, [&] { return count.has_value(); }));
    EXPECT_EQ(*count, 0);
    EXPECT_EQ(bus_->publish_failures(), 0u);
}

TEST_F(RedisBusTest, StartupHelperTimesOutWithAReason) {
    auto o = options();
    o.port = free_port();  // nobody there
    bus_ = make_bus(o);
    bus_->start();
    std::optional<error_code> result;
    auto start = std::chrono::steady_clock::now();
    bus_->wait_ready(400ms, [&](error_code ec) { result = ec; });
    ASSERT_TRUE(run_until(ioc_, [&] { return result.has_value(); }));
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(*result, redis_error::startup_timeout);
    EXPECT_GE(took, 380ms);
    EXPECT_NE(bus_->last_error().find("refused"), std::string::npos) << bus_->last_error();
    EXPECT_FALSE(bus_->publish("c", "p"));
}

TEST_F(RedisBusTest, BlockUntilReadyFromAnotherThread) {
    bus_ = make_bus(options());
    bus_->start();
    std::thread runner([this] {
        run_until(
            ioc_, [this] { return bus_->ready(); }, 5s);
    });
    auto ec = bus_->block_until_ready(5s);
    runner.join();
    EXPECT_FALSE(ec) << ec.message();
}

// Kill redis (crash), check fail-fast while down, restart it on the same port, and measure how
// long the bus takes to be ready again with its subscriptions restored.
TEST_F(RedisBusTest, ReconnectsAfterRestartAndRestoresSubscriptions) {
    auto o = options();
    o.command_timeout = 1000ms;  // defaults otherwise: max_backoff 500 ms
    bus_ = make_bus(o);
    int reconnects = 0;
    bus_->set_reconnect_handler([&] { ++reconnects; });
    bus_->subscribe({"socket.io-request#/#"});
    bus_->psubscribe({"socket.io#/#*"});
    bus_->start();
    ASSERT_TRUE(run_until(ioc_, [&] { return bus_->ready(); }));

    auto killed_at = std::chrono::steady_clock::now();
    server_->stop(SIGKILL);
    ASSERT_TRUE(run_until(
        ioc_, [&] { return !bus_->up(); }, 3s));
    auto detected = std::chrono::steady_clock::now() - killed_at;

    // Down: publish refuses at once and counts; commands fail fast, nothing queues.
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(bus_->publish("socket.io#/#", "lost"));
    EXPECT_FALSE(bus_->publish("socket.io#/#", "lost"));
    EXPECT_EQ(bus_->publish_failures(), 2u);
    std::optional<error_code> numsub_ec;
    bus_->numsub("socket.io-request#/#", [&](error_code ec, std::int64_t) { numsub_ec = ec; });
    ASSERT_TRUE(run_until(
        ioc_, [&] { return numsub_ec.has_value(); }, 1s));
    EXPECT_EQ(*numsub_ec, redis_error::not_connected);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);

    // Stay down long enough for the backoff to reach its cap (SIO_REDIS_DOWN_MS overrides, to
    // sample heal times at other phases of the backoff schedule 50, 150, 350, 750, 1550, 2550 ms).
    std::chrono::milliseconds down{1500};
    if (const char* env = std::getenv("SIO_REDIS_DOWN_MS")) {
        down = std::chrono::milliseconds(std::atoi(env));
    }
    run_until(
        ioc_, [] { return false; }, down);
    EXPECT_FALSE(bus_->ready());

    auto restarted_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(server_->start());
    auto listening_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(
        ioc_, [&] { return bus_->ready() && reconnects == 1; }, 5s));
    auto healed_at = std::chrono::steady_clock::now();

    // Messages flow again on the restored channel and pattern.
    EXPECT_TRUE(bus_->publish("socket.io-request#/#", "again"));
    EXPECT_TRUE(bus_->publish("socket.io#/#r#", "again-p"));
    ASSERT_TRUE(run_until(ioc_, [&] { return got_.size() == 2; }));
    auto flowing_at = std::chrono::steady_clock::now();
    EXPECT_EQ(got_[0].payload, "again");
    EXPECT_EQ(got_[1].payload, "again-p");
    EXPECT_EQ(got_[1].pattern, "socket.io#/#*");
    std::optional<std::int64_t> count;
    bus_->numsub("socket.io-request#/#", [&](error_code, std::int64_t n) { count = n; });
    ASSERT_TRUE(run_until(ioc_, [&] { return count.has_value(); }));
    EXPECT_EQ(*count, 1);

    auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    std::printf(
        "[ heal     ] loss detected %lld ms after kill; redis listening %lld ms after restart; "
        "bus ready %lld ms after redis listened (%lld ms after restart), messages flowing %lld ms "
        "after restart\n",
        static_cast<long long>(ms(detected)), static_cast<long long>(ms(listening_at - restarted_at)),
        static_cast<long long>(ms(healed_at - listening_at)), static_cast<long long>(ms(healed_at - restarted_at)),
        static_cast<long long>(ms(flowing_at - restarted_at)));
    EXPECT_LT(healed_at - listening_at, o.max_backoff + 500ms);
}

// SIGSTOP: connections stay up but nothing answers; the idle bus must notice via its PINGs
// and the command timeout, then heal after SIGCONT.
TEST_F(RedisBusTest, DetectsAHungRedisAndRecovers) {
    auto o = options();
    o.command_timeout = 300ms;
    o.connect_timeout = 300ms;
    bus_ = make_bus(o);
    bus_->subscribe({"c"});
    bus_->start();
    ASSERT_TRUE(run_until(ioc_, [&] { return bus_->ready(); }));
    server_->pause();
    auto paused_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(
        ioc_, [&] { return !bus_->up(); }, 4s));
    auto detected = std::chrono::steady_clock::now() - paused_at;
    EXPECT_LT(detected, RedisBus::kPingInterval + o.command_timeout + 500ms);
    EXPECT_NE(bus_->last_error().find("did not answer"), std::string::npos) << bus_->last_error();
    server_->resume();
    ASSERT_TRUE(run_until(
        ioc_, [&] { return bus_->ready(); }, 5s));
    EXPECT_TRUE(bus_->publish("c", "m"));
    ASSERT_TRUE(run_until(ioc_, [&] { return !got_.empty(); }));
    std::printf("[ hung     ] paused redis detected after %lld ms\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(detected).count()));
}

TEST_F(RedisBusTest, StopFailsWaitersAndSilencesHooks) {
    auto o = options();
    o.port = free_port();
    bus_ = make_bus(o);
    std::optional<bool> confirmed;
    bus_->subscribe({"x"}, [&](bool ok) { confirmed = ok; });
    std::optional<error_code> waited;
    bus_->start([] { ADD_FAILURE() << "never ready"; });
    bus_->wait_ready(5s, [&](error_code ec) { waited = ec; });
    run_until(
        ioc_, [] { return false; }, 100ms);
    bus_->stop();
    ASSERT_TRUE(confirmed.has_value());
    EXPECT_FALSE(*confirmed);
    ASSERT_TRUE(waited.has_value());
    EXPECT_EQ(*waited, redis_error::closed);
    EXPECT_FALSE(bus_->publish("x", "y"));
}

class RedisBusAuthTest : public RedisBusTest {
protected:
    std::vector<std::string> server_args() override { return {"--requirepass", "pw"}; }
};

TEST_F(RedisBusAuthTest, WrongPasswordKeepsRetryingWithTheReason) {
    auto o = options();
    o.password = "bad";
    bus_ = make_bus(o);
    bus_->start();
    std::optional<error_code> result;
    bus_->wait_ready(300ms, [&](error_code ec) { result = ec; });
    ASSERT_TRUE(run_until(ioc_, [&] { return result.has_value(); }));
    EXPECT_EQ(*result, redis_error::startup_timeout);
    EXPECT_NE(bus_->last_error().find("WRONGPASS"), std::string::npos) << bus_->last_error();
}

}  // namespace
}  // namespace sio::test
