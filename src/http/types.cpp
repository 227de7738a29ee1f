#include <sio/http/types.hpp>

namespace sio::http {

Response json_response(const Request& req, beast::http::status status, std::string body) {
    Response res{status, req.version()};
    res.set(beast::http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace sio::http
