#include "facade/router.hpp"

// Flow: decode the target's path (400 if it is none) -> the longest route path covering it ->
// among the routes of that path, the one of the request's verb (405 listing the others) ->
// the handler, inside a try block: an application's exception never reaches the loop.

#include <exception>
#include <string_view>
#include <utility>

#include <boost/url/parse.hpp>

#include <sio/core/log.hpp>

namespace sio::facade {

namespace {

auto log() {
    static auto logger = core::logger("facade");
    return logger;
}

std::string normalise(std::string path) {
    if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

}  // namespace

bool covers(const std::string& prefix, const std::string& path, std::string& tail) {
    if (prefix == "/") {
        tail = path.size() > 1 ? path.substr(1) : std::string();
        return true;
    }
    if (!path.starts_with(prefix)) return false;
    if (path.size() == prefix.size()) {
        tail.clear();
        return true;
    }
    if (path[prefix.size()] != '/') return false;
    tail = path.substr(prefix.size() + 1);
    return true;
}

void Router::add(HttpVerb verb, std::string path, RouteHandler handler) {
    routes_.push_back(Route{verb, normalise(std::move(path)), std::move(handler)});
}

void Router::handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request) const {
    HttpReply reply(connection, request);
    auto target = boost::urls::parse_origin_form(request.target());
    if (!target) return reply.error(HttpStatus::bad_request, "invalid request target");
    std::string path = target->path();  // percent-decoded

    // The longest route path that covers the request's path, then the verb among its routes.
    const std::string* longest = nullptr;
    std::string tail;
    std::string route_tail;
    for (const auto& route : routes_) {
        if (covers(route.path, path, tail) && (!longest || route.path.size() > longest->size())) {
            longest = &route.path;
            route_tail = tail;
        }
    }
    if (!longest) return reply.error(HttpStatus::not_found, "not found");
    const Route* match = nullptr;
    std::string allow;
    for (const auto& route : routes_) {
        if (route.path != *longest) continue;
        if (route.verb == request.method()) match = &route;
        if (!allow.empty()) allow += ", ";
        allow += std::string_view(boost::beast::http::to_string(route.verb));
    }
    if (!match) {
        http::Response res{HttpStatus::method_not_allowed, request.version()};
        res.set(boost::beast::http::field::content_type, "application/json");
        res.set(boost::beast::http::field::allow, allow);
        res.body() = R"({"error":"method not allowed"})";
        res.prepare_payload();
        return reply.send(std::move(res));
    }

    std::string query(target->encoded_query());
    HttpRequest req(std::move(request), connection->remote_address(), std::move(path), std::move(route_tail),
                    std::move(query));
    try {
        match->handler(req, reply);
    } catch (const std::exception& e) {
        log()->error("route {} {} threw: {}", std::string_view(boost::beast::http::to_string(match->verb)), match->path,
                     e.what());
        reply.error(HttpStatus::internal_server_error, "internal error");
    } catch (...) {
        log()->error("route {} threw a non-exception", match->path);
        reply.error(HttpStatus::internal_server_error, "internal error");
    }
}

}  // namespace sio::facade
