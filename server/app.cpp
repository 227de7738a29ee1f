#include "app.hpp"

// Flow: App's constructor creates the three namespaces, adds the /secure middleware, and
// installs on each one the same connection handler, event handlers and server-side handlers.
// Argument checking is in validation.cpp; here an invalid request only turns into
// ack({"error": ...}) when the client asked for an ack, and never disconnects anybody.

#include <algorithm>
#include <cstdint>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <sio/core/log.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/socket.hpp>

#include "validation.hpp"

namespace sio::server {

namespace json = boost::json;
using socketio::Ack;
using socketio::Payload;

namespace {

/** A payload of exactly one JSON argument. */
Payload one(json::value v) {
    Payload p;
    p.args.push_back(std::move(v));
    return p;
}

/** JSON arguments that may hold placeholders of `source`'s attachments: forwarded with all of
    them, so binary survives (the numbering refers to the original packet). */
Payload forward(json::array args, const Payload& source) {
    Payload p(std::move(args));
    p.attachments = source.attachments;
    return p;
}

void ack_error(Ack& ack, const Invalid& error) {
    if (ack) {
        ack(one(json::object{{"error", error.message}}));
    }
}

/** Rooms of the socket, sorted, without its own id (docs/contract.md §4 `whoami`, `join`). */
json::array rooms_without_self(const socketio::Socket& socket) {
    auto rooms = socket.rooms();
    std::sort(rooms.begin(), rooms.end());
    json::array out;
    for (auto& room : rooms) {
        if (room != socket.id()) {
            out.emplace_back(room);
        }
    }
    return out;
}

// ---- event handlers ------------------------------------------------------------------------

void on_message(socketio::Socket& socket, Payload args, Ack) {
    socket.emit("message-back", std::move(args));
}

void on_ack_back(socketio::Socket&, Payload args, Ack ack) {
    if (ack) {
        ack(std::move(args));
    }
}

void on_echo(socketio::Socket& socket, Payload args, Ack) {
    socket.emit("echo", std::move(args));
}

void on_join(socketio::Socket& socket, Payload args, Ack ack) {
    auto rooms = parse_join_args(args.args);
    if (!rooms) {
        return ack_error(ack, rooms.error());
    }
    socket.join(*rooms);
    if (ack) {
        ack(one(json::object{{"rooms", rooms_without_self(socket)}}));
    }
}

void on_leave(socketio::Socket& socket, Payload args, Ack ack) {
    auto rooms = parse_join_args(args.args);
    if (!rooms) {
        return ack_error(ack, rooms.error());
    }
    for (const auto& room : *rooms) {
        socket.leave(room);
    }
    if (ack) {
        ack(one(json::object{{"rooms", rooms_without_self(socket)}}));
    }
}

void on_room_emit(socketio::Socket& socket, Payload args, Ack ack) {
    auto req = parse_room_emit(args.args);
    if (!req) {
        return ack_error(ack, req.error());
    }
    auto op = socket.broadcast();
    if (!req->rooms.empty()) {
        op = op.to(req->rooms);
    }
    if (!req->except.empty()) {
        op = op.except(req->except);
    }
    op.emit(req->event, forward(std::move(req->args), args));
    if (ack) {
        ack(one(json::object{{"ok", true}}));
    }
}

void on_request_ack(socketio::Socket& socket, Payload args, Ack ack) {
    if (!ack) {  // nobody to tell the outcome to
        return;
    }
    auto req = parse_request_ack(args.args);
    if (!req) {
        return ack_error(ack, req.error());
    }
    socket.timeout(req->timeout)
        .emit_with_ack(req->event, forward(std::move(req->args), args), [ack](socketio::ErrorCode ec, Payload reply) {
            const bool timed_out = ec == socketio::ack_errc::timeout;
            Payload answer;
            json::array client_args = ec ? json::array{} : std::move(reply.args);
            answer.args.push_back(json::object{{"timedOut", timed_out}, {"args", std::move(client_args)}});
            if (!ec) answer.attachments = std::move(reply.attachments);
            ack(std::move(answer));
        });
}

void on_volatile_burst(socketio::Socket& socket, Payload args, Ack ack) {
    auto req = parse_volatile_burst(args.args);
    if (!req) {
        return ack_error(ack, req.error());
    }
    for (std::uint64_t i = 0; i < req->count; ++i) {
        socket.emit_volatile(req->event, one(json::value(i)));
    }
    socket.emit(req->event + ":done", one(json::value(req->count)));
    if (ack) {
        ack(one(json::object{{"ok", true}}));
    }
}

void on_disconnect_me(socketio::Socket& socket, Payload args, Ack) {
    bool close = !args.args.empty() && args.args[0].is_bool() && args.args[0].get_bool();
    socket.disconnect(close);
}

}  // namespace

// ---- App ------------------------------------------------------------------------------------

App::App(socketio::Server& io, std::string instance_id, std::shared_ptr<DisconnectLog> disconnects)
    : instance_id_(std::move(instance_id)), disconnects_(std::move(disconnects)) {
    for (auto name : kNamespaces) {
        install(io.of(std::string(name)));
    }
    // /secure: admitted only with auth.token === "ok" (a string, exactly).
    io.of("/secure").use([](socketio::Socket& socket, std::function<void(std::optional<socketio::ConnectError>)> next) {
        const auto& auth = socket.auth();
        auto it = auth.find("token");
        if (it != auth.end() && it->value().is_string() && it->value().get_string() == "ok") {
            next(std::nullopt);
        } else {
            next(socketio::ConnectError{"unauthorized", json::object{{"code", 401}}});
        }
    });
}

void App::install(socketio::Namespace& nsp) {
    auto log = core::logger("app");

    // Every socket without a string auth.user has the same data: one shared object for all of
    // them (Socket::share_data) instead of ~150 bytes of JSON each.
    auto anonymous = std::make_shared<const json::value>(json::object{{"instance", instance_id_}, {"user", nullptr}});
    nsp.on_connection([instance = instance_id_, anonymous, nsp_name = nsp.name(), log](socketio::Socket& socket) {
        const auto& auth = socket.auth();
        if (!socket.recovered()) {  // a recovered socket keeps its data
            if (auto it = auth.find("user"); it != auth.end() && it->value().is_string()) {
                socket.data() = json::object{{"instance", instance}, {"user", it->value()}};
            } else {
                socket.share_data(anonymous);
            }
        }
        log->debug("nsp={} id={} connected{}", nsp_name, socket.id(), socket.recovered() ? " (recovered)" : "");
        socket.emit("auth", one(json::value(auth)));
    });

    // One handler for every socket of the namespace (a closure per socket would cost each
    // connection a heap block).
    nsp.on_disconnect(
        [disconnects = disconnects_, nsp_name = nsp.name(), log](socketio::Socket& s, socketio::DisconnectReason why) {
            log->debug("nsp={} id={} disconnected: {}", nsp_name, s.id(), socketio::to_string(why));
            disconnects->record(nsp_name, s.id(), socketio::to_string(why));
        });

    nsp.on("message", on_message);
    nsp.on("message-with-ack", on_ack_back);
    nsp.on("ack", on_ack_back);
    nsp.on("echo", on_echo);
    nsp.on("join", on_join);
    nsp.on("leave", on_leave);
    nsp.on("room-emit", on_room_emit);
    nsp.on("request-ack", on_request_ack);
    nsp.on("volatile-burst", on_volatile_burst);
    nsp.on("disconnect-me", on_disconnect_me);
    nsp.on("whoami", [instance = instance_id_](socketio::Socket& socket, Payload, Ack ack) {
        if (!ack || !socket.connected()) {
            return;
        }
        json::object who{
            {"id", socket.id()},
            {"nsp", socket.nsp().name()},
            {"instance", instance},
            {"engineId", socket.engine_id()},
            {"transport", socket.transport()},
            {"auth", socket.auth()},
            {"query", socketio::query_json(socket.handshake().query())},
            {"rooms", rooms_without_self(socket)},
            {"recovered", socket.recovered()},
            {"data", std::as_const(socket).data()},
        };
        ack(one(std::move(who)));
    });

    // ---- server-side events (docs/contract.md §5), from other cluster members ------------------------
    nsp.on_server_side("contract:relay", [&nsp, log](Payload args, std::function<void(json::value)>) {
        auto req = parse_relay(args.args);
        if (!req) {
            log->warn("nsp={} contract:relay ignored: {}", nsp.name(), req.error().message);
            return;
        }
        auto op = nsp.local();
        if (!req->rooms.empty()) {
            op = op.to(req->rooms);
        }
        op.emit(req->event, forward(std::move(req->args), args));
    });
    nsp.on_server_side("contract:whoami", [instance = instance_id_](Payload, std::function<void(json::value)> ack) {
        if (ack) {
            ack(json::object{{"instance", instance}});
        }
    });
}

}  // namespace sio::server
