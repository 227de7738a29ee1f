#pragma once
// Event arguments as the application sees them.

#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace sio::socketio {

/** The arguments of an event or an acknowledgement: a JSON array in which each binary value is
    a placeholder `{"_placeholder":true,"num":N}` standing for `attachments[N]`. Forwarding a
    Payload (echo, broadcast) keeps binary intact without looking at it. */
struct Payload {
    boost::json::array args;
    std::vector<std::string> attachments;

    Payload() = default;
    explicit Payload(boost::json::array a) : args(std::move(a)) {}

    /** Appends a binary argument (stored as an attachment). */
    void push_binary(std::string bytes);
    /** Stores `bytes` as an attachment and returns the placeholder to put anywhere in `args`. */
    boost::json::value add_binary(std::string bytes);

    /** The attachment that `placeholder` stands for; null when it is no placeholder or names
        no attachment of this payload. */
    const std::string* attachment_of(const boost::json::value& placeholder) const noexcept;

    friend bool operator==(const Payload&, const Payload&) = default;
};

}  // namespace sio::socketio
