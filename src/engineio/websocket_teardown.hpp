#pragma once
// Closing-handshake teardown for WebSocket streams over our protocol-neutral socket.
//
// Why this exists: Boost 1.81's generic async_teardown (boost/beast/websocket/impl/teardown.hpp)
// tests the `bytes_transferred` argument of its own operator() instead of what read_some
// returned, so when the peer's data is already waiting it stops draining after one read and
// closes a socket with unread bytes. The kernel then answers with RST, which can destroy the
// close frame we just sent: a client whose oversize message we refuse sees 1006 instead of 1009
// (reproduced: 48 of 60 tries). This overload, found by argument-dependent lookup and more
// specialised than Beast's template, drains until the peer closes (or Beast's close timeout
// cancels the socket), then closes.

#include <array>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/error_code.hpp>

namespace sio::engineio::detail {

template <class Handler>
struct TeardownState {
    boost::asio::generic::stream_protocol::socket& socket;
    Handler handler;
    std::array<char, 2048> buffer{};
};

template <class Handler>
void drain_then_close(std::shared_ptr<TeardownState<Handler>> state) {
    auto& socket = state->socket;
    auto buffer = boost::asio::buffer(state->buffer);
    socket.async_read_some(buffer, [state = std::move(state)](boost::system::error_code ec, std::size_t) mutable {
        if (!ec) {
            drain_then_close(std::move(state));
            return;
        }
        boost::system::error_code ignored;
        state->socket.close(ignored);
        auto handler = std::move(state->handler);
        handler(ec == boost::asio::error::eof ? boost::system::error_code{} : ec);
    });
}

}  // namespace sio::engineio::detail

namespace boost::asio::generic {

/** Beast's teardown customisation point for `generic::stream_protocol::socket`. */
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, stream_protocol::socket& socket, TeardownHandler&& handler) {
    using State = sio::engineio::detail::TeardownState<std::decay_t<TeardownHandler>>;
    if (role == boost::beast::role_type::server) {
        boost::system::error_code ignored;
        socket.shutdown(socket_base::shutdown_send, ignored);
    }
    // Always completes through an asynchronous read, never inline, as Beast requires.
    sio::engineio::detail::drain_then_close(
        std::make_shared<State>(State{socket, std::forward<TeardownHandler>(handler), {}}));
}

}  // namespace boost::asio::generic
