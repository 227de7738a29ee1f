#pragma once
// Variadic event arguments: `socket.emit("ev", 1, "two", obj, Binary{...})`.

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/json/value_from.hpp>

#include <sio/socketio/binary.hpp>
#include <sio/socketio/payload.hpp>

namespace sio::socketio {

namespace detail {

template <class T>
void append_argument(Payload& payload, T&& arg) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::same_as<U, Binary>) {
        if constexpr (std::is_rvalue_reference_v<T&&>)
            payload.push_binary(std::move(arg).release());
        else
            payload.push_binary(std::string(arg.view()));
    } else if constexpr (std::convertible_to<const U&, std::span<const std::byte>>) {
        const std::span<const std::byte> bytes(arg);
        payload.push_binary(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    } else {
        // Anything Boost.JSON converts: numbers, strings, containers, json values, types with a
        // tag_invoke(value_from_tag, ...) overload, Boost.Describe structs and enums.
        payload.args.push_back(boost::json::value_from(std::forward<T>(arg)));
    }
}

}  // namespace detail

/** The Payload of `args`, in order. A Payload passed alone is returned as it is. */
template <class... Args>
Payload make_payload(Args&&... args) {
    if constexpr (sizeof...(Args) == 1 && (std::same_as<std::remove_cvref_t<Args>, Payload> && ...)) {
        return Payload(std::forward<Args>(args)...);
    } else {
        Payload payload;
        payload.args.reserve(sizeof...(Args));
        (detail::append_argument(payload, std::forward<Args>(args)), ...);
        return payload;
    }
}

/** True when `Args` is exactly one Payload (the untyped overloads take it). */
template <class... Args>
inline constexpr bool is_single_payload_v = sizeof...(Args) == 1 &&
                                            (std::same_as<std::remove_cvref_t<Args>, Payload> && ...);

}  // namespace sio::socketio
