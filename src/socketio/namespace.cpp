// Namespace: the CONNECT flow and the dispatch of incoming events.
// CONNECT: [restore session] -> middlewares in order (each may answer later; a refusal sends
// CONNECT_ERROR and keeps the connection) -> finish_connect: index + rooms, missed packets,
// CONNECT answer, connection handlers. A result that arrives after the client left is dropped.

#include <sio/socketio/namespace.hpp>

#include <sio/socketio/memory_adapter.hpp>
#include <sio/core/log.hpp>
#include <sio/socketio/server.hpp>

#include "socketio/client.hpp"

namespace sio::socketio {

namespace {

std::unique_ptr<Adapter> make_adapter(Namespace& nsp, const ServerOptions& options) {
    if (options.adapter_factory) return options.adapter_factory(nsp);
    socketio::MemoryAdapterOptions memory;
    memory.session_aware = options.connection_state_recovery;
    memory.max_disconnection_duration = options.max_disconnection_duration;
    if (options.shard > 0) memory.offset_suffix = "~" + std::to_string(options.shard);
    return std::make_unique<socketio::MemoryAdapter>(nsp, std::move(memory));
}

const boost::json::string* string_member(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_string() : nullptr;
}

}  // namespace

Namespace::Namespace(Server& server, std::string name) : server_(&server), name_(std::move(name)) {
    adapter_ = make_adapter(*this, server.options());
}

Namespace::~Namespace() = default;

boost::asio::any_io_executor Namespace::executor() const {
    return server_->executor();
}

void Namespace::use(Middleware fn) {
    middlewares_.push_back(std::move(fn));
}

void Namespace::on_connection(ConnectionHandler fn) {
    connection_handlers_.push_back(std::move(fn));
}

void Namespace::set_event_handler(std::string event, EventHandler fn) {
    event_handlers_.insert_or_assign(std::move(event), std::move(fn));
}

void Namespace::on_server_side(std::string event, ServerSideHandler fn) {
    server_side_handlers_.insert_or_assign(std::move(event), std::move(fn));
}

bool Namespace::server_side_emit(const std::string& event, Payload args,
                                 std::function<void(ErrorCode, std::vector<boost::json::value>)> on_acks) {
    if (is_reserved_server_side_event(event)) return false;
    adapter_->server_side_emit(event, args, std::move(on_acks));
    return true;
}

Socket* Namespace::find_socket(const std::string& sid) const noexcept {
    auto it = sockets_.find(sid);
    return it == sockets_.end() ? nullptr : it->second.get();
}

std::shared_ptr<Socket> Namespace::socket(const std::string& sid) const {
    auto it = sockets_.find(sid);
    return it == sockets_.end() ? nullptr : it->second;
}

// ---- CONNECT -------------------------------------------------------------------------------

void Namespace::connect(Client& client, boost::json::object auth) {
    const auto& options = server_->options();
    if (options.connection_state_recovery && adapter_->supports_recovery()) {
        const auto* pid = string_member(auth, "pid");
        const auto* offset = string_member(auth, "offset");
        if (pid && offset) {
            std::string pid_value(*pid), offset_value(*offset);
            auto kept_auth = std::make_shared<boost::json::object>(std::move(auth));
            // Answered now when this shard keeps the session, later when another one does:
            // the client may have gone meanwhile, so it is looked up again by its engine id.
            adapter_->restore_session(pid_value, offset_value,
                                      [this, candidate = &client, engine_id = client.session().id(),
                                       kept_auth](std::optional<RecoveredSession> session) {
                                          Client* live = server_->live_client(candidate, engine_id);
                                          if (!live) return;
                                          if (session) {
                                              connect_recovered(*live, std::move(*session), std::move(*kept_auth));
                                          } else {
                                              connect_new(*live, std::move(*kept_auth));
                                          }
                                      });
            return;
        }
    }
    connect_new(client, std::move(auth));
}

void Namespace::connect_recovered(Client& client, RecoveredSession session, boost::json::object auth) {
    auto recovered = std::make_shared<RecoveredSession>(std::move(session));
    auto socket = std::make_shared<Socket>(*this, client, recovered->sid, recovered->pid, std::move(auth));
    socket->set_recovered(true);
    socket->data() = std::move(recovered->data);
    if (server_->options().skip_middlewares) {
        finish_connect(socket, recovered);
    } else {
        client.add_pending(socket);
        run_middlewares(std::move(socket), 0, std::move(recovered));
    }
}

void Namespace::connect_new(Client& client, boost::json::object auth) {
    // Not recoverable (no pid/offset, unknown or expired session, offset gone): a new socket,
    // not an error.
    // socket.io 2.x clients (Engine.IO 3) expect socket.io 2's ids, derived from the engine's
    // sid, as socket.io 4.8 gives them; everyone else gets a fresh random id, since the
    // engine's sid is what lets a polling client's requests be taken over.
    std::string sid = client.session().protocol() == 3
                          ? (name_ == "/" ? client.session().id() : name_ + "#" + client.session().id())
                          : server_->ids().next();
    std::string pid = server_->options().connection_state_recovery ? server_->ids().next() : std::string();
    auto socket = std::make_shared<Socket>(*this, client, std::move(sid), std::move(pid), std::move(auth));
    client.add_pending(socket);
    run_middlewares(std::move(socket), 0, nullptr);
}

void Namespace::run_middlewares(std::shared_ptr<Socket> socket, std::size_t index,
                                std::shared_ptr<RecoveredSession> recovered) {
    if (index == middlewares_.size()) {
        if (Client* client = socket->client()) client->remove_pending(*socket);
        finish_connect(socket, recovered);
        return;
    }
    auto called = std::make_shared<bool>(false);
    auto next = [this, socket, index, recovered, called](std::optional<ConnectError> error) {
        if (std::exchange(*called, true)) return;  // next() counts once
        Client* client = socket->client();
        if (!client) return;  // the client left meanwhile (checked before touching `this`)
        if (error) {
            client->remove_pending(*socket);
            socket->detach();
            boost::json::object data{{"message", error->message}};
            if (!error->data.is_null()) data.emplace("data", std::move(error->data));
            client->send_packet(Packet{PacketType::connect_error, name_, std::nullopt, std::move(data), {}});
            return;
        }
        run_middlewares(socket, index + 1, recovered);
    };
    // Copied: a middleware may register another one.
    Middleware fn = middlewares_[index];
    fn(*socket, std::move(next));
}

void Namespace::finish_connect(const std::shared_ptr<Socket>& socket,
                               const std::shared_ptr<RecoveredSession>& recovered) {
    Client* client = socket->client();
    if (!client) return;
    const std::string& sid = socket->id();
    // Erased first: insert_or_assign would keep a key viewing the replaced socket's id.
    sockets_.erase(sid);
    sockets_.emplace(std::string_view(sid), socket);
    if (recovered) {
        adapter_->add_all(sid, recovered->rooms);
        // Before the CONNECT answer, as Node does: socket.io-client buffers them until then.
        // Their frames as first sent (offset included), as Node re-emits the logged packet.
        for (const auto& frames : recovered->missed_packets) socket->send_frames(frames, false);
    }
    adapter_->add_all(sid, {sid});
    socket->mark_connected();
    client->add_socket(socket);

    boost::json::object answer{{"sid", sid}};
    if (server_->options().connection_state_recovery) answer.emplace("pid", socket->pid());
    socket->send_packet(Packet{PacketType::connect, name_, std::nullopt, std::move(answer), {}});

    // Copied: a handler may add another one.
    auto handlers = connection_handlers_;
    for (const auto& handler : handlers) handler(*socket);
}

void Namespace::remove(const std::string& sid) {
    sockets_.erase(sid);
}

// ---- dispatch --------------------------------------------------------------------------------

const EventHandler* Namespace::event_handler(const std::string& event) const noexcept {
    auto it = event_handlers_.find(event);
    return it == event_handlers_.end() ? nullptr : &it->second;
}

void Namespace::dispatch_disconnect(Socket& socket, DisconnectReason reason) {
    // Copied: a handler may add another one.
    auto handlers = disconnect_handlers_;
    for (const auto& handler : handlers) handler(socket, reason);
}

void Namespace::dispatch_server_side(const std::string& event, Payload args,
                                     std::function<void(boost::json::value)> ack) {
    auto it = server_side_handlers_.find(event);
    if (it == server_side_handlers_.end()) return;
    ServerSideHandler handler = it->second;
    handler(std::move(args), std::move(ack));
}

}  // namespace sio::socketio
