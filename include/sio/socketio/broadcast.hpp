#pragma once
// BroadcastOperator: an immutable value built by to()/except()/local()/volatile_()/timeout()
// (socket.io's BroadcastOperator). Each call returns a new operator; emit() hands one packet
// to the namespace adapter, which encodes it once for all recipients.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/system_executor.hpp>

#include <sio/socketio/adapter.hpp>
#include <sio/socketio/error.hpp>
#include <sio/socketio/make_payload.hpp>
#include <sio/socketio/payload.hpp>
#include <sio/socketio/reserved_events.hpp>

namespace sio::socketio {

class Namespace;
class RemoteSocket;

namespace detail {
/** `handler` as a copyable std::function that completes on the handler's executor (Asio
    handlers may be move-only: use_awaitable's is). */
template <class... Results, class Handler>
std::function<void(Results...)> completion_function(Handler handler, const boost::asio::any_io_executor& fallback) {
    auto executor = boost::asio::get_associated_executor(handler, fallback);
    auto shared = std::make_shared<Handler>(std::move(handler));
    return [shared, executor](Results... results) {
        boost::asio::dispatch(executor, [shared, ... results = std::move(results)]() mutable {
            std::move (*shared)(std::move(results)...);
        });
    };
}

/** A plain callback taking `Args` and returning void (not a completion token such as
    use_future, whose call operator wraps a function and returns a new token). */
template <class Token, class... Args>
constexpr bool is_plain_callback() {
    if constexpr (std::is_invocable_v<std::decay_t<Token>&, Args...>)
        return std::is_void_v<std::invoke_result_t<std::decay_t<Token>&, Args...>>;
    else
        return false;
}
template <class Token, class... Args>
inline constexpr bool is_legacy_callback_v = is_plain_callback<Token, Args...>();
}  // namespace detail

/** Result of a broadcast with acknowledgements: `timed_out` false when every targeted client
    answered; `responses` holds the first argument of each client's ack (partial on timeout).
    `error` is set when the cluster could not be asked how many instances there are (a
    cluster adapter whose backend is down: e.g. sio::adapter::cluster_errc::unavailable); the
    result is then delivered at once with the responses received so far. */
struct BroadcastAckResult {
    bool timed_out = false;
    std::vector<boost::json::value> responses;
    ErrorCode error{};
};

class BroadcastOperator {
public:
    /** `exclude_sid`: a socket that never receives (socket.broadcast / socket.to()). */
    explicit BroadcastOperator(Namespace& nsp, std::string exclude_sid = {});

    BroadcastOperator to(std::string room) const;
    BroadcastOperator to(const std::vector<std::string>& rooms) const;
    BroadcastOperator in(std::string room) const { return to(std::move(room)); }
    BroadcastOperator except(std::string room) const;
    BroadcastOperator except(const std::vector<std::string>& rooms) const;
    BroadcastOperator local() const;
    BroadcastOperator volatile_() const;
    BroadcastOperator timeout(std::chrono::milliseconds ms) const;
    /** Accepted for compatibility; sio does not compress messages. */
    BroadcastOperator compress(bool) const { return *this; }

    /** Emits to every target, the packet encoded once. Returns false (and sends nothing) for a
        reserved event name. */
    bool emit(std::string_view event, Payload args = {}) const;
    /** `emit("ev", 1, "two", obj, Binary{...})`, the arguments converted as for Socket::emit. */
    template <class... Args>
    requires(sizeof...(Args) > 0 && !is_single_payload_v<Args...>) bool emit(std::string_view event,
                                                                             Args&&... args) const {
        return emit(event, make_payload(std::forward<Args>(args)...));
    }

    /** `emit_with_ack("ev", args..., token)`: completion `void(ErrorCode, std::vector<json::value>)`
        with the first argument of each client's ack; ErrorCode is ack_errc::timeout when some
        client did not answer in time (the responses so far are still given), ack_errc::not_sent
        for a reserved name, or the adapter's error when the cluster cannot be asked. */
    template <class... Args>
    requires(sizeof...(Args) >= 1) auto emit_with_ack(std::string_view event, Args&&... args_then_token) const;

    /** Emits with one ack id; `done` runs once, when every target answered or at the timeout
        (default 2000 ms when timeout() was not called), or at once with `error` set when the
        adapter's server_count() fails. With no target at all it may run before this call
        returns. Responses are the first argument of each client's ack. */
    bool emit_with_ack_result(std::string_view event, Payload args, std::function<void(BroadcastAckResult)> done) const;

    /** fetchSockets as plain data (what the REST API and the cluster protocol use). */
    void fetch_sockets(std::function<void(ErrorCode, std::vector<SocketInfo>)> done) const;
    /** fetchSockets: `fetch_sockets(token)` completes with `void(ErrorCode, std::vector<RemoteSocket>)`
        (include <sio/socketio/remote_socket.hpp>). */
    template <class Token>
    requires(!detail::is_legacy_callback_v<Token, ErrorCode, std::vector<SocketInfo>>) auto fetch_sockets(
        Token&& token) const;
    void fetch_remote_sockets(std::function<void(ErrorCode, std::vector<RemoteSocket>)> done) const;
    void sockets_join(const std::vector<std::string>& rooms) const;
    void sockets_leave(const std::vector<std::string>& rooms) const;
    void disconnect_sockets(bool close = false) const;

    const BroadcastOptions& options() const noexcept { return opts_; }

    Namespace& nsp() const noexcept { return *nsp_; }
    boost::asio::any_io_executor executor() const;

private:
    Namespace* nsp_;
    BroadcastOptions opts_;
};

template <class... Args>
requires(sizeof...(Args) >= 1) auto BroadcastOperator::emit_with_ack(std::string_view event,
                                                                     Args&&... args_then_token) const {
    auto all = std::forward_as_tuple(std::forward<Args>(args_then_token)...);
    constexpr std::size_t n = sizeof...(Args) - 1;
    using Token = std::tuple_element_t<n, std::tuple<Args&&...>>;
    if constexpr (n == 1 && detail::is_legacy_callback_v<Token, BroadcastAckResult>) {
        // emit_with_ack(event, Payload, [](BroadcastAckResult) {...}): the plain callback form.
        return emit_with_ack_result(
            event, make_payload(std::forward<std::tuple_element_t<0, std::tuple<Args&&...>>>(std::get<0>(all))),
            std::get<1>(all));
    } else {
        Payload payload = [&]<std::size_t... I>(std::index_sequence<I...>) {
            return make_payload(std::forward<std::tuple_element_t<I, std::tuple<Args&&...>>>(std::get<I>(all))...);
        }
        (std::make_index_sequence<n>{});
        using Signature = void(ErrorCode, std::vector<boost::json::value>);
        return boost::asio::async_initiate<Token, Signature>(
            [op = *this, event = std::string(event)](auto handler, Payload args) {
                auto done = detail::completion_function<ErrorCode, std::vector<boost::json::value>>(std::move(handler),
                                                                                                    op.executor());
                const bool sent = op.emit_with_ack_result(event, std::move(args), [done](BroadcastAckResult r) {
                    ErrorCode ec = r.error ? r.error : r.timed_out ? make_error_code(ack_errc::timeout) : ErrorCode{};
                    done(ec, std::move(r.responses));
                });
                if (!sent) done(ack_errc::not_sent, {});
            },
            std::get<n>(all), std::move(payload));
    }
}

template <class Token>
requires(!detail::is_legacy_callback_v<
         Token, ErrorCode, std::vector<SocketInfo>>) auto BroadcastOperator::fetch_sockets(Token&& token) const {
    return boost::asio::async_initiate<Token, void(ErrorCode, std::vector<RemoteSocket>)>(
        [op = *this](auto handler) {
            op.fetch_remote_sockets(
                detail::completion_function<ErrorCode, std::vector<RemoteSocket>>(std::move(handler), op.executor()));
        },
        token);
}

}  // namespace sio::socketio
