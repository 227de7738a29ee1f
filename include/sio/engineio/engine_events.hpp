#pragma once
// What an application can observe and change on an Engine.IO server (engine.io's
// `io.engine.on("connection_error" | "initial_headers" | "headers")` and `allowRequest`),
// docs/protocol.md §1.2, §1.11, §1.16.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/json/object.hpp>

#include <sio/engineio/error.hpp>
#include <sio/http/types.hpp>

namespace sio::engineio {

/** The headers of a response the engine is about to write: a polling answer, or the
    `101 Switching Protocols` of a WebSocket. An http::Response is one. */
using HeaderMap = boost::beast::http::fields;

/** A refused request, as engine.io's `connection_error` event reports it. Valid during the
    call only. */
struct ConnectionError {
    const http::Request& request;  // method, target (the url), headers
    std::string_view address;      // the peer, e.g. 127.0.0.1
    error code;                    // 0-5, the code sent to the client
    std::string_view message;      // the code's default text ("Transport unknown", ...)
    /** What engine.io puts in `context`: {"transport":…}, {"sid":…}, {"method":…},
        {"name":"TRANSPORT_MISMATCH","transport":…,"previousTransport":…}, {"message":…}
        (allow_request refusal), {"protocol":3}, ... */
    boost::json::object context;
};

using ConnectionErrorListener = std::function<void(const ConnectionError& error)>;

/** Called before the response is written; may add, change or remove headers. */
using HeadersListener = std::function<void(HeaderMap& headers, const http::Request& request)>;

/** Answer of Options::allow_request: nullopt admits the handshake, a string refuses it with
    that message (an empty one: "Forbidden"). */
using AllowRequestDone = std::function<void(std::optional<std::string> error_message)>;

/** engine.io's allowRequest(req, cb). Runs for handshakes only (both transports); `done` may be
    called now or later, once, on the engine's loop (the connection may be gone by then). */
using AllowRequest = std::function<void(const http::Request& request, AllowRequestDone done)>;

/** The listeners of one engine. Any number per event, called in registration order. */
class EngineEvents {
public:
    void on_connection_error(ConnectionErrorListener fn) { connection_error_.push_back(std::move(fn)); }
    void on_initial_headers(HeadersListener fn) { initial_headers_.push_back(std::move(fn)); }
    void on_headers(HeadersListener fn) { headers_.push_back(std::move(fn)); }

    bool wants_connection_errors() const noexcept { return !connection_error_.empty(); }
    bool wants_headers() const noexcept { return !initial_headers_.empty() || !headers_.empty(); }

    void emit_connection_error(const ConnectionError& error) const;
    /** `initial`: the first response of a session (the handshake): initial_headers first,
        then headers, as engine.io does. */
    void emit_headers(HeaderMap& headers, const http::Request& request, bool initial) const;

private:
    std::vector<ConnectionErrorListener> connection_error_;
    std::vector<HeadersListener> initial_headers_;
    std::vector<HeadersListener> headers_;
};

}  // namespace sio::engineio
