#pragma once
// Accepts connections on a TCP endpoint or a Unix socket path and starts an HttpConnection
// for each.

#include <memory>
#include <string>
#include <variant>

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

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(Executor executor, std::shared_ptr<const Handler> handler);

    /** Binds and listens. Errors: address_in_use, access_denied, ... (reported, not thrown). */
    boost::system::error_code listen(const ListenAddress& address);
    /** The port actually bound (useful with port 0). */
    unsigned short port() const;
    void start();
    void stop();

private:
    void do_accept();

    Executor executor_;
    std::shared_ptr<const Handler> handler_;
    std::variant<std::monostate, asio::ip::tcp::acceptor, asio::local::stream_protocol::acceptor> acceptor_;
    std::string unix_path_;
};

}  // namespace sio::http
