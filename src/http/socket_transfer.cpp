#include "http/socket_transfer.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>

#include <sio/core/log.hpp>

namespace sio::http {
namespace {

/** A released descriptor in flight: closed if it never arrives (the loop stopped first). */
struct Descriptor {
    int fd = -1;
    asio::generic::stream_protocol protocol;
    Descriptor(int f, asio::generic::stream_protocol p) : fd(f), protocol(p) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

void transfer_socket(Socket socket, Executor to, std::function<void(Socket)> on_arrival) {
    boost::system::error_code ec;
    auto protocol = socket.local_endpoint(ec).protocol();
    if (ec) return;  // already closed by the peer: nothing to hand over
    auto fd = socket.release(ec);
    if (ec) {
        core::logger("http")->warn("cannot hand a connection to another loop: {}", ec.message());
        return;
    }
    auto moved = std::make_shared<Descriptor>(fd, protocol);
    asio::post(to, [to, moved, on_arrival = std::move(on_arrival)] {
        Socket arrived(to);
        boost::system::error_code assign_ec;
        arrived.assign(moved->protocol, moved->fd, assign_ec);
        if (assign_ec) return;  // the Descriptor closes it
        moved->fd = -1;
        on_arrival(std::move(arrived));
    });
}

}  // namespace sio::http
