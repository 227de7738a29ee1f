#include "engineio/websocket_handshake.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>

namespace sio::engineio::ws {
namespace {

namespace bhttp = boost::beast::http;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/** ws: /^[+/0-9A-Za-z]{22}==$/ (16 random bytes in base64). */
bool is_valid_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (char c : key.substr(0, 22)) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::optional<std::string_view> upgrade_error(const http::Request& req) {
    if (req.method() != bhttp::verb::get) return "Invalid HTTP method";
    if (!iequals(trim(req[bhttp::field::upgrade]), "websocket")) return "Invalid Upgrade header";
    if (!is_valid_key(trim(req[bhttp::field::sec_websocket_key]))) return "Missing or invalid Sec-WebSocket-Key header";
    auto version = trim(req[bhttp::field::sec_websocket_version]);
    if (version != "13" && version != "8") return "Missing or invalid Sec-WebSocket-Version header";
    return std::nullopt;
}

std::string switching_protocols_response(const http::Request& req, const boost::beast::http::fields& extra) {
    boost::beast::websocket::detail::sec_ws_accept_type accept;
    boost::beast::websocket::detail::make_sec_ws_accept(accept, trim(req[bhttp::field::sec_websocket_key]));
    std::string out;
    out.reserve(160);
    out += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
    out.append(accept.data(), accept.size());
    out += "\r\n";
    auto protocols = req[bhttp::field::sec_websocket_protocol];
    if (!protocols.empty()) {
        auto first = trim(protocols.substr(0, protocols.find(',')));
        if (!first.empty()) {
            out += "Sec-WebSocket-Protocol: ";
            out += first;
            out += "\r\n";
        }
    }
    auto breaks_line = [](std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; };
    for (const auto& field : extra) {
        std::string_view name = field.name_string();
        std::string_view value = field.value();
        if (name.empty() || breaks_line(name) || breaks_line(value)) continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

}  // namespace sio::engineio::ws
