// socketio::Server: the namespace registry and the entry point of new Engine.IO sessions.
// Shutdown order matters: sockets first (their close path touches namespaces and adapters),
// then the engine, whose sessions own the clients.

#include <sio/socketio/server.hpp>

#include <vector>

#include "socketio/client.hpp"

namespace sio::socketio {

namespace {
std::string normalise(std::string name) {
    if (name.empty() || name.front() != '/') name.insert(name.begin(), '/');
    return name;
}
}  // namespace

namespace {
ServerOptions with_shard_fields(ServerOptions options) {
    if (options.group) {
        options.engine.shard = options.shard;
        options.engine.shard_count = options.group->size();
    }
    return options;
}
}  // namespace

Server::Server(boost::asio::any_io_executor executor, ServerOptions options, WithoutEngine)
    : executor_(std::move(executor)),
      options_(with_shard_fields(std::move(options))),
      ids_(options_.shard, options_.group ? options_.group->size() : 1) {
    if (options_.group) options_.group->attach(options_.shard, this);
    of("/");  // the main namespace always exists
}

Server::~Server() {
    // The engine's sessions own the clients; a session may outlive the engine (pending async
    // operations keep it), so detach every client first: afterwards they touch nothing here.
    for (Client* client : std::vector<Client*>(clients_.begin(), clients_.end())) client->detach();
    clients_.clear();
    close_engine_ = nullptr;
    engine_.reset();
    if (options_.group) options_.group->detach(options_.shard, this);
}

Namespace& Server::of(std::string name) {
    name = normalise(std::move(name));
    auto it = namespaces_.find(name);
    if (it == namespaces_.end()) {
        it = namespaces_.emplace(name, std::make_unique<Namespace>(*this, name)).first;
        announce(*it->second);
    }
    return *it->second;
}

Namespace* Server::find(const std::string& name) noexcept {
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? nullptr : it->second.get();
}

std::unique_ptr<engineio::SessionHandler> Server::accept(engineio::Session& session) {
    return std::make_unique<Client>(*this, session);
}

Client* Server::live_client(Client* candidate, const std::string& engine_id) const noexcept {
    // The id check guards against a new client allocated at a freed client's address.
    if (!clients_.contains(candidate) || candidate->session().id() != engine_id) return nullptr;
    return candidate;
}

void Server::announce(Namespace& nsp) {
    auto handlers = new_namespace_handlers_;  // copied: a handler may add another one
    for (const auto& handler : handlers) handler(nsp);
}

ParentNamespace& Server::of(std::regex pattern) {
    return of(NamespaceMatcher(
        [pattern = std::move(pattern)](const std::string& name, const boost::json::object&,
                                       std::function<void(bool)> next) { next(std::regex_match(name, pattern)); }));
}

ParentNamespace& Server::of(NamespaceMatcher matcher) {
    parents_.push_back(std::make_unique<ParentNamespace>(std::move(matcher)));
    return *parents_.back();
}

void Server::resolve_namespace(const std::string& name, const boost::json::object& auth,
                               std::function<void(Namespace*)> done) {
    if (Namespace* existing = find(name)) return done(existing);
    try_parent(0, name, auth, std::move(done));
}

void Server::try_parent(std::size_t index, const std::string& name, const boost::json::object& auth,
                        std::function<void(Namespace*)> done) {
    if (index >= parents_.size()) return done(nullptr);
    auto called = std::make_shared<bool>(false);
    // The matcher may answer later: `this` outlives it (the server owns the parents), and
    // the caller checks that its client is still there.
    parents_[index]->matcher()(
        name, auth, [this, index, name, auth, done = std::move(done), called](bool admitted) mutable {
            if (std::exchange(*called, true)) return;
            if (!admitted) return try_parent(index + 1, name, auth, std::move(done));
            if (Namespace* existing = find(name)) return done(existing);  // created meanwhile
            // The child has the parent's registrations before new_namespace handlers see it.
            Namespace& child = *namespaces_.emplace(name, std::make_unique<Namespace>(*this, name)).first->second;
            parents_[index]->adopt(child);
            announce(child);
            done(&child);
        });
}

void Server::close() {
    for (auto& [name, nsp] : namespaces_) {
        std::vector<std::shared_ptr<Socket>> sockets;
        sockets.reserve(nsp->sockets().size());
        for (const auto& [sid, socket] : nsp->sockets()) sockets.push_back(socket);
        for (const auto& socket : sockets) socket->on_close(DisconnectReason::server_shutting_down);
    }
    if (close_engine_) {
        close_engine_();
    } else {
        for (Client* client : std::vector<Client*>(clients_.begin(), clients_.end()))
            client->close(engineio::CloseReason::server_shutting_down);
    }
}

}  // namespace sio::socketio
