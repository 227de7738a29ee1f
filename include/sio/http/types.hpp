#pragma once
// HTTP vocabulary shared by the layers: Beast messages over a protocol-neutral stream socket
// (TCP or a Unix socket path, chosen by PORT).

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sio::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

using Request = beast::http::request<beast::http::string_body>;
using Response = beast::http::response<beast::http::string_body>;
using Socket = asio::generic::stream_protocol::socket;

/** A JSON response: `status`, `Content-Type: application/json`, the body, keep-alive as the
    request asked. */
Response json_response(const Request& req, beast::http::status status, std::string body);

}  // namespace sio::http
