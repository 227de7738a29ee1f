// Listener: one acceptor (TCP or Unix socket), one HttpConnection per accepted socket.
// Accept errors such as EMFILE are logged and retried after a pause instead of spinning.

#include <sio/http/listener.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>

#include <sio/core/log.hpp>

#include "http/socket_transfer.hpp"

namespace sio::http {
namespace {

auto log() {
    static auto logger = core::logger("http");
    return logger;
}

}  // namespace

std::string ListenAddress::to_string() const {
    if (!unix_path.empty()) return "unix:" + unix_path;
    return "http://" + host + ":" + std::to_string(port);
}

Listener::Listener(Executor executor, std::shared_ptr<const Handler> handler)
    : executor_(std::move(executor)), handler_(std::move(handler)) {}

boost::system::error_code Listener::listen(const ListenAddress& address) {
    boost::system::error_code ec;
    if (!address.unix_path.empty()) {
        asio::local::stream_protocol::acceptor acceptor(executor_);
        asio::local::stream_protocol::endpoint endpoint(address.unix_path);
        // A socket file left by a crashed process would make bind fail; only remove it when
        // nobody answers on it.
        struct stat st {};
        if (::stat(address.unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
            asio::local::stream_protocol::socket probe(executor_);
            boost::system::error_code probe_ec;
            probe.connect(endpoint, probe_ec);
            if (!probe_ec) return asio::error::address_in_use;
            ::unlink(address.unix_path.c_str());
        }
        if (acceptor.open(endpoint.protocol(), ec); ec) return ec;
        if (acceptor.bind(endpoint, ec); ec) return ec;
        if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return ec;
        acceptor_.emplace<asio::local::stream_protocol::acceptor>(std::move(acceptor));
        unix_path_ = address.unix_path;
        return {};
    }
    auto ip = asio::ip::make_address(address.host, ec);
    if (ec) return ec;
    asio::ip::tcp::endpoint endpoint(ip, address.port);
    asio::ip::tcp::acceptor acceptor(executor_);
    if (acceptor.open(endpoint.protocol(), ec); ec) return ec;
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (acceptor.bind(endpoint, ec); ec) return ec;
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return ec;
    acceptor_.emplace<asio::ip::tcp::acceptor>(std::move(acceptor));
    return {};
}

unsigned short Listener::port() const {
    if (auto* tcp = std::get_if<asio::ip::tcp::acceptor>(&acceptor_)) {
        boost::system::error_code ec;
        return tcp->local_endpoint(ec).port();
    }
    return 0;
}

void Listener::start() {
    do_accept();
}

void Listener::do_accept() {
    auto retry_later = [self = shared_from_this()](const boost::system::error_code& ec) {
        log()->warn("accept failed: {}; retrying in 100 ms", ec.message());
        auto timer = std::make_shared<asio::steady_timer>(self->executor_, std::chrono::milliseconds(100));
        timer->async_wait([self, timer](boost::system::error_code) { self->do_accept(); });
    };
    if (auto* tcp = std::get_if<asio::ip::tcp::acceptor>(&acceptor_)) {
        if (!tcp->is_open()) return;
        tcp->async_accept(executor_,
                          [self = shared_from_this(), retry_later](
                              boost::system::error_code ec, asio::basic_stream_socket<asio::ip::tcp, Executor> socket) {
                              if (ec == asio::error::operation_aborted) return;
                              if (ec) return retry_later(ec);
                              boost::system::error_code ignored;
                              socket.set_option(asio::ip::tcp::no_delay(true), ignored);
                              auto remote = socket.remote_endpoint(ignored).address().to_string();
                              self->place(Socket(std::move(socket)), std::move(remote));
                              self->do_accept();
                          });
    } else if (auto* local = std::get_if<asio::local::stream_protocol::acceptor>(&acceptor_)) {
        if (!local->is_open()) return;
        local->async_accept(executor_, [self = shared_from_this(), retry_later](
                                           boost::system::error_code ec,
                                           asio::basic_stream_socket<asio::local::stream_protocol, Executor> socket) {
            if (ec == asio::error::operation_aborted) return;
            if (ec) return retry_later(ec);
            self->place(Socket(std::move(socket)), std::string("unix"));
            self->do_accept();
        });
    }
}

void Listener::place(Socket socket, std::string remote_address) {
    Executor to = executor_;
    auto handler = handler_;
    if (!targets_.empty()) {
        const auto& target = targets_[next_target_++ % targets_.size()];
        to = target.executor;
        handler = target.handler;
    }
    if (to == executor_) {
        std::make_shared<HttpConnection>(std::move(socket), std::move(remote_address), std::move(handler))->start();
        return;
    }
    transfer_socket(std::move(socket), to,
                    [remote_address = std::move(remote_address), handler = std::move(handler)](Socket arrived) mutable {
                        std::make_shared<HttpConnection>(std::move(arrived), std::move(remote_address),
                                                         std::move(handler))
                            ->start();
                    });
}

void Listener::stop() {
    boost::system::error_code ignored;
    if (auto* tcp = std::get_if<asio::ip::tcp::acceptor>(&acceptor_)) tcp->close(ignored);
    if (auto* local = std::get_if<asio::local::stream_protocol::acceptor>(&acceptor_)) {
        local->close(ignored);
        if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
    }
}

}  // namespace sio::http
