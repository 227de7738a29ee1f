#include "engineio/cors.hpp"

#include <algorithm>

namespace sio::engineio {

namespace bhttp = boost::beast::http;

void apply_cors(const CorsOptions& cors, const http::Request& req, http::Response& res) {
    if (cors.origins.empty()) return;
    auto origin = req[bhttp::field::origin];
    bool allowed = !origin.empty() && std::find(cors.origins.begin(), cors.origins.end(), origin) != cors.origins.end();
    if (allowed) {
        res.set(bhttp::field::access_control_allow_origin, origin);
        if (cors.credentials) res.set(bhttp::field::access_control_allow_credentials, "true");
    }
    res.set(bhttp::field::vary, "Origin");
}

bool is_preflight(const CorsOptions& cors, const http::Request& req) {
    return !cors.origins.empty() && req.method() == bhttp::verb::options;
}

http::Response preflight_response(const CorsOptions& cors, const http::Request& req) {
    http::Response res{bhttp::status::no_content, req.version()};
    apply_cors(cors, req, res);
    res.set(bhttp::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    auto requested = req[bhttp::field::access_control_request_headers];
    if (!requested.empty()) {
        res.set(bhttp::field::access_control_allow_headers, requested);
        res.set(bhttp::field::vary, "Origin, Access-Control-Request-Headers");
    }
    res.keep_alive(req.keep_alive());
    res.content_length(0);
    return res;
}

}  // namespace sio::engineio
