#pragma once
// Accepts connections on a TCP endpoint or a Unix socket path and starts an HttpConnection
// for each.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/system/error_code.hpp>

#include <sio/http/connection.hpp>

namespace sio::http {

/** Where to listen: host + TCP port, or a filesystem path for a Unix socket. */
struct ListenAddress {
    std::string host = "127.0.0.1";
    unsigned short port = 3000;
    std::string unix_path;  // non-empty: Unix socket, host/port unused

    std::string to_string() const;
};

/** A loop that accepted connections may be handed to, with the handler serving them there. */
struct ShardTarget {
    Executor executor;
    std::shared_ptr<const Handler> handler;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(Executor executor, std::shared_ptr<const Handler> handler);

    /** Hands accepted connections round-robin to `targets` (one per shard, this loop
        included); by default every connection stays on this loop. One acceptor feeding every
        shard rather than an SO_REUSEPORT socket per shard: a port shared that way can also be
        bound by any other process of the same user, which would then take part of the
        connections instead of failing with "already in use"; and Unix sockets work alike.
        Call before start(). */
    void spread_over(std::vector<ShardTarget> targets) { targets_ = std::move(targets); }

    /** Binds and listens. Errors: address_in_use, access_denied, ... (reported, not thrown). */
    boost::system::error_code listen(const ListenAddress& address);
    /** The port actually bound (useful with port 0). */
    unsigned short port() const;
    void start();
    void stop();

private:
    void do_accept();
    /** Starts serving an accepted connection on the next target loop. */
    void place(Socket socket, std::string remote_address);

    Executor executor_;
    std::shared_ptr<const Handler> handler_;
    std::variant<std::monostate, asio::ip::tcp::acceptor, asio::local::stream_protocol::acceptor> acceptor_;
    std::string unix_path_;
    std::vector<ShardTarget> targets_;
    std::size_t next_target_ = 0;
};

}  // namespace sio::http
