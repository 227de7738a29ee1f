#pragma once
// Event handlers with typed parameters: `socket.on("move", [](Socket& s, Point p, Ack ack) {...})`.
//
// Every event handler has the shape (Socket&, arguments..., [Ack]). The untyped form takes
// (Socket&, Payload, Ack). A typed handler names the arguments' C++ types; each is converted
// from the event's JSON with Boost.JSON (boost::json::value, Binary and std::optional<T> are
// understood as such). An argument that does not convert never reaches the handler: the client's
// ack (if it asked for one) gets [{"error":"invalid_argument","argument":i,"message":...}] and
// the socket's error listeners hear about it. A handler may return boost::asio::awaitable<void>:
// it then runs as a coroutine on the socket's loop, holding the socket while it runs.

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/result.hpp>

#include <sio/socketio/ack.hpp>
#include <sio/socketio/binary.hpp>
#include <sio/socketio/payload.hpp>

namespace sio::socketio {

class Socket;

/** The untyped handler every registration is stored as. */
using EventHandler = std::function<void(Socket&, Payload args, Ack ack)>;

/** Why an event was refused before it reached a typed handler. */
struct ArgumentError {
    std::size_t index;  // 0-based, among the event's arguments (the name not counted)
    std::string message;
};

namespace detail {

template <class F>
struct callable_traits : callable_traits<decltype(&F::operator())> {};
template <class R, class... A>
struct callable_traits<R (*)(A...)> {
    using result = R;
    using args = std::tuple<A...>;
};
template <class R, class... A>
struct callable_traits<R (*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const noexcept> : callable_traits<R (*)(A...)> {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_awaitable : std::false_type {};
template <class T, class E>
struct is_awaitable<boost::asio::awaitable<T, E>> : std::true_type {};

/** The reason a missing argument (fewer than the handler takes) is refused. */
inline constexpr const char* missing_argument = "missing argument";
inline constexpr const char* not_binary = "not a binary argument";

/** Why one argument did not convert. */
struct Refusal {
    std::string message;
};

template <class T>
using Converted = boost::system::result<T, Refusal>;

template <class T>
Converted<T> refused(std::string message) {
    return Converted<T>(boost::system::in_place_error, Refusal{std::move(message)});
}

template <class T>
Converted<T> convert_argument(const Payload& payload, std::size_t index) {
    const boost::json::value* v = index < payload.args.size() ? &payload.args[index] : nullptr;
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return Converted<T>(boost::system::in_place_value, v ? *v : boost::json::value());
    } else if constexpr (std::is_same_v<T, Binary>) {
        if (const std::string* bytes = v ? payload.attachment_of(*v) : nullptr)
            return Converted<T>(boost::system::in_place_value, *bytes);
        return refused<T>(not_binary);
    } else if constexpr (is_optional<T>::value) {
        if (!v || v->is_null()) return Converted<T>(boost::system::in_place_value, std::nullopt);
        auto inner = convert_argument<typename T::value_type>(payload, index);
        if (!inner) return Converted<T>(boost::system::in_place_error, std::move(inner.error()));
        return Converted<T>(boost::system::in_place_value, std::move(*inner));
    } else {
        if (!v) return refused<T>(missing_argument);
        auto converted = boost::json::try_value_to<T>(*v);
        if (!converted) return refused<T>(converted.error().message());
        return Converted<T>(boost::system::in_place_value, std::move(*converted));
    }
}

/** Answers a refused event (ack and error listeners); defined with Socket. */
void refuse_event(Socket& socket, const Ack& ack, ArgumentError error);
/** Logs what a coroutine handler threw; defined with Socket. */
void report_handler_exception(Socket& socket, std::exception_ptr error) noexcept;
/** The socket as a shared_ptr and its executor (Socket is incomplete here). */
std::shared_ptr<Socket> share(Socket& socket);
boost::asio::any_io_executor executor_of(Socket& socket);

template <class Fn, class R, class... Args>
void invoke_handler(Fn& fn, Socket& socket, Args&&... args) {
    if constexpr (is_awaitable<R>::value) {
        // The handler is copied into the coroutine with its arguments: it may be removed (off)
        // or the socket closed while the coroutine is suspended.
        boost::asio::co_spawn(
            executor_of(socket),
            [fn, self = share(socket), ... args = std::forward<Args>(args)]() mutable -> R {
                co_await fn(*self, std::move(args)...);
            },
            [self = share(socket)](std::exception_ptr error) {
                if (error) report_handler_exception(*self, error);
            });
    } else {
        fn(socket, std::forward<Args>(args)...);
    }
}

template <class Fn, class Traits, bool HasAck, std::size_t... I>
void invoke_typed(Fn& fn, Socket& socket, const Payload& payload, Ack& ack, std::index_sequence<I...>) {
    using Args = typename Traits::args;
    std::tuple<Converted<std::decay_t<std::tuple_element_t<I + 1, Args>>>...> converted{
        convert_argument<std::decay_t<std::tuple_element_t<I + 1, Args>>>(payload, I)...};
    std::optional<ArgumentError> error;
    (void)((std::get<I>(converted) ? true
                                   : (error = ArgumentError{I, std::get<I>(converted).error().message}, false)) &&
           ...);
    if (error) {
        refuse_event(socket, ack, std::move(*error));
        return;
    }
    if constexpr (HasAck)
        invoke_handler<Fn, typename Traits::result>(fn, socket, std::move(*std::get<I>(converted))..., std::move(ack));
    else
        invoke_handler<Fn, typename Traits::result>(fn, socket, std::move(*std::get<I>(converted))...);
}

template <class Tuple>
constexpr bool last_is_ack() {
    constexpr std::size_t n = std::tuple_size_v<Tuple>;
    if constexpr (n < 2)
        return false;
    else
        return std::is_same_v<std::decay_t<std::tuple_element_t<n - 1, Tuple>>, Ack>;
}

}  // namespace detail

/** Adapts any handler of the shape (Socket&, T..., [Ack]) to the stored EventHandler. */
template <class F>
EventHandler make_event_handler(F&& handler) {
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn&, Socket&, Payload, Ack>) {
        using R = std::invoke_result_t<Fn&, Socket&, Payload, Ack>;
        if constexpr (std::is_void_v<R>) {
            return EventHandler(std::forward<F>(handler));
        } else {
            return [fn = Fn(std::forward<F>(handler))](Socket& socket, Payload payload, Ack ack) mutable {
                detail::invoke_handler<Fn, R>(fn, socket, std::move(payload), std::move(ack));
            };
        }
    } else {
        using Traits = detail::callable_traits<Fn>;
        using Args = typename Traits::args;
        static_assert(std::tuple_size_v<Args> >= 1 && std::is_same_v<std::tuple_element_t<0, Args>, Socket&>,
                      "an event handler's first parameter is Socket&");
        constexpr bool has_ack = detail::last_is_ack<Args>();
        constexpr std::size_t typed = std::tuple_size_v<Args> - 1 - (has_ack ? 1 : 0);
        return [fn = Fn(std::forward<F>(handler))](Socket& socket, Payload payload, Ack ack) mutable {
            detail::invoke_typed<Fn, Traits, has_ack>(fn, socket, payload, ack, std::make_index_sequence<typed>{});
        };
    }
}

}  // namespace sio::socketio
