#pragma once
// RedisConnection: one RESP2 connection to Redis over an asio TCP socket. hiredis is used only
// for its reply reader (in the .cpp); commands are formatted here as RESP arrays of bulk strings.
//
// Threading: a connection lives on one executor (shard 0 for the bus) and every public method
// must be called on that executor's thread; completion callbacks run there too. No strand,
// no locks (docs/architecture.md "Threading": one thread per io_context).
//
// Lifetime: create() returns a shared_ptr; every pending asio operation holds one, so the
// connection stays alive while it has I/O in flight even if the caller drops its pointer.
// Callbacks are plain std::function and are each invoked exactly once.

#include <sio/adapter/redis_options.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

namespace sio::adapter {

/** An owning copy of one Redis reply (hiredis' redisReply converted, then freed).
    `str` holds the bytes of a bulk string, a status line or an error line (binary-safe). */
struct RedisReply {
    enum class Type { nil, integer, string, status, error, array };
    Type type = Type::nil;
    std::int64_t integer = 0;
    std::string str;
    std::vector<RedisReply> elements;

    bool is_nil() const noexcept { return type == Type::nil; }
    bool is_error() const noexcept { return type == Type::error; }
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    /** Command completion. `ec` is empty on success. A Redis error reply gives
        `redis_error::server_error` with the reply (its text in `str`); a transport failure,
        timeout or close gives that error and a nil reply. */
    using Callback = std::function<void(boost::system::error_code, RedisReply)>;
    using Done = std::function<void(boost::system::error_code)>;
    /** A `message` (pattern empty) or `pmessage` push. The views are valid only during the call. */
    using MessageHandler =
        std::function<void(std::string_view channel, std::string_view pattern, std::string_view payload)>;
    using CloseHandler = std::function<void(boost::system::error_code)>;

    static std::shared_ptr<RedisConnection> create(boost::asio::any_io_executor ex, RedisOptions opts);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    /** Resolves, connects, sends AUTH (when a password is set) and SELECT (when db != 0), all
        within `connect_timeout`. Call once. `on_connected({})` when the connection is usable;
        otherwise `on_connected(error)` (connect_timeout, auth_failed, select_failed, a system
        error such as connection_refused, or `closed` after close()) and the connection is dead;
        last_error() then has a human-readable reason (incl. the server's WRONGPASS text). */
    void connect(Done on_connected);

    /** Sends one command (a RESP array of binary-safe bulk strings). Commands are pipelined:
        many may be in flight, replies are matched in FIFO order, and all commands issued in
        one loop turn go out in one write. A reply not received within `command_timeout`
        fails the whole connection with command_timeout. Not connected (before connect()
        completed, or after close/failure): `cb(not_connected)` is posted, never run inline. */
    void command(std::vector<std::string> args, Callback cb);
    /** Same, without copying the arguments into strings first (publish hot path). */
    void command(std::span<const std::string_view> args, Callback cb);

    /** SUBSCRIBE / PSUBSCRIBE / UNSUBSCRIBE / PUNSUBSCRIBE with explicit names (an empty
        list completes at once with success). `on_confirmed({}, last confirmation)` once Redis
        has confirmed every name; on an error reply `on_confirmed(server_error, reply)` (e.g.
        NOPERM text), on a transport failure `on_confirmed(error, nil)`.
        While at least one subscription is active Redis accepts only these commands and PING
        (RESP2 rule), so use a dedicated connection; pushes go to the message handler. */
    void subscribe(std::vector<std::string> channels, Callback on_confirmed);
    void psubscribe(std::vector<std::string> patterns, Callback on_confirmed);
    void unsubscribe(std::vector<std::string> channels, Callback on_confirmed);
    void punsubscribe(std::vector<std::string> patterns, Callback on_confirmed);

    void set_message_handler(MessageHandler handler);
    /** Runs once, only for a connection that had connected successfully, when it ends for any
        reason (EOF, socket error, command timeout, protocol error, close()). Every pending
        callback has already failed once (with the same error) when it runs. */
    void set_close_handler(CloseHandler handler);

    /** Closes now: pending callbacks fail with redis_error::closed, then the close handler
        (or the connect callback when still connecting) runs. Idempotent. */
    void close();

    bool is_open() const noexcept { return state_ == State::open; }
    /** Commands sent (or queued) and not yet answered. */
    std::size_t pending() const noexcept { return pending_.size(); }
    /** Bytes formatted but not yet handed to the kernel. */
    std::size_t buffered_bytes() const noexcept { return out_.size() + writing_.size(); }
    /** Why the connection failed, for logs: "connect 127.0.0.1:6390: Connection refused". */
    const std::string& last_error() const noexcept { return last_error_; }

private:
    enum class State { idle, connecting, handshaking, open, closed };
    enum class Kind { command, subscribe_family };

    struct Pending {
        Callback cb;
        std::chrono::steady_clock::time_point deadline;
        std::size_t remaining = 1;  // replies still expected (one per name for (P)(UN)SUBSCRIBE)
        Kind kind = Kind::command;
    };

    RedisConnection(boost::asio::any_io_executor ex, RedisOptions opts);

    void do_resolve();
    void on_resolve(boost::system::error_code ec, boost::asio::ip::tcp::resolver::results_type results);
    void on_connect(boost::system::error_code ec, const boost::asio::ip::tcp::endpoint& ep);
    void do_handshake();
    void on_connect_timeout(boost::system::error_code ec);

    void enqueue(std::span<const std::string_view> args, Pending pending);
    void subscribe_family(std::string_view verb, std::vector<std::string> names, Callback cb);
    void reject(Callback cb, boost::system::error_code ec);
    void schedule_write();
    void do_write();
    void on_write(boost::system::error_code ec, std::size_t bytes);

    void do_read();
    void on_read(boost::system::error_code ec, std::size_t bytes);
    bool on_reply(void* reply);  // takes ownership of a redisReply; false when the connection failed

    void arm_deadline();
    void on_deadline(boost::system::error_code ec);

    void fail(boost::system::error_code ec, std::string why = {});

    boost::asio::any_io_executor ex_;
    RedisOptions opts_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer connect_timer_;
    boost::asio::steady_timer deadline_timer_;
    State state_ = State::idle;
    bool deadline_armed_ = false;
    bool write_scheduled_ = false;
    bool write_in_flight_ = false;
    bool subscribed_ = false;  // Redis has us in pub/sub mode: arrays may be pushes
    std::string out_;          // commands formatted during this loop turn
    std::string writing_;      // the buffer of the write in flight
    std::vector<char> read_buf_;
    void* reader_ = nullptr;  // redisReader*, opaque to keep hiredis out of this header
    std::deque<Pending> pending_;
    Done on_connected_;
    CloseHandler on_close_;
    MessageHandler on_message_;
    std::string last_error_;
};

}  // namespace sio::adapter
