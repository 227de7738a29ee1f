#pragma once
// HTTP vocabulary shared by the layers: Beast messages over a protocol-neutral stream socket
// (TCP or a Unix socket path, chosen by PORT).

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sio::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

using Request = beast::http::request<beast::http::string_body>;
using Response = beast::http::response<beast::http::string_body>;
/** Bound to the io_context's own executor type rather than `any_io_executor`: the socket is
    48 bytes smaller and so is every operation pending on it (an idle WebSocket keeps one). */
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<asio::generic::stream_protocol, Executor>;

/** A JSON response: `status`, `Content-Type: application/json`, the body, keep-alive as the
    request asked. */
Response json_response(const Request& req, beast::http::status status, std::string body);

}  // namespace sio::http
