// Engine.IO request handling (docs/protocol.md §1.2): CORS preflight, then transport, sid and
// handshake checks in the reference order, then the session's transport takes the request.
// Errors are `{"code":N,"message":...}` JSON with 400/403 for HTTP requests, and a raw
// `400 Bad Request` text answer for WebSocket upgrades.

#include <sio/engineio/server.hpp>

#include <algorithm>
#include <cctype>

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <sio/core/log.hpp>

#include "engineio/cors.hpp"
#include "engineio/delay_queue.hpp"
#include "engineio/session_impl.hpp"
#include "engineio/websocket_context.hpp"
#include "engineio/websocket_handshake.hpp"
#include "engineio/websocket_transport.hpp"

namespace sio::engineio {
namespace {

namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

auto log() {
    static auto logger = core::logger("engineio");
    return logger;
}

struct Query {
    std::vector<std::pair<std::string, std::string>> params;
    const std::string* find(std::string_view key) const {
        for (const auto& [k, v] : params) {
            if (k == key) return &v;
        }
        return nullptr;
    }
};

Query parse_query(std::string_view target) {
    Query q;
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return q;
    for (auto param : url->params()) {
        q.params.emplace_back(param.key, param.has_value ? param.value : std::string());
    }
    return q;
}

Handshake make_handshake(const http::Request& req, const Query& query, const std::string& address) {
    // Gathered here, then copied once into the handshake's exactly sized buffer.
    FieldList headers;
    std::string name;
    for (const auto& field : req.base()) {
        name.assign(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        headers.add(name, field.value());
    }
    FieldList params;
    for (const auto& [key, value] : query.params) params.add(key, value);
    Handshake h(req.target(), headers, params, address);
    h.xdomain = req.find(bhttp::field::origin) != req.end();
    h.time = std::chrono::system_clock::now();
    return h;
}

}  // namespace

Server::Server(boost::asio::any_io_executor executor, std::string path, Options options,
               ConnectionCallback on_connection)
    : executor_(std::move(executor)),
      path_(std::move(path)),
      options_(std::move(options)),
      on_connection_(std::move(on_connection)),
      ids_(options_.shard, options_.shard_count),
      websockets_(std::make_shared<WebSocketContext>(executor_, options_.max_payload)),
      ping_interval_queue_(std::make_shared<DelayQueue>(executor_, options_.ping_interval)),
      ping_timeout_queue_(std::make_shared<DelayQueue>(executor_, options_.ping_timeout)) {}

Server::~Server() {
    // Sessions may outlive us briefly in pending handlers; they must not call back into us.
    close_all(CloseReason::server_shutting_down);
    ping_interval_queue_->clear();
    ping_timeout_queue_->clear();
}

void Server::remove(const std::string& sid) {
    sessions_.erase(sid);
}

std::shared_ptr<WebSocketTransport> Server::take_websocket(http::HttpConnection& connection) {
    boost::beast::flat_buffer leftover;
    http::Socket socket = connection.release_socket(leftover);
    auto bytes = leftover.cdata();
    return std::make_shared<WebSocketTransport>(std::move(socket), websockets_,
                                                std::string(static_cast<const char*>(bytes.data()), bytes.size()));
}

void Server::apply_cors(const http::Request& req, http::Response& res) const {
    engineio::apply_cors(options_.cors, req, res);
}

void Server::when_written(std::function<void()> done) {
    websockets_->when_flushed(std::move(done));
}

void Server::close_all(CloseReason reason) {
    auto sessions = std::move(sessions_);
    sessions_.clear();
    for (auto& [sid, session] : sessions) session->close(reason);
}

void Server::handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& req) {
    const bool upgrade = websocket::is_upgrade(req);

    auto fail = [&](error code, std::string_view message = {}) {
        if (message.empty()) message = error_message(code);
        if (upgrade) {
            http::Response res{bhttp::status::bad_request, req.version()};
            res.set(bhttp::field::content_type, "text/html");
            res.keep_alive(false);
            res.body() = std::string(message);
            res.prepare_payload();
            connection->respond(std::move(res));
            return;
        }
        http::Response res{code == error::forbidden ? bhttp::status::forbidden : bhttp::status::bad_request,
                           req.version()};
        res.set(bhttp::field::content_type, "application/json");
        engineio::apply_cors(options_.cors, req, res);
        res.keep_alive(req.keep_alive());
        res.body() = fmt::format(R"({{"code":{},"message":"{}"}})", static_cast<int>(code), message);
        res.prepare_payload();
        connection->respond(std::move(res));
    };

    // After the engine's own checks, as in Node (engine.io verifies, then ws validates).
    auto refuse_bad_upgrade = [&] {
        auto why = upgrade ? ws::upgrade_error(req) : std::nullopt;
        if (why) fail(error::bad_request, *why);
        return why.has_value();
    };

    if (!upgrade && is_preflight(options_.cors, req)) {
        connection->respond(preflight_response(options_.cors, req));
        return;
    }

    Query query = parse_query(req.target());
    const std::string* transport = query.find("transport");
    if (!transport || !((*transport == "polling" && options_.allow_polling) ||
                        (*transport == "websocket" && options_.allow_websocket))) {
        fail(error::unknown_transport);
        return;
    }

    if (const std::string* sid = query.find("sid")) {
        auto it = sessions_.find(*sid);
        if (it == sessions_.end()) {
            auto owner = core::shard_of(*sid, options_.shard_count);
            if (forwarder_ && owner && *owner != options_.shard) {
                forwarder_(*owner, connection, std::move(req));
                return;
            }
            fail(error::unknown_sid);
            return;
        }
        auto session = it->second;  // keep alive: handlers below may close it
        const std::string* eio = query.find("EIO");
        if (!eio || *eio != "4") {
            fail(error::bad_request);
            return;
        }
        if (upgrade) {
            if (*transport != "websocket" || !options_.allow_upgrades) {
                fail(error::bad_request);
                return;
            }
            if (refuse_bad_upgrade()) return;
            auto ws = take_websocket(*connection);
            if (session->upgrading_or_upgraded()) {
                // As the reference: the second WebSocket is accepted, then closed at once.
                ws->accept(req, nullptr);
                ws->close();
                return;
            }
            session->start_upgrade(std::move(ws), req);
            return;
        }
        if (*transport != session->transport_name()) {
            fail(error::bad_request);  // TRANSPORT_MISMATCH: e.g. polling after the upgrade
            return;
        }
        switch (req.method()) {
            case bhttp::verb::get:
                session->on_poll(connection, req);
                return;
            case bhttp::verb::post:
                session->on_post(connection, req);
                return;
            default: {
                http::Response res{bhttp::status::internal_server_error, req.version()};
                res.keep_alive(req.keep_alive());
                res.prepare_payload();
                connection->respond(std::move(res));
                return;
            }
        }
    }

    // Handshake.
    if (req.method() != bhttp::verb::get) {
        fail(error::bad_handshake_method);
        return;
    }
    if (*transport == "websocket" && !upgrade) {
        fail(error::bad_request);
        return;
    }
    const std::string* eio = query.find("EIO");
    if (!eio || *eio != "4") {
        fail(error::unsupported_protocol_version);
        return;
    }

    if (refuse_bad_upgrade()) return;

    auto sid = ids_.next();
    auto session =
        std::make_shared<SessionImpl>(*this, sid, make_handshake(req, query, connection->remote_address()), options_);
    sessions_.emplace(std::string_view(session->id()), session);
    if (on_connection_) session->set_handler(on_connection_(*session));

    if (upgrade) {
        session->attach_websocket(take_websocket(*connection), req);
    } else {
        http::Response res{bhttp::status::ok, req.version()};
        res.set(bhttp::field::content_type, "text/plain; charset=UTF-8");
        res.set(bhttp::field::cache_control, "no-store");
        engineio::apply_cors(options_.cors, req, res);
        res.keep_alive(req.keep_alive());
        res.body() = session->open_packet(options_.allow_upgrades && options_.allow_websocket);
        res.prepare_payload();
        connection->respond(std::move(res));
    }
    session->start();
    log()->debug("sid={} open over {}", sid, *transport);
}

}  // namespace sio::engineio
