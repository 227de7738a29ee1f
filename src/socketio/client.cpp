// Client: one per Engine.IO session.
// Incoming: text/binary message -> Decoder -> on_decoded: CONNECT -> Namespace::connect;
// other packets -> the socket of their namespace. Anything the protocol forbids (decode error,
// packet for a namespace not joined, second CONNECT, CONNECT_ERROR from the client) closes the
// whole session with `forced close`; the sockets then close from on_close with that reason.
// Outgoing: one text frame `4<packet>` + one binary frame per attachment, in one send(); with
// a custom parser (ServerOptions::parser) whatever frames it makes, and its decoder reads.
//
// A protocol 3 session (socket.io-client 2.x, Socket.IO protocol 4, admitted by allowEIO3;
// docs/protocol.md §1.14) is served as socket.io 4.8 does: joined to "/" as soon as it opens
// (such a client sends no CONNECT for "/"), its CONNECT's namespace carries the auth as a query
// string (`/admin?token=x`), CONNECT answers have no payload and a middleware refusal is sent
// as the error's data, or else its message, alone.

#include "socketio/client.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/url/parse.hpp>

#include <sio/socketio/frames.hpp>
#include <sio/core/log.hpp>
#include <sio/socketio/disconnect_reason.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/server.hpp>
#include <sio/socketio/socket.hpp>

namespace sio::socketio {

namespace {
const std::shared_ptr<spdlog::logger>& log() {
    static const auto logger = core::logger("socketio");
    return logger;
}

/** JavaScript truthiness, for `err.data || err.message`. */
bool truthy(const boost::json::value& v) noexcept {
    switch (v.kind()) {
        case boost::json::kind::null:
            return false;
        case boost::json::kind::bool_:
            return v.get_bool();
        case boost::json::kind::int64:
            return v.get_int64() != 0;
        case boost::json::kind::uint64:
            return v.get_uint64() != 0;
        case boost::json::kind::double_:
            return v.get_double() != 0 && v.get_double() == v.get_double();  // NaN is falsy
        case boost::json::kind::string:
            return !v.get_string().empty();
        default:
            return true;
    }
}

/** A socket.io-client 2.x namespace `/admin?token=x&a=b`: the path, and the query as the auth
    object (URLSearchParams: decoded, `+` is a space, the last of repeated keys wins). */
std::pair<std::string, boost::json::object> split_legacy_namespace(std::string_view nsp) {
    boost::json::object auth;
    auto end = nsp.find_first_of("?#");
    std::string path(nsp.substr(0, end));
    if (end != std::string_view::npos && nsp[end] == '?') {
        std::string_view query = nsp.substr(end + 1);
        query = query.substr(0, query.find('#'));
        const std::string text = std::string("?").append(query);  // the view below points into it
        auto ref = boost::urls::parse_relative_ref(text);
        if (ref) {
            for (auto param : ref->params(boost::urls::encoding_opts(true))) {
                auth[param.key] = param.has_value ? param.value : std::string();
            }
        }
    }
    return {std::move(path), std::move(auth)};
}

/** What socket.io 4.8 sends a protocol 3 client in place of `packet`. */
Packet legacy_packet(const Packet& packet) {
    Packet out{packet.type, packet.nsp, packet.id, nullptr, {}};
    if (packet.type == PacketType::connect_error) {
        // socket._error(err.data || err.message)
        if (const auto* o = packet.data.if_object()) {
            const auto* data = o->if_contains("data");
            const auto* message = o->if_contains("message");
            if (data && truthy(*data)) {
                out.data = *data;
            } else if (message) {
                out.data = *message;
            }
        } else {
            out.data = packet.data;
        }
    }
    return out;  // CONNECT: no payload
}

}  // namespace

Client::Client(Server& server, engineio::Session& session)
    : server_(&server), session_(&session), parser_(server.options().parser) {
    if (parser_) custom_decoder_ = parser_->make_decoder(10);  // Node's maxAttachments default
    server.register_client(this);
    if (server.options().connect_timeout.count() > 0) {
        connect_timer_ =
            std::make_unique<boost::asio::steady_timer>(server.executor(), server.options().connect_timeout);
        connect_timer_token_ = std::make_shared<int>(0);
        connect_timer_->async_wait(
            [this, token = std::weak_ptr<int>(connect_timer_token_)](boost::system::error_code ec) {
                if (ec || token.expired()) return;
                if (sockets_.empty()) {
                    log()->debug("sid={} joined no namespace within connect_timeout", session_->id());
                    close(engineio::CloseReason::forced_close);
                }
            });
    }
    if (session.protocol() == 3) {
        // On a later turn, as Node's middlewares run: the handshake answer goes out first. The
        // token expires if the client is closed or gone meanwhile.
        if (!connect_timer_token_) connect_timer_token_ = std::make_shared<int>(0);
        boost::asio::post(server.executor(), [this, token = std::weak_ptr<int>(connect_timer_token_)] {
            if (token.expired() || closing_ || !server_) return;
            connect("/", {});
        });
    }
}

Client::~Client() {
    // on_close normally ran already; if not, nobody will tell the sockets any more.
    if (server_) {
        auto sockets = sockets_;
        for (const auto& socket : sockets) socket->on_close(DisconnectReason::transport_close);
        server_->unregister_client(this);
    }
    for (const auto& socket : pending_) socket->detach();
}

// ---- incoming --------------------------------------------------------------------------------

void Client::on_message(std::string_view text) {
    if (closing_ || !server_) return;
    auto result = custom_decoder_ ? custom_decoder_->feed_text(text) : decoder_.feed_text(text);
    if (!result) return on_protocol_error(result.error().message());
    if (*result) on_decoded(std::move(**result));
}

void Client::on_binary(std::string_view bytes) {
    if (closing_ || !server_) return;
    auto result = custom_decoder_ ? custom_decoder_->feed_binary(bytes) : decoder_.feed_binary(bytes);
    if (!result) return on_protocol_error(result.error().message());
    if (*result) on_decoded(std::move(**result));
}

void Client::on_decoded(Packet packet) {
    boost::json::object legacy_auth;
    if (session_->protocol() == 3) std::tie(packet.nsp, legacy_auth) = split_legacy_namespace(packet.nsp);
    if (packet.type == PacketType::connect) {
        bool pending =
            std::any_of(pending_.begin(), pending_.end(), [&](const auto& s) { return s->nsp().name() == packet.nsp; });
        if (has_namespace(packet.nsp) || pending) return on_protocol_error("CONNECT for a joined namespace");
        boost::json::object auth = std::move(legacy_auth);  // protocol 3: the query, its only auth
        if (auto* o = packet.data.if_object(); o && session_->protocol() != 3) auth = std::move(*o);
        return connect(packet.nsp, std::move(auth));
    }
    const auto* found = find_socket(packet.nsp);
    if (!found) return on_protocol_error("packet for a namespace not joined");
    if (packet.type == PacketType::connect_error) return on_protocol_error("CONNECT_ERROR from the client");
    auto socket = *found;  // keeps it alive while its handlers run
    socket->on_packet(std::move(packet));
}

void Client::connect(const std::string& nsp, boost::json::object auth) {
    if (Namespace* existing = server_->find(nsp)) return existing->connect(*this, std::move(auth));
    // Perhaps a dynamic namespace: a parent's matcher may answer later, when this client may
    // be gone, so it is looked up again by its engine id.
    auto kept_auth = std::make_shared<boost::json::object>(std::move(auth));
    Server* server = server_;
    server_->resolve_namespace(
        nsp, *kept_auth, [server, candidate = this, engine_id = session_->id(), nsp, kept_auth](Namespace* target) {
            Client* live = server->live_client(candidate, engine_id);
            if (!live) return;
            if (target) return target->connect(*live, std::move(*kept_auth));
            // Refused, but the connection stays open (other namespaces are unaffected). Sent as
            // is whatever the protocol (socket.io 4.8 too), so not through send_packet.
            live->session().send(encode_frames(Packet{PacketType::connect_error,
                                                      nsp,
                                                      std::nullopt,
                                                      boost::json::object{{"message", "Invalid namespace"}},
                                                      {}},
                                               live->parser_.get()));
        });
}

void Client::on_protocol_error(std::string_view why) {
    log()->warn("sid={} closing: {}", session_->id(), why);
    close(engineio::CloseReason::forced_close);
}

void Client::on_close(engineio::CloseReason reason) {
    closing_ = true;
    if (!server_) return;  // detached: nothing left to tell
    stop_connect_timer();
    for (const auto& socket : pending_) socket->detach();  // their middleware results are dropped
    pending_.clear();
    release_if_empty(pending_);
    const DisconnectReason why = from_engine(reason);
    auto sockets = sockets_;  // each close removes itself from sockets_
    for (const auto& socket : sockets) socket->on_close(why);
    sockets_.clear();
    release_if_empty(sockets_);
}

// ---- outgoing --------------------------------------------------------------------------------

engineio::SendResult Client::send_packet(const Packet& packet, bool is_volatile) {
    if (session_->protocol() == 3 && (packet.type == PacketType::connect || packet.type == PacketType::connect_error)) {
        return session_->send(encode_frames(legacy_packet(packet), parser_.get()), is_volatile);
    }
    auto frames = encode_frames(packet, parser_.get());
    return session_->send(frames, is_volatile);
}

engineio::SendResult Client::send_frames(std::span<const engineio::SharedFrame> frames, bool is_volatile) {
    return session_->send(frames, is_volatile);
}

// ---- namespace bookkeeping -------------------------------------------------------------------

void Client::add_pending(const std::shared_ptr<Socket>& socket) {
    pending_.push_back(socket);
}

void Client::remove_pending(const Socket& socket) noexcept {
    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const auto& s) { return s.get() == &socket; });
    if (it != pending_.end()) pending_.erase(it);
    release_if_empty(pending_);
}

void Client::release_if_empty(std::vector<std::shared_ptr<Socket>>& sockets) noexcept {
    if (sockets.empty()) std::vector<std::shared_ptr<Socket>>().swap(sockets);
}

const std::shared_ptr<Socket>* Client::find_socket(std::string_view nsp) const noexcept {
    for (const auto& socket : sockets_) {
        if (socket->nsp().name() == nsp) return &socket;
    }
    return nullptr;
}

void Client::stop_connect_timer() noexcept {
    // Destroyed, not only cancelled: a connected client keeps no timer.
    connect_timer_.reset();
    connect_timer_token_.reset();
}

void Client::add_socket(const std::shared_ptr<Socket>& socket) {
    auto same_namespace = [&](const auto& s) { return &s->nsp() == &socket->nsp(); };
    if (auto it = std::find_if(sockets_.begin(), sockets_.end(), same_namespace); it != sockets_.end()) {
        *it = socket;
    } else {
        sockets_.push_back(socket);
    }
    stop_connect_timer();  // once a namespace is joined the timeout never applies again
}

void Client::remove_socket(const Socket& socket) noexcept {
    auto it = std::find_if(sockets_.begin(), sockets_.end(), [&](const auto& s) { return s.get() == &socket; });
    if (it != sockets_.end()) sockets_.erase(it);
    release_if_empty(sockets_);
}

void Client::disconnect_all() {
    auto sockets = sockets_;
    for (const auto& socket : sockets) socket->disconnect(false);
    close(engineio::CloseReason::forced_close);
}

void Client::close(engineio::CloseReason reason) {
    if (std::exchange(closing_, true)) return;
    stop_connect_timer();
    session_->close(reason);
}

void Client::detach() noexcept {
    server_ = nullptr;
    closing_ = true;
    stop_connect_timer();
    for (const auto& socket : sockets_) socket->detach();
    for (const auto& socket : pending_) socket->detach();
    sockets_.clear();
    pending_.clear();
}

}  // namespace sio::socketio
