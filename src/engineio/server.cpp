// Engine.IO request handling (docs/protocol.md §1.2): CORS preflight, then transport, origin,
// sid and handshake checks in the reference order, then allow_request (possibly answered
// later), then the protocol check and a new session; a request with a sid goes to its
// session's transport. Errors are `{"code":N,"message":...}` JSON with 400/403 for HTTP
// requests, and a raw `400 Bad Request` text answer for WebSocket upgrades; each refusal
// engine.io reports raises connection_error with engine.io's context (§1.16).

#include <sio/engineio/server.hpp>

#include <algorithm>
#include <cctype>

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <sio/core/log.hpp>

#include "engineio/cors.hpp"
#include "engineio/delay_queue.hpp"
#include "engineio/session_impl.hpp"
#include "engineio/websocket_context.hpp"
#include "engineio/websocket_handshake.hpp"
#include "engineio/websocket_transport.hpp"

namespace sio::engineio {

struct Server::Query {
    std::vector<std::pair<std::string, std::string>> params;
    const std::string* find(std::string_view key) const {
        for (const auto& [k, v] : params) {
            if (k == key) return &v;
        }
        return nullptr;
    }
    /** engine.io: exactly "4" is protocol 4, anything else (missing included) 3. */
    int protocol() const {
        const std::string* eio = find("EIO");
        return eio && *eio == "4" ? 4 : 3;
    }
    /** A v3 client that wants binary as base64 (engine.io: any non-empty `b64`). */
    bool base64() const {
        const std::string* b64 = find("b64");
        return b64 && !b64->empty();
    }
};

namespace {

namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

auto log() {
    static auto logger = core::logger("engineio");
    return logger;
}

Server::Query parse_query(std::string_view target) {
    Server::Query q;
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return q;
    for (auto param : url->params()) {
        q.params.emplace_back(param.key, param.has_value ? param.value : std::string());
    }
    return q;
}

Handshake make_handshake(const http::Request& req, const Server::Query& query, const std::string& address) {
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

/** Node's checkInvalidHeaderChar: only HTAB, 0x20-0x7E and 0x80-0xFF are allowed. */
bool has_invalid_header_char(std::string_view value) {
    return std::any_of(value.begin(), value.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return !(c == '\t' || (c >= 0x20 && c != 0x7F));
    });
}

/** The error answer engine.io writes: JSON with 400/403 over HTTP; over an upgrade a raw
    `400 Bad Request` whose body is the bare message, whatever the code. */
void write_error(http::HttpConnection& connection, const http::Request& req, bool upgrade, error code,
                 std::string_view message, const CorsOptions& cors) {
    if (upgrade) {
        http::Response res{bhttp::status::bad_request, req.version()};
        res.set(bhttp::field::content_type, "text/html");
        res.keep_alive(false);
        res.body() = std::string(message);
        res.prepare_payload();
        connection.respond(std::move(res));
        return;
    }
    http::Response res{code == error::forbidden ? bhttp::status::forbidden : bhttp::status::bad_request, req.version()};
    res.set(bhttp::field::content_type, "application/json");
    apply_cors(cors, req, res);
    res.keep_alive(req.keep_alive());
    // Serialized, not formatted: an allow_request message may hold quotes or control characters.
    res.body() = boost::json::serialize(boost::json::object{{"code", static_cast<int>(code)}, {"message", message}});
    res.prepare_payload();
    connection.respond(std::move(res));
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
      ping_timeout_queue_(std::make_shared<DelayQueue>(executor_, options_.ping_timeout)) {
    if (options_.allow_eio3) {
        v3_ping_timeout_queue_ =
            std::make_shared<DelayQueue>(executor_, options_.ping_interval + options_.ping_timeout);
    }
}

Server::~Server() {
    alive_.reset();
    // Sessions may outlive us briefly in pending handlers; they must not call back into us.
    close_all(CloseReason::server_shutting_down);
    ping_interval_queue_->clear();
    ping_timeout_queue_->clear();
    if (v3_ping_timeout_queue_) v3_ping_timeout_queue_->clear();
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

void Server::refuse(http::HttpConnection& connection, const http::Request& req, bool upgrade, error code,
                    boost::json::object context) {
    const std::string_view default_message = error_message(code);
    // The client reads the context's message when there is a non-empty one (an allow_request
    // refusal), the code's own text otherwise; connection_error always has the latter.
    std::string message(default_message);
    if (const auto* m = context.if_contains("message"); m && m->is_string() && !m->get_string().empty()) {
        message = m->get_string();
    }
    if (events_.wants_connection_errors()) {
        events_.emit_connection_error(
            ConnectionError{req, connection.remote_address(), code, default_message, std::move(context)});
    }
    write_error(connection, req, upgrade, code, message, options_.cors);
}

void Server::handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& req) {
    const bool upgrade = websocket::is_upgrade(req);

    // Refusals engine.io leaves to `ws` or to the transport: no connection_error.
    auto reject = [&](std::string_view message) {
        write_error(*connection, req, upgrade, error::bad_request, message, options_.cors);
    };

    if (!upgrade && is_preflight(options_.cors, req)) {
        connection->respond(preflight_response(options_.cors, req));
        return;
    }

    Query query = parse_query(req.target());
    const std::string* transport = query.find("transport");
    if (!transport || !((*transport == "polling" && options_.allow_polling) ||
                        (*transport == "websocket" && options_.allow_websocket))) {
        boost::json::object context;
        if (transport) context.emplace("transport", *transport);
        refuse(*connection, req, upgrade, error::unknown_transport, std::move(context));
        return;
    }

    if (auto origin = req[bhttp::field::origin]; has_invalid_header_char(origin)) {
        refuse(*connection, req, upgrade, error::bad_request, {{"name", "INVALID_ORIGIN"}, {"origin", origin}});
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
            refuse(*connection, req, upgrade, error::unknown_sid, {{"sid", *sid}});
            return;
        }
        auto session = it->second;  // keep alive: handlers below may close it
        if (!upgrade && *transport != session->transport_name()) {
            // E.g. polling after the upgrade.
            refuse(*connection, req, upgrade, error::bad_request,
                   {{"name", "TRANSPORT_MISMATCH"},
                    {"transport", *transport},
                    {"previousTransport", session->transport_name()}});
            return;
        }
        if (const int protocol = query.protocol(); protocol != session->protocol()) {
            refuse(*connection, req, upgrade, error::bad_request,
                   {{"name", "PROTOCOL_MISMATCH"}, {"protocol", protocol}, {"previousProtocol", session->protocol()}});
            return;
        }
        if (upgrade) {
            if (*transport != "websocket" || !options_.allow_upgrades) {
                reject(error_message(error::bad_request));
                return;
            }
            if (auto why = ws::upgrade_error(req)) {
                reject(*why);
                return;
            }
            auto ws = take_websocket(*connection);
            if (session->upgrading_or_upgraded()) {
                // As the reference: the second WebSocket is accepted, then closed at once.
                HeaderMap extra;
                emit_headers(extra, req, false);
                ws->accept(req, nullptr, extra);
                ws->close();
                return;
            }
            session->start_upgrade(std::move(ws), req, query.base64());
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
        refuse(*connection, req, upgrade, error::bad_handshake_method, {{"method", req.method_string()}});
        return;
    }
    if (*transport == "websocket" && !upgrade) {
        refuse(*connection, req, upgrade, error::bad_request, {{"name", "TRANSPORT_HANDSHAKE_ERROR"}});
        return;
    }
    if (!options_.allow_request) {
        open_session(connection, req, query, upgrade);
        return;
    }

    // The application decides, now or later: the request waits with its connection.
    struct Pending {
        std::shared_ptr<http::HttpConnection> connection;
        http::Request request;
        Query query;
        bool upgrade;
        bool answered = false;
    };
    auto pending = std::make_shared<Pending>(Pending{connection, std::move(req), std::move(query), upgrade});
    AllowRequestDone done = [this, alive = std::weak_ptr<int>(alive_), pending](std::optional<std::string> refusal) {
        // Once, and only while this server exists.
        if (alive.expired() || std::exchange(pending->answered, true)) return;
        auto held = std::move(pending->connection);  // released once answered
        if (refusal) {
            refuse(*held, pending->request, pending->upgrade, error::forbidden, {{"message", *refusal}});
            return;
        }
        if (!held->awaiting_response()) return;  // the client went away meanwhile
        open_session(held, pending->request, pending->query, pending->upgrade);
    };
    options_.allow_request(pending->request, std::move(done));
}

void Server::open_session(const std::shared_ptr<http::HttpConnection>& connection, const http::Request& req,
                          const Query& query, bool upgrade) {
    // engine.io: verify (allowRequest included), then `ws` checks the upgrade, then the
    // handshake proper checks the protocol revision.
    if (upgrade) {
        if (auto why = ws::upgrade_error(req)) {
            write_error(*connection, req, upgrade, error::bad_request, *why, options_.cors);
            return;
        }
    }
    const int protocol = query.protocol();
    if (protocol == 3 && !options_.allow_eio3) {
        refuse(*connection, req, upgrade, error::unsupported_protocol_version, {{"protocol", 3}});
        return;
    }

    auto sid = ids_.next();
    auto session = std::make_shared<SessionImpl>(*this, sid, make_handshake(req, query, connection->remote_address()),
                                                 options_, protocol, query.base64());
    sessions_.emplace(std::string_view(session->id()), session);
    if (on_connection_) session->set_handler(on_connection_(*session));

    if (upgrade) {
        session->attach_websocket(take_websocket(*connection), req);
    } else {
        http::Response res{bhttp::status::ok, req.version()};
        res.set(bhttp::field::content_type, "text/plain; charset=UTF-8");
        res.set(bhttp::field::cache_control, "no-store");
        engineio::apply_cors(options_.cors, req, res);
        emit_headers(res, req, true);  // the session's first response
        res.keep_alive(req.keep_alive());
        res.body() = session->handshake_payload(options_.allow_upgrades && options_.allow_websocket);
        res.prepare_payload();
        connection->respond(std::move(res));
    }
    session->start();
    log()->debug("sid={} open over {} (protocol {})", sid, upgrade ? "websocket" : "polling", protocol);
}

}  // namespace sio::engineio
