#include "rest_api.hpp"

// Flow: handle() checks the bearer token for everything but GET /health (401, as the Node
// reference does, before routing), finds the route by path (404), then the method (405), then
// runs the route. A route parses its input with validation.cpp (400/404 on failure) and executes it through a
// BroadcastOperator; answers that depend on acknowledgements or on the cluster are written from the callback.

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <sio/core/log.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/adapter/redis_adapter.hpp>

#include "validation.hpp"

namespace sio::server {

namespace json = boost::json;
namespace bhttp = boost::beast::http;
using socketio::Payload;

// How long GET /peers waits at most: the adapter's requests timeout is 5 s; this guard only
// answers if the adapter never calls back.
constexpr std::chrono::milliseconds kPeersGuard{5500};

// ---- Reply: what a route needs to answer, without holding on to the request ---------------

class RestApi::Reply {
public:
    Reply(std::shared_ptr<http::HttpConnection> connection, const http::Request& req)
        : connection_(std::move(connection)), version_(req.version()), keep_alive_(req.keep_alive()) {}

    void send_json(bhttp::status status, const json::value& body) const { send(status, json::serialize(body)); }
    void ok() const { send_json(bhttp::status::ok, json::object{{"ok", true}}); }
    void error(unsigned status, std::string_view message) const {
        send(static_cast<bhttp::status>(status), json::serialize(json::object{{"error", message}}));
    }
    void error(const Invalid& invalid) const { error(invalid.status, invalid.message); }

    void unauthorized() const {
        send(bhttp::status::unauthorized, R"({"error":"unauthorized"})",
             [](http::Response& res) { res.set(bhttp::field::www_authenticate, "Bearer"); });
    }
    void method_not_allowed(std::string_view allow) const {
        send(bhttp::status::method_not_allowed, R"({"error":"method not allowed"})",
             [allow](http::Response& res) { res.set(bhttp::field::allow, allow); });
    }

private:
    template <class Decorate = void (*)(http::Response&)>
    void send(
        bhttp::status status, std::string body, Decorate decorate = [](http::Response&) {}) const {
        http::Response res{status, version_};
        res.set(bhttp::field::content_type, "application/json");
        res.set(bhttp::field::cache_control, "no-store");
        decorate(res);
        res.keep_alive(keep_alive_);
        res.body() = std::move(body);
        res.prepare_payload();
        connection_->respond(std::move(res));
    }

    std::shared_ptr<http::HttpConnection> connection_;
    unsigned version_;
    bool keep_alive_;
};

namespace {

/** True when a cluster-wide operation failed because Redis cannot be reached right now: the
    REST answer is then 503 at once, rather than a hang or a misleading empty result. */
bool cluster_unavailable(const socketio::ErrorCode& ec) {
    return ec == adapter::cluster_errc::unavailable;
}

/** The operator that targets `t` in `nsp`. */
socketio::BroadcastOperator target_of(socketio::Namespace& nsp, const Target& t) {
    auto op = nsp.all();
    if (t.local) {
        op = op.local();
    }
    if (!t.rooms.empty()) {
        op = op.to(t.rooms);
    }
    if (!t.except.empty()) {
        op = op.except(t.except);
    }
    return op;
}

json::array to_json(const std::vector<std::string>& strings) {
    json::array out;
    out.reserve(strings.size());
    for (const auto& s : strings) {
        out.emplace_back(s);
    }
    return out;
}

}  // namespace

// ---- routing --------------------------------------------------------------------------------

RestApi::RestApi(socketio::Server& io, RestSettings settings, std::shared_ptr<const DisconnectLog> disconnects)
    : io_(&io), settings_(std::move(settings)), disconnects_(std::move(disconnects)) {}

void RestApi::handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request) {
    struct Entry {
        std::string_view path;
        bhttp::verb method;
        Route route;
    };
    static constexpr std::array<Entry, 12> kRoutes{{
        {"/health", bhttp::verb::get, &RestApi::health},
        {"/info", bhttp::verb::get, &RestApi::info},
        {"/emit", bhttp::verb::post, &RestApi::emit},
        {"/emit-with-ack", bhttp::verb::post, &RestApi::emit_with_ack},
        {"/sockets", bhttp::verb::get, &RestApi::sockets},
        {"/sockets/join", bhttp::verb::post, &RestApi::sockets_join},
        {"/sockets/leave", bhttp::verb::post, &RestApi::sockets_leave},
        {"/disconnect", bhttp::verb::post, &RestApi::disconnect},
        {"/server-side-emit", bhttp::verb::post, &RestApi::server_side_emit},
        {"/peers", bhttp::verb::get, &RestApi::peers},
        {"/server-count", bhttp::verb::get, &RestApi::server_count},
        {"/disconnect-reason", bhttp::verb::get, &RestApi::disconnect_reason},
    }};

    Reply reply(connection, request);
    std::string_view target = request.target();
    std::string_view path = target.substr(0, target.find('?'));
    bool is_health = path == "/health" && request.method() == bhttp::verb::get;
    if (!is_health && !settings_.api_token.empty()) {
        auto auth = request.find(bhttp::field::authorization);
        if (auth == request.end() || !bearer_token_matches(auth->value(), settings_.api_token)) {
            return reply.unauthorized();
        }
    }
    auto entry = std::find_if(kRoutes.begin(), kRoutes.end(), [path](const Entry& e) { return e.path == path; });
    if (entry == kRoutes.end()) {
        return reply.error(404, "not found");
    }
    if (request.method() != entry->method) {
        return reply.method_not_allowed(entry->method == bhttp::verb::get ? "GET" : "POST");
    }
    (this->*(entry->route))(std::move(reply), request);
}

// ---- instance ---------------------------------------------------------------------------------

void RestApi::health(Reply reply, const http::Request&) {
    reply.send_json(bhttp::status::ok, json::object{{"status", "ok"}});
}

void RestApi::info(Reply reply, const http::Request&) {
    const auto& opts = io_->options();
    json::array namespaces;
    for (auto name : kNamespaces) {
        namespaces.emplace_back(name);
    }
    reply.send_json(bhttp::status::ok, json::object{
                                           {"instance", settings_.instance_id},
                                           {"implementation", "sio"},
                                           {"clustered", settings_.clustered},
                                           {"connectionStateRecovery", opts.connection_state_recovery},
                                           {"pingInterval", opts.engine.ping_interval.count()},
                                           {"pingTimeout", opts.engine.ping_timeout.count()},
                                           {"connectTimeout", opts.connect_timeout.count()},
                                           {"maxHttpBufferSize", opts.engine.max_payload},
                                           {"namespaces", std::move(namespaces)},
                                       });
}

// ---- broadcasts -------------------------------------------------------------------------------

namespace {

/** Parses the body with `parse`, or answers the error and returns nullopt. */
template <class Parse>
auto parse_body(const http::Request& req, Parse parse, const auto& reply)
    -> std::optional<std::remove_cvref_t<decltype(*parse(std::declval<const json::object&>()))>> {
    auto body = parse_json_object(req.body());
    if (!body) {
        reply.error(body.error());
        return std::nullopt;
    }
    auto parsed = parse(*body);
    if (!parsed) {
        reply.error(parsed.error());
        return std::nullopt;
    }
    return std::move(*parsed);
}

}  // namespace

socketio::Namespace* RestApi::find_namespace(const Reply& reply, const std::string& name) const {
    auto* nsp = io_->find(name);
    if (nsp == nullptr) {
        reply.error(404, "unknown namespace");
    }
    return nsp;
}

void RestApi::emit(Reply reply, const http::Request& req) {
    auto r = parse_body(req, parse_emit, reply);
    if (!r) {
        return;
    }
    auto* nsp = find_namespace(reply, r->target.nsp);
    if (nsp == nullptr) {
        return;
    }
    auto op = target_of(*nsp, r->target);
    if (r->is_volatile) {
        op = op.volatile_();
    }
    if (!op.emit(r->event, Payload(std::move(r->args)))) {
        return reply.error(400, "this event name cannot be emitted");
    }
    // Answered once this instance's clients have been written to, as Node answers after its
    // synchronous writes: a caller that waits for answers is held to the pace of delivery
    // instead of queueing broadcasts faster than they leave.
    io_->when_written([reply] { reply.ok(); });
}

void RestApi::emit_with_ack(Reply reply, const http::Request& req) {
    auto r = parse_body(req, parse_emit_with_ack, reply);
    if (!r) {
        return;
    }
    auto* nsp = find_namespace(reply, r->target.nsp);
    if (nsp == nullptr) {
        return;
    }
    auto op = target_of(*nsp, r->target).timeout(r->timeout);
    bool sent = op.emit_with_ack(r->event, Payload(std::move(r->args)), [reply](socketio::BroadcastAckResult result) {
        if (cluster_unavailable(result.error)) {
            return reply.error(503, "the cluster is unreachable (Redis is down): acknowledgements cannot be collected");
        }
        json::array responses;
        responses.reserve(result.responses.size());
        for (auto& v : result.responses) {
            responses.push_back(std::move(v));
        }
        reply.send_json(bhttp::status::ok,
                        json::object{{"timedOut", result.timed_out}, {"responses", std::move(responses)}});
    });
    if (!sent) {
        reply.error(400, "this event name cannot be emitted");
    }
}

// ---- socket management ----------------------------------------------------------------------

void RestApi::sockets(Reply reply, const http::Request& req) {
    auto t = parse_sockets_query(req.target());
    if (!t) {
        return reply.error(t.error());
    }
    auto* nsp = find_namespace(reply, t->nsp);
    if (nsp == nullptr) {
        return;
    }
    target_of(*nsp, *t).fetch_sockets([reply](socketio::ErrorCode ec, std::vector<socketio::SocketInfo> found) {
        if (ec) {
            return reply.error(503, fmt::format("fetchSockets failed: {}", ec.message()));
        }
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        json::array sockets;
        sockets.reserve(found.size());
        for (auto& s : found) {
            std::sort(s.rooms.begin(), s.rooms.end());
            sockets.push_back(json::object{{"id", s.id}, {"rooms", to_json(s.rooms)}, {"data", std::move(s.data)}});
        }
        reply.send_json(bhttp::status::ok, json::object{{"count", sockets.size()}, {"sockets", std::move(sockets)}});
    });
}

void RestApi::sockets_rooms(Reply reply, const http::Request& req, bool join) {
    auto r = parse_body(
        req, [join](const json::object& body) { return parse_rooms_request(body, join ? "join" : "leave"); }, reply);
    if (!r) {
        return;
    }
    auto* nsp = find_namespace(reply, r->target.nsp);
    if (nsp == nullptr) {
        return;
    }
    auto op = target_of(*nsp, r->target);
    if (join) {
        op.sockets_join(r->rooms);
    } else {
        op.sockets_leave(r->rooms);
    }
    reply.ok();
}

void RestApi::sockets_join(Reply reply, const http::Request& req) {
    sockets_rooms(std::move(reply), req, true);
}
void RestApi::sockets_leave(Reply reply, const http::Request& req) {
    sockets_rooms(std::move(reply), req, false);
}

void RestApi::disconnect(Reply reply, const http::Request& req) {
    auto r = parse_body(req, parse_disconnect, reply);
    if (!r) {
        return;
    }
    auto* nsp = find_namespace(reply, r->target.nsp);
    if (nsp == nullptr) {
        return;
    }
    target_of(*nsp, r->target).disconnect_sockets(r->close);
    reply.ok();
}

// ---- cluster ------------------------------------------------------------------------------------

void RestApi::server_side_emit(Reply reply, const http::Request& req) {
    auto r = parse_body(req, parse_server_side_emit, reply);
    if (!r) {
        return;
    }
    auto* nsp = find_namespace(reply, r->nsp);
    if (nsp == nullptr) {
        return;
    }
    Payload relay;
    relay.args.push_back(json::object{{"event", r->event}, {"args", std::move(r->args)}, {"room", to_json(r->rooms)}});
    nsp->server_side_emit("contract:relay", std::move(relay));
    reply.ok();
}

void RestApi::peers(Reply reply, const http::Request& req) {
    auto name = parse_namespace_query(req.target());
    if (!name) {
        return reply.error(name.error());
    }
    auto* nsp = find_namespace(reply, *name);
    if (nsp == nullptr) {
        return;
    }
    // Standalone: nobody to ask. Otherwise ask every other instance, and answer at the latest
    // when the guard fires, whichever comes first.
    nsp->server_count([reply, nsp, executor = io_->executor()](socketio::ErrorCode ec, std::size_t count) {
        if (cluster_unavailable(ec)) {
            return reply.error(503, "the cluster is unreachable (Redis is down)");
        }
        if (!ec && count <= 1) {
            return reply.send_json(bhttp::status::ok, json::object{{"timedOut", false}, {"responses", json::array{}}});
        }
        struct Pending {
            explicit Pending(boost::asio::any_io_executor ex) : guard(std::move(ex)) {}
            boost::asio::steady_timer guard;
            bool answered = false;
        };
        auto pending = std::make_shared<Pending>(executor);
        pending->guard.expires_after(kPeersGuard);
        pending->guard.async_wait([reply, pending](boost::system::error_code wait_ec) {
            if (wait_ec || std::exchange(pending->answered, true)) {
                return;
            }
            reply.send_json(bhttp::status::ok, json::object{{"timedOut", true}, {"responses", json::array{}}});
        });
        nsp->server_side_emit(
            "contract:whoami", Payload{},
            [reply, pending](socketio::ErrorCode acks_ec, std::vector<json::value> responses) {
                if (std::exchange(pending->answered, true)) {
                    return;
                }
                pending->guard.cancel();
                if (cluster_unavailable(acks_ec)) {
                    return reply.error(503, "the cluster is unreachable (Redis is down)");
                }
                json::array out;
                for (auto& v : responses) {
                    out.push_back(std::move(v));
                }
                reply.send_json(bhttp::status::ok,
                                json::object{{"timedOut", static_cast<bool>(acks_ec)}, {"responses", std::move(out)}});
            });
    });
}

void RestApi::server_count(Reply reply, const http::Request& req) {
    auto name = parse_namespace_query(req.target());
    if (!name) {
        return reply.error(name.error());
    }
    auto* nsp = find_namespace(reply, *name);
    if (nsp == nullptr) {
        return;
    }
    nsp->server_count([reply](socketio::ErrorCode ec, std::size_t count) {
        if (ec) {
            return reply.error(503, fmt::format("serverCount failed: {}", ec.message()));
        }
        reply.send_json(bhttp::status::ok, json::object{{"count", count}});
    });
}

void RestApi::disconnect_reason(Reply reply, const http::Request& req) {
    auto q = parse_disconnect_reason_query(req.target());
    if (!q) {
        return reply.error(q.error());
    }
    auto entry = q->nsp ? disconnects_->find(*q->nsp, q->id) : disconnects_->find(q->id);
    if (!entry) {
        return reply.error(404, "no disconnect reason recorded for this socket");
    }
    reply.send_json(bhttp::status::ok,
                    json::object{{"id", entry->sid}, {"namespace", entry->nsp}, {"reason", entry->reason}});
}

}  // namespace sio::server
