#pragma once
// A blocking HTTP/1.1 client for the facade tests (which run the server on its own thread):
// one request per connection, and an Engine.IO long-polling client on top of it.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace sio::test {

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

inline HttpResponse http_request(unsigned short port, boost::beast::http::verb verb, std::string target,
                                 std::string body = {}, std::string_view content_type = "application/json") {
    namespace bhttp = boost::beast::http;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::connection, "close");
    if (!body.empty()) req.set(bhttp::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    HttpResponse res;
    bhttp::read(socket, buffer, res);
    return res;
}

/** An Engine.IO v4 long-polling session: open() handshakes, send() POSTs one packet,
    next() returns the next packet, GETting (which waits for the server) when none is left. */
class PollingClient {
public:
    explicit PollingClient(unsigned short port) : port_(port) {}

    /** The handshake's `0{...}` packet. */
    std::string open() {
        auto res = http_request(port_, boost::beast::http::verb::get, "/socket.io/?EIO=4&transport=polling");
        std::string body = res.body();
        auto start = body.find("\"sid\":\"");
        if (res.result_int() == 200 && start != std::string::npos) {
            start += 7;
            sid_ = body.substr(start, body.find('"', start) - start);
        }
        return body;
    }
    const std::string& sid() const noexcept { return sid_; }

    unsigned send(std::string packet) {
        return http_request(port_, boost::beast::http::verb::post, "/socket.io/?EIO=4&transport=polling&sid=" + sid_,
                            std::move(packet), "text/plain;charset=UTF-8")
            .result_int();
    }

    /** The next packet; "" when the GET failed (session closed). Answers pings on the way. */
    std::string next() {
        while (packets_.empty()) {
            auto res =
                http_request(port_, boost::beast::http::verb::get, "/socket.io/?EIO=4&transport=polling&sid=" + sid_);
            if (res.result_int() != 200) return {};
            std::string_view body = res.body();
            for (std::size_t at = 0; at <= body.size();) {
                auto end = body.find('\x1e', at);
                if (end == std::string_view::npos) end = body.size();
                if (end > at) packets_.emplace_back(body.substr(at, end - at));
                at = end + 1;
            }
        }
        std::string packet = std::move(packets_.front());
        packets_.pop_front();
        if (packet == "2") {
            send("3");
            return next();
        }
        return packet;
    }

    /** Skips packets until one starts with `prefix`; "" if the session ended first. */
    std::string next_starting_with(std::string_view prefix) {
        for (;;) {
            std::string packet = next();
            if (packet.empty() || packet.starts_with(prefix)) return packet;
        }
    }

private:
    unsigned short port_;
    std::string sid_;
    std::deque<std::string> packets_;
};

}  // namespace sio::test
