#include "adapter/redis/redis_connection.hpp"

// RedisConnection against a real redis-server: commands, pipelining, pub/sub, AUTH/ACL,
// SELECT, timeouts and failure reporting.

#include <sys/socket.h>

#include <algorithm>
#include <string>
#include <vector>

#include "redis/redis_fixture.hpp"

namespace sio::test {
namespace {

using boost::system::error_code;

struct Message {
    std::string channel;
    std::string pattern;
    std::string payload;
};

class RedisConnectionTest : public RedisFixture {};

TEST_F(RedisConnectionTest, ConnectsAndAnswersPing) {
    auto conn = connect_ok(options());
    ASSERT_TRUE(conn->is_open());
    auto r = cmd(conn, {"PING"});
    EXPECT_EQ(r.type, RedisReply::Type::status);
    EXPECT_EQ(r.str, "PONG");
    auto missing = cmd(conn, {"GET", "no-such-key"});
    EXPECT_TRUE(missing.is_nil());
}

TEST_F(RedisConnectionTest, ErrorReplyIsServerErrorWithText) {
    auto conn = connect_ok(options());
    error_code ec;
    auto r = cmd(conn, {"NOSUCHCOMMAND", "x"}, &ec);
    EXPECT_EQ(ec, redis_error::server_error);
    EXPECT_TRUE(r.is_error());
    EXPECT_NE(r.str.find("unknown command"), std::string::npos) << r.str;
    EXPECT_TRUE(conn->is_open());  // an error reply does not hurt the connection
    EXPECT_EQ(cmd(conn, {"PING"}).str, "PONG");
}

TEST_F(RedisConnectionTest, PipelinedCommandsAnswerInOrder) {
    auto conn = connect_ok(options());
    constexpr int n = 2000;
    std::vector<int> order;
    std::vector<std::string> values(n);
    int failures = 0;
    for (int i = 0; i < n; ++i) {
        conn->command({"SET", "k" + std::to_string(i), "v" + std::to_string(i)}, [&, i](error_code ec, RedisReply r) {
            failures += (ec || r.str != "OK") ? 1 : 0;
            order.push_back(2 * i);
        });
        conn->command({"GET", "k" + std::to_string(i)}, [&, i](error_code ec, RedisReply r) {
            failures += ec ? 1 : 0;
            values[static_cast<std::size_t>(i)] = r.str;
            order.push_back(2 * i + 1);
        });
    }
    EXPECT_EQ(conn->pending(), 2u * n);  // all in flight at once, nothing answered yet
    ASSERT_TRUE(run_until(
        ioc_, [&] { return order.size() == 2u * n; }, 10s));
    EXPECT_EQ(failures, 0);
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    for (int i = 0; i < n; ++i) {
        ASSERT_EQ(values[static_cast<std::size_t>(i)], "v" + std::to_string(i));
    }
    EXPECT_EQ(conn->pending(), 0u);
}

TEST_F(RedisConnectionTest, BinarySafePublishSubscribe) {
    auto sub = connect_ok(options());
    auto pub = connect_ok(options());
    std::vector<Message> got;
    sub->set_message_handler([&](std::string_view c, std::string_view p, std::string_view m) {
        got.push_back({std::string(c), std::string(p), std::string(m)});
    });
    const std::string channel("bin\0ch\r\n#/#", 12);
    bool confirmed = false;
    sub->subscribe({channel}, [&](error_code ec, RedisReply) {
        EXPECT_FALSE(ec);
        confirmed = true;
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return confirmed; }));

    std::string payload;
    for (int i = 0; i < 256; ++i) {
        payload.push_back(static_cast<char>(i));
    }
    payload += "\r\n$3\r\n*1\r\n";
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>((i * 131) & 0xff);
    }
    auto receivers = cmd(pub, {"PUBLISH", channel, payload});
    EXPECT_EQ(receivers.integer, 1);
    cmd(pub, {"PUBLISH", channel, big});
    cmd(pub, {"PUBLISH", channel, ""});
    ASSERT_TRUE(run_until(ioc_, [&] { return got.size() == 3; }));
    EXPECT_EQ(got[0].channel, channel);
    EXPECT_TRUE(got[0].pattern.empty());
    EXPECT_EQ(got[0].payload, payload);
    EXPECT_EQ(got[1].payload, big);
    EXPECT_EQ(got[2].payload, "");

    // PING is allowed in subscriber mode and answered as ["pong", ""].
    auto pong = cmd(sub, {"PING"});
    EXPECT_EQ(pong.type, RedisReply::Type::array);

    bool unsubscribed = false;
    sub->unsubscribe({channel}, [&](error_code ec, RedisReply) {
        EXPECT_FALSE(ec);
        unsubscribed = true;
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return unsubscribed; }));
    EXPECT_EQ(cmd(pub, {"PUBLISH", channel, "x"}).integer, 0);
    EXPECT_EQ(cmd(sub, {"GET", "k"}).type, RedisReply::Type::nil);  // normal mode again
}

TEST_F(RedisConnectionTest, PatternSubscriptionDeliversPmessage) {
    auto sub = connect_ok(options());
    auto pub = connect_ok(options());
    std::vector<Message> got;
    sub->set_message_handler([&](std::string_view c, std::string_view p, std::string_view m) {
        got.push_back({std::string(c), std::string(p), std::string(m)});
    });
    bool confirmed = false;
    sub->psubscribe({"socket.io#/#*", "other#*"}, [&](error_code ec, RedisReply) {
        EXPECT_FALSE(ec);
        confirmed = true;
    });
    ASSERT_TRUE(run_until(ioc_, [&] { return confirmed; }));
    cmd(pub, {"PUBLISH", "socket.io#/#room1#", "a"});
    cmd(pub, {"PUBLISH", "socket.io#/#", "b"});  // the pattern also matches the bare channel
    cmd(pub, {"PUBLISH", "socket.io#/chat#", "c"});
    ASSERT_TRUE(run_until(ioc_, [&] { return got.size() == 2; }));
    run_until(
        ioc_, [] { return false; }, 100ms);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].channel, "socket.io#/#room1#");
    EXPECT_EQ(got[0].pattern, "socket.io#/#*");
    EXPECT_EQ(got[0].payload, "a");
    EXPECT_EQ(got[1].channel, "socket.io#/#");
    EXPECT_EQ(got[1].payload, "b");
}

TEST_F(RedisConnectionTest, NumsubCountsPlainSubscribersOnly) {
    auto a = connect_ok(options());
    auto b = connect_ok(options());
    auto p = connect_ok(options());
    auto admin = connect_ok(options());
    int confirmed = 0;
    auto done = [&](error_code ec, RedisReply) {
        EXPECT_FALSE(ec);
        ++confirmed;
    };
    a->subscribe({"socket.io-request#/#"}, done);
    b->subscribe({"socket.io-request#/#", "socket.io-request#/#"}, done);  // twice: still one
    p->psubscribe({"socket.io-request#*"}, done);
    ASSERT_TRUE(run_until(ioc_, [&] { return confirmed == 3; }));
    auto r = cmd(admin, {"PUBSUB", "NUMSUB", "socket.io-request#/#"});
    ASSERT_EQ(r.elements.size(), 2u);
    EXPECT_EQ(r.elements[1].integer, 2);
}

TEST_F(RedisConnectionTest, SelectDatabase) {
    auto o3 = options();
    o3.db = 3;
    auto db3 = connect_ok(o3);
    auto db0 = connect_ok(options());
    cmd(db3, {"SET", "where", "three"});
    EXPECT_TRUE(cmd(db0, {"GET", "where"}).is_nil());
    EXPECT_EQ(cmd(db3, {"GET", "where"}).str, "three");

    auto bad = options();
    bad.db = 99;
    auto c = connect(bad);
    EXPECT_EQ(c.ec, redis_error::select_failed);
    EXPECT_NE(c.conn->last_error().find("out of range"), std::string::npos) << c.conn->last_error();
    EXPECT_FALSE(c.conn->is_open());
}

TEST_F(RedisConnectionTest, AclUser) {
    auto admin = connect_ok(options());
    cmd(admin, {"ACL", "SETUSER", "u", "on", ">pw", "~*", "&*", "+@all"});
    auto o = options();
    o.username = "u";
    o.password = "pw";
    auto conn = connect_ok(o);
    EXPECT_EQ(cmd(conn, {"ACL", "WHOAMI"}).str, "u");

    o.password = "nope";
    auto c = connect(o);
    EXPECT_EQ(c.ec, redis_error::auth_failed);
    EXPECT_NE(c.conn->last_error().find("WRONGPASS"), std::string::npos) << c.conn->last_error();
}

TEST_F(RedisConnectionTest, RefusedConnectionReportsWhy) {
    auto o = options();
    o.port = free_port();
    auto c = connect(o);
    EXPECT_EQ(c.ec, boost::asio::error::connection_refused);
    EXPECT_NE(c.conn->last_error().find("refused"), std::string::npos) << c.conn->last_error();
    error_code ec;
    cmd(c.conn, {"PING"}, &ec);
    EXPECT_EQ(ec, redis_error::not_connected);
}

// A peer that accepts TCP (kernel backlog) but never answers: the AUTH reply never comes.
TEST_F(RedisConnectionTest, ConnectTimeoutWhenHandshakeHangs) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    auto o = options();
    o.port = ntohs(addr.sin_port);
    o.password = "x";
    o.connect_timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    auto c = connect(o);
    auto took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    EXPECT_EQ(c.ec, redis_error::connect_timeout);
    EXPECT_GE(took, 280ms);
    EXPECT_LT(took, 2s);
}

// SIGSTOP: the TCP connection stays up but Redis stops answering. Every pending command must
// fail once with command_timeout, and the close handler must run once.
TEST_F(RedisConnectionTest, CommandTimeoutWhenRedisStopsAnswering) {
    auto o = options();
    o.command_timeout = 300ms;
    auto conn = connect_ok(o);
    int closes = 0;
    error_code close_ec;
    conn->set_close_handler([&](error_code ec) {
        ++closes;
        close_ec = ec;
    });
    server_->pause();
    std::vector<error_code> results;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        conn->command({"INCR", "n"}, [&](error_code ec, RedisReply) { results.push_back(ec); });
    }
    ASSERT_TRUE(run_until(
        ioc_, [&] { return results.size() == 5 && closes == 1; }, 5s));
    auto took = std::chrono::steady_clock::now() - start;
    server_->resume();
    run_until(
        ioc_, [] { return false; }, 100ms);  // nothing more may arrive
    EXPECT_EQ(results.size(), 5u);
    EXPECT_EQ(closes, 1);
    EXPECT_EQ(close_ec, redis_error::command_timeout);
    for (auto ec : results) {
        EXPECT_EQ(ec, redis_error::command_timeout);
    }
    EXPECT_GE(took, 280ms);
    EXPECT_LT(took, 2s);
    EXPECT_FALSE(conn->is_open());
}

TEST_F(RedisConnectionTest, ServerDeathFailsEveryPendingCallbackOnce) {
    auto conn = connect_ok(options());
    int closes = 0;
    conn->set_close_handler([&](error_code) { ++closes; });
    server_->pause();
    std::vector<error_code> results;
    for (int i = 0; i < 100; ++i) {
        conn->command({"SET", "a", "b"}, [&](error_code ec, RedisReply) { results.push_back(ec); });
    }
    run_until(
        ioc_, [] { return false; }, 50ms);  // let the write go out
    server_->stop();
    ASSERT_TRUE(run_until(ioc_, [&] { return results.size() == 100 && closes == 1; }));
    run_until(
        ioc_, [] { return false; }, 50ms);
    EXPECT_EQ(results.size(), 100u);
    EXPECT_EQ(closes, 1);
    for (auto ec : results) {
        EXPECT_TRUE(ec);
    }
}

TEST_F(RedisConnectionTest, LocalCloseFailsPendingWithClosed) {
    auto conn = connect_ok(options());
    int closes = 0;
    conn->set_close_handler([&](error_code ec) {
        EXPECT_EQ(ec, redis_error::closed);
        ++closes;
    });
    std::vector<error_code> results;
    for (int i = 0; i < 3; ++i) {
        conn->command({"PING"}, [&](error_code ec, RedisReply) { results.push_back(ec); });
    }
    conn->close();
    conn->close();
    EXPECT_EQ(results.size(), 3u);
    EXPECT_EQ(closes, 1);
    for (auto ec : results) {
        EXPECT_EQ(ec, redis_error::closed);
    }
    ioc_.run_for(50ms);
}

class RedisAuthTest : public RedisFixture {
protected:
    std::vector<std::string> server_args() override { return {"--requirepass", "s3cret pass"}; }
};

TEST_F(RedisAuthTest, GoodPassword) {
    auto o = options();
    o.password = "s3cret pass";
    auto conn = connect_ok(o);
    EXPECT_EQ(cmd(conn, {"PING"}).str, "PONG");
}

TEST_F(RedisAuthTest, WrongPasswordIsAClearError) {
    auto o = options();
    o.password = "wrong";
    auto c = connect(o);
    EXPECT_EQ(c.ec, redis_error::auth_failed);
    EXPECT_FALSE(c.conn->is_open());
    EXPECT_NE(c.conn->last_error().find("AUTH failed: WRONGPASS"), std::string::npos) << c.conn->last_error();
}

TEST_F(RedisAuthTest, MissingPasswordGivesNoauthOnCommands) {
    auto conn = connect_ok(options());
    error_code ec;
    auto r = cmd(conn, {"GET", "x"}, &ec);
    EXPECT_EQ(ec, redis_error::server_error);
    EXPECT_NE(r.str.find("NOAUTH"), std::string::npos) << r.str;
}

}  // namespace
}  // namespace sio::test
