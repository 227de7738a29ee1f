#pragma once
// The application's own HTTP routes beside Socket.IO (sio::Server::route): what a route
// handler is given (HttpRequest) and how it answers (HttpReply).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <sio/http/connection.hpp>
#include <sio/http/types.hpp>

namespace sio {

using HttpVerb = boost::beast::http::verb;
using HttpStatus = boost::beast::http::status;

/** A request that reached a route: the Beast request (owned: a copy stays valid after the
    handler returns) and its decoded path. */
class HttpRequest {
public:
    /** `path`: the target's percent-decoded path; `tail`: what follows the route's prefix;
        `query`: the encoded query, without '?'. */
    HttpRequest(http::Request raw, std::string remote_address, std::string path, std::string tail, std::string query);

    HttpVerb method() const { return raw_.method(); }
    /** The target as sent (path and query, still encoded). */
    std::string_view target() const { return raw_.target(); }
    /** The path, percent-decoded, without the query: "/push/u1". */
    const std::string& path() const noexcept { return path_; }
    /** The path after the route's prefix, without its leading '/': "u1" for "/push/u1" under
        the route "/push" ("" for "/push" itself). */
    const std::string& tail() const noexcept { return tail_; }
    /** A query parameter, percent-decoded (the first one when repeated); nullopt if absent. */
    std::optional<std::string> query(std::string_view name) const;
    /** A header's value, "" when absent. */
    std::string_view header(std::string_view name) const;
    const std::string& body() const noexcept { return raw_.body(); }
    /** The body read as JSON.parse would (socketio::parse_json); an error for anything else,
        an empty body included. */
    boost::system::result<boost::json::value> json() const;
    const std::string& remote_address() const noexcept { return remote_address_; }
    const http::Request& raw() const noexcept { return raw_; }

private:
    http::Request raw_;
    std::string remote_address_;
    std::string path_;
    std::string tail_;
    std::string query_;  // encoded, without '?'
};

/** Answers one request, once: later answers (through any copy) are ignored. Copies share the
    answer, so a handler may keep one and answer later, on the server's loop. A request whose
    every copy is dropped unanswered gets 500 `{"error":"no response"}`, so that a forgotten
    answer never leaves the client hanging. */
class HttpReply {
public:
    HttpReply(std::shared_ptr<http::HttpConnection> connection, const http::Request& request);

    /** `body` serialised as JSON.stringify does, Content-Type application/json. */
    void json(HttpStatus status, const boost::json::value& body) const;
    void json(const boost::json::value& body) const { json(HttpStatus::ok, body); }
    /** `{"error": message}`: the shape every error of the server has. */
    void error(HttpStatus status, std::string_view message) const;
    void text(HttpStatus status, std::string body, std::string_view content_type = "text/plain; charset=utf-8") const;
    /** Full control; keep-alive follows the request. */
    void send(http::Response response) const;
    /** True once answered. */
    bool sent() const noexcept;

private:
    struct State;
    std::shared_ptr<State> state_;
};

/** A route's handler; runs on the server's loop. An exception it throws is logged and
    answered with 500 `{"error":"internal error"}`. */
using RouteHandler = std::function<void(const HttpRequest&, HttpReply)>;

}  // namespace sio
