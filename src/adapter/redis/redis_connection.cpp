#include "adapter/redis/redis_connection.hpp"

// Flow of one connection:
//   connect() -> do_resolve -> on_resolve -> on_connect -> (read loop starts) do_handshake:
//   AUTH / SELECT pipelined like any command -> last handshake reply -> state open, on_connected.
// Commands: enqueue() formats RESP into out_ and records a Pending with its deadline; the write
// is posted once per loop turn (Redis "cork"), so a burst of commands becomes one write.
// Replies: the read loop feeds hiredis' reader; each complete reply is either a pub/sub push
// (message/pmessage, routed to the message handler) or the answer to pending_.front().
// Failure: fail() is the single exit: it closes the socket, fails every pending callback once,
// then runs on_connected (if still connecting) or on_close (if it had connected) once.

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <sio/core/log.hpp>

namespace sio::adapter {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

auto& log() {
    static auto logger = sio::core::logger("redis");
    return logger;
}

struct ReplyDeleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

std::string_view view(const redisReply* r) noexcept {
    return r->str != nullptr ? std::string_view(r->str, r->len) : std::string_view{};
}

RedisReply convert(const redisReply* r) {
    RedisReply out;
    switch (r->type) {
        case REDIS_REPLY_STRING:
            out.type = RedisReply::Type::string;
            out.str = view(r);
            break;
        case REDIS_REPLY_STATUS:
            out.type = RedisReply::Type::status;
            out.str = view(r);
            break;
        case REDIS_REPLY_ERROR:
            out.type = RedisReply::Type::error;
            out.str = view(r);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = RedisReply::Type::integer;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = RedisReply::Type::array;
            out.elements.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i) {
                out.elements.push_back(convert(r->element[i]));
            }
            break;
        default:  // REDIS_REPLY_NIL
            break;
    }
    return out;
}

bool is_text(const redisReply* r, std::string_view s) noexcept {
    return (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) && view(r) == s;
}

// RESP2 pub/sub pushes: ["message", channel, payload] and ["pmessage", pattern, channel, payload].
bool is_push(const redisReply* r) noexcept {
    if (r->type != REDIS_REPLY_ARRAY) {
        return false;
    }
    return (r->elements == 3 && is_text(r->element[0], "message")) ||
           (r->elements == 4 && is_text(r->element[0], "pmessage"));
}

// A RESP array of bulk strings: binary-safe, no quoting (what redisFormatCommandArgv makes,
// without its malloc per command).
void append_command(std::string& out, std::span<const std::string_view> args) {
    fmt::format_to(std::back_inserter(out), "*{}\r\n", args.size());
    for (std::string_view arg : args) {
        fmt::format_to(std::back_inserter(out), "${}\r\n", arg.size());
        out.append(arg);
        out.append("\r\n");
    }
}

// Above this, a write buffer's capacity is released after use instead of kept for reuse.
constexpr std::size_t kKeepBufferCapacity = 1 << 20;
constexpr std::size_t kReadChunk = 16 * 1024;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction

std::shared_ptr<RedisConnection> RedisConnection::create(boost::asio::any_io_executor ex, RedisOptions opts) {
    return std::shared_ptr<RedisConnection>(new RedisConnection(std::move(ex), std::move(opts)));
}

RedisConnection::RedisConnection(boost::asio::any_io_executor ex, RedisOptions opts)
    : ex_(std::move(ex)),
      opts_(std::move(opts)),
      resolver_(ex_),
      socket_(ex_),
      connect_timer_(ex_),
      deadline_timer_(ex_),
      read_buf_(kReadChunk),
      reader_(redisReaderCreate()) {}

RedisConnection::~RedisConnection() {
    if (reader_ != nullptr) {
        redisReaderFree(static_cast<redisReader*>(reader_));
    }
}

void RedisConnection::set_message_handler(MessageHandler handler) {
    on_message_ = std::move(handler);
}

void RedisConnection::set_close_handler(CloseHandler handler) {
    on_close_ = std::move(handler);
}

// ---------------------------------------------------------------------------------------------
// Connect: resolve, TCP connect, AUTH, SELECT, all under one connect_timeout

void RedisConnection::connect(Done on_connected) {
    if (state_ != State::idle) {
        asio::post(ex_, [cb = std::move(on_connected)] { cb(make_error_code(redis_error::closed)); });
        return;
    }
    if (reader_ == nullptr) {  // redisReaderCreate only fails on out-of-memory
        state_ = State::closed;
        last_error_ = "cannot allocate the reply reader";
        asio::post(ex_, [cb = std::move(on_connected)] { cb(make_error_code(redis_error::protocol_error)); });
        return;
    }
    on_connected_ = std::move(on_connected);
    state_ = State::connecting;
    connect_timer_.expires_after(opts_.connect_timeout);
    connect_timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_connect_timeout(ec); });
    do_resolve();
}

void RedisConnection::do_resolve() {
    resolver_.async_resolve(opts_.host, std::to_string(opts_.port),
                            [self = shared_from_this()](error_code ec, asio::ip::tcp::resolver::results_type r) {
                                self->on_resolve(ec, std::move(r));
                            });
}

void RedisConnection::on_resolve(error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (state_ != State::connecting) {
        return;  // timed out or closed meanwhile; fail() already reported
    }
    if (ec) {
        fail(ec, fmt::format("resolve {}: {}", opts_.host, ec.message()));
        return;
    }
    asio::async_connect(socket_, results, [self = shared_from_this()](error_code e, const asio::ip::tcp::endpoint& ep) {
        self->on_connect(e, ep);
    });
}

void RedisConnection::on_connect(error_code ec, const asio::ip::tcp::endpoint& /*ep*/) {
    if (state_ != State::connecting) {
        return;
    }
    if (ec) {
        fail(ec, fmt::format("connect {}:{}: {}", opts_.host, opts_.port, ec.message()));
        return;
    }
    error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);  // small commands, latency matters
    socket_.set_option(asio::socket_base::keep_alive(true), ignored);
    state_ = State::handshaking;
    do_read();
    do_handshake();
}

// AUTH and SELECT go through the normal pipeline; only the last one's success opens the
// connection. An error reply to either fails the connect with a specific code and the
// server's text (WRONGPASS, NOPERM, "DB index is out of range").
void RedisConnection::do_handshake() {
    auto finish = [this] {
        if (state_ != State::handshaking) {
            return;
        }
        connect_timer_.cancel();
        state_ = State::open;
        if (auto cb = std::exchange(on_connected_, nullptr)) {
            cb({});
        }
    };
    const bool auth = !opts_.password.empty();
    const bool select = opts_.db != 0;
    if (auth) {
        std::vector<std::string_view> args{"AUTH"};
        if (!opts_.username.empty()) {
            args.push_back(opts_.username);
        }
        args.push_back(opts_.password);
        Pending p;
        p.cb = [this, self = shared_from_this(), select, finish](error_code ec, RedisReply reply) {
            if (ec == redis_error::server_error) {
                fail(make_error_code(redis_error::auth_failed), fmt::format("AUTH failed: {}", reply.str));
            } else if (!ec && !select) {
                finish();
            }
        };
        enqueue(args, std::move(p));
    }
    if (select) {
        std::string db = std::to_string(opts_.db);
        std::string_view args[] = {"SELECT", db};
        Pending p;
        p.cb = [this, self = shared_from_this(), finish](error_code ec, RedisReply reply) {
            if (ec == redis_error::server_error) {
                fail(make_error_code(redis_error::select_failed),
                     fmt::format("SELECT {} failed: {}", opts_.db, reply.str));
            } else if (!ec) {
                finish();
            }
        };
        enqueue(args, std::move(p));
    }
    if (!auth && !select) {
        finish();
    }
}

void RedisConnection::on_connect_timeout(error_code ec) {
    if (ec || (state_ != State::connecting && state_ != State::handshaking)) {
        return;
    }
    fail(make_error_code(redis_error::connect_timeout),
         fmt::format("connect {}:{}: no connection within {} ms", opts_.host, opts_.port,
                     opts_.connect_timeout.count()));
}

// ---------------------------------------------------------------------------------------------
// Commands and the write path

void RedisConnection::command(std::vector<std::string> args, Callback cb) {
    std::vector<std::string_view> views(args.begin(), args.end());
    command(std::span<const std::string_view>(views), std::move(cb));
}

void RedisConnection::command(std::span<const std::string_view> args, Callback cb) {
    if (state_ != State::open) {
        reject(std::move(cb), make_error_code(redis_error::not_connected));
        return;
    }
    Pending p;
    p.cb = std::move(cb);
    enqueue(args, std::move(p));
}

void RedisConnection::subscribe(std::vector<std::string> channels, Callback on_confirmed) {
    subscribe_family("SUBSCRIBE", std::move(channels), std::move(on_confirmed));
}

void RedisConnection::psubscribe(std::vector<std::string> patterns, Callback on_confirmed) {
    subscribe_family("PSUBSCRIBE", std::move(patterns), std::move(on_confirmed));
}

void RedisConnection::unsubscribe(std::vector<std::string> channels, Callback on_confirmed) {
    subscribe_family("UNSUBSCRIBE", std::move(channels), std::move(on_confirmed));
}

void RedisConnection::punsubscribe(std::vector<std::string> patterns, Callback on_confirmed) {
    subscribe_family("PUNSUBSCRIBE", std::move(patterns), std::move(on_confirmed));
}

// Redis confirms each name of a (P)(UN)SUBSCRIBE with its own reply, so one Pending expects
// names.size() replies. (UN)SUBSCRIBE without names would give an unknown number of replies:
// callers must always pass names.
void RedisConnection::subscribe_family(std::string_view verb, std::vector<std::string> names, Callback cb) {
    if (state_ != State::open) {
        reject(std::move(cb), make_error_code(redis_error::not_connected));
        return;
    }
    if (names.empty()) {
        reject(std::move(cb), {});
        return;
    }
    std::vector<std::string_view> args;
    args.reserve(names.size() + 1);
    args.push_back(verb);
    args.insert(args.end(), names.begin(), names.end());
    Pending p;
    p.cb = std::move(cb);
    p.kind = Kind::subscribe_family;
    p.remaining = names.size();
    enqueue(args, std::move(p));
}

// Callbacks never run inside the call that was given them.
void RedisConnection::reject(Callback cb, error_code ec) {
    asio::post(ex_, [cb = std::move(cb), ec] { cb(ec, RedisReply{}); });
}

void RedisConnection::enqueue(std::span<const std::string_view> args, Pending pending) {
    append_command(out_, args);
    pending.deadline = std::chrono::steady_clock::now() + opts_.command_timeout;
    pending_.push_back(std::move(pending));
    arm_deadline();
    schedule_write();
}

// One write per loop turn: everything enqueued before the posted do_write runs goes together.
void RedisConnection::schedule_write() {
    if (write_scheduled_ || write_in_flight_) {
        return;  // on_write picks up out_ when the write in flight completes
    }
    write_scheduled_ = true;
    asio::post(ex_, [self = shared_from_this()] {
        self->write_scheduled_ = false;
        self->do_write();
    });
}

void RedisConnection::do_write() {
    if (write_in_flight_ || out_.empty() || (state_ != State::open && state_ != State::handshaking)) {
        return;
    }
    writing_.swap(out_);
    out_.clear();
    write_in_flight_ = true;
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this()](error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void RedisConnection::on_write(error_code ec, std::size_t /*bytes*/) {
    write_in_flight_ = false;
    if (writing_.capacity() > kKeepBufferCapacity) {
        std::string().swap(writing_);
    } else {
        writing_.clear();
    }
    if (ec) {
        fail(ec, fmt::format("write to {}:{}: {}", opts_.host, opts_.port, ec.message()));
        return;
    }
    do_write();
}

// ---------------------------------------------------------------------------------------------
// The read path: hiredis' reader splits the byte stream into replies

void RedisConnection::do_read() {
    socket_.async_read_some(asio::buffer(read_buf_),
                            [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void RedisConnection::on_read(error_code ec, std::size_t bytes) {
    if (state_ == State::closed) {
        return;
    }
    if (ec) {
        if (ec == asio::error::eof) {
            fail(make_error_code(redis_error::connection_closed),
                 fmt::format("{}:{} closed the connection", opts_.host, opts_.port));
        } else {
            fail(ec, fmt::format("read from {}:{}: {}", opts_.host, opts_.port, ec.message()));
        }
        return;
    }
    auto* reader = static_cast<redisReader*>(reader_);
    if (redisReaderFeed(reader, read_buf_.data(), bytes) != REDIS_OK) {
        fail(make_error_code(redis_error::protocol_error), fmt::format("bad reply: {}", reader->errstr));
        return;
    }
    for (;;) {
        void* reply = nullptr;
        if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
            fail(make_error_code(redis_error::protocol_error), fmt::format("bad reply: {}", reader->errstr));
            return;
        }
        if (reply == nullptr) {
            break;  // need more bytes
        }
        if (!on_reply(reply)) {
            return;  // a callback closed us, or the reply was unexpected
        }
    }
    do_read();
}

bool RedisConnection::on_reply(void* raw) {
    ReplyPtr reply(static_cast<redisReply*>(raw));
    const redisReply* r = reply.get();
    if (subscribed_ && is_push(r)) {
        if (on_message_) {
            if (r->elements == 3) {
                on_message_(view(r->element[1]), {}, view(r->element[2]));
            } else {
                on_message_(view(r->element[2]), view(r->element[1]), view(r->element[3]));
            }
        }
        return state_ != State::closed;
    }
    if (pending_.empty()) {
        fail(make_error_code(redis_error::protocol_error), "reply without a pending command");
        return false;
    }
    Pending& front = pending_.front();
    error_code ec;
    if (r->type == REDIS_REPLY_ERROR) {
        ec = make_error_code(redis_error::server_error);  // one error reply answers the whole command
    } else if (front.kind == Kind::subscribe_family) {
        // ["subscribe"|"psubscribe"|"unsubscribe"|"punsubscribe", name, active subscription count]
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[2]->type == REDIS_REPLY_INTEGER) {
            subscribed_ = r->element[2]->integer > 0;
        }
        if (--front.remaining > 0) {
            return true;
        }
    }
    Callback cb = std::move(front.cb);
    pending_.pop_front();
    if (cb) {
        cb(ec, convert(r));
    }
    return state_ != State::closed;
}

// ---------------------------------------------------------------------------------------------
// Command timeout: replies come in order, so only the oldest pending command's deadline
// matters. One timer; it is re-armed lazily for the next oldest when it fires early.

void RedisConnection::arm_deadline() {
    if (deadline_armed_ || pending_.empty()) {
        return;
    }
    deadline_armed_ = true;
    deadline_timer_.expires_at(pending_.front().deadline);
    deadline_timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_deadline(ec); });
}

void RedisConnection::on_deadline(error_code /*ec*/) {
    deadline_armed_ = false;
    if (state_ == State::closed || pending_.empty()) {
        return;
    }
    if (pending_.front().deadline <= std::chrono::steady_clock::now()) {
        fail(make_error_code(redis_error::command_timeout),
             fmt::format("{}:{} did not answer within {} ms", opts_.host, opts_.port, opts_.command_timeout.count()));
        return;
    }
    arm_deadline();
}

// ---------------------------------------------------------------------------------------------
// The single exit

void RedisConnection::close() {
    fail(make_error_code(redis_error::closed), "closed locally");
}

void RedisConnection::fail(error_code ec, std::string why) {
    if (state_ == State::closed) {
        return;
    }
    const bool was_open = state_ == State::open;
    state_ = State::closed;
    last_error_ = why.empty() ? ec.message() : std::move(why);
    if (ec != redis_error::closed) {
        log()->debug("{}:{} connection failed: {}", opts_.host, opts_.port, last_error_);
    }
    error_code ignored;
    resolver_.cancel();
    connect_timer_.cancel();
    deadline_timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    out_.clear();  // writing_ may still be referenced by the aborted write; on_write clears it
    subscribed_ = false;
    // Callbacks may call back into this object (command() now posts not_connected), so the
    // queue is moved out before any of them runs.
    auto pending = std::exchange(pending_, {});
    for (auto& p : pending) {
        if (p.cb) {
            p.cb(ec, RedisReply{});
        }
    }
    if (!was_open) {
        if (auto cb = std::exchange(on_connected_, nullptr)) {
            cb(ec);
        }
    } else if (auto cb = std::exchange(on_close_, nullptr)) {
        cb(ec);
    }
    on_close_ = nullptr;
}

}  // namespace sio::adapter
