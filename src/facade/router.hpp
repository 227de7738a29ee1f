#pragma once
// The application's routes of a sio::Server: matched by path prefix, then by verb.

#include <memory>
#include <string>
#include <vector>

#include <sio/facade/http_route.hpp>
#include <sio/http/connection.hpp>
#include <sio/http/types.hpp>

namespace sio::facade {

class Router {
public:
    /** `path` is normalised: a leading '/' added, a trailing '/' dropped ("/" stays "/"). */
    void add(HttpVerb verb, std::string path, RouteHandler handler);

    /** Answers `request`: its route's handler, else 404 or 405 (with Allow), 400 for a target
        that is no path. A handler's exception is logged and answered 500. */
    void handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request) const;

private:
    struct Route {
        HttpVerb verb;
        std::string path;
        RouteHandler handler;
    };
    std::vector<Route> routes_;
};

/** True when the route path `prefix` (normalised) covers `path`: equal, or `path` continues
    with '/' after it; "/" covers every path. Sets `tail` to what follows, without the '/'. */
bool covers(const std::string& prefix, const std::string& path, std::string& tail);

}  // namespace sio::facade
