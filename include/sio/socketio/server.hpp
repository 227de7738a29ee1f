#pragma once
// The Socket.IO server facade (socket.io's `Server`): namespaces over an Engine.IO server.

#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include <sio/core/id_generator.hpp>
#include <sio/engineio/server.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/options.hpp>
#include <sio/socketio/parent_namespace.hpp>
#include <sio/socketio/server_group.hpp>

namespace sio::socketio {

/** One per event loop. Not thread-safe: call on its executor only.
    Typical use:
        sio::socketio::Server io(ioc.get_executor(), opts);
        io.of("/").on("chat", [](auto& socket, Payload args, Ack ack) { ... });
        router.mount(io.engine());   // requests under opts.path
*/
/** Tag for the Server constructor that makes no Engine.IO server. */
struct WithoutEngine {
    explicit WithoutEngine() = default;
};
inline constexpr WithoutEngine without_engine{};

class Client;

class Server {
public:
    /** Makes the Engine.IO server for `options.path` whose sessions get a Socket.IO client. */
    Server(boost::asio::any_io_executor executor, ServerOptions options);
    /** No Engine.IO server: sessions are fed through accept() (unit tests, embedding);
        engine() must not be called. */
    Server(boost::asio::any_io_executor executor, ServerOptions options, WithoutEngine);
    /** Detaches every live client (no disconnect callbacks run); close() first for an orderly
        shutdown. */
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /** The namespace `name` ("chat" is normalised to "/chat"), created on first use. */
    Namespace& of(std::string name);
    /** A parent namespace for every name `pattern` matches entirely (io.of(/^\/room-\d+$/)). */
    ParentNamespace& of(std::regex pattern);
    /** A parent namespace whose `matcher` decides, per CONNECT, whether a name may be created. */
    ParentNamespace& of(NamespaceMatcher matcher);
    /** An existing namespace, or null. */
    Namespace* find(const std::string& name) noexcept;
    /** Runs for every namespace created from now on (io.on("new_namespace")): explicitly with
        of(name) or from a parent namespace. */
    void on_new_namespace(std::function<void(Namespace&)> fn) { new_namespace_handlers_.push_back(std::move(fn)); }

    /** The namespace a CONNECT to `name` goes to: an existing one, or one created by the first
        parent namespace (in registration order) that admits the name; null (refused with
        "Invalid namespace") when none does. `done` may run later, on this loop. */
    void resolve_namespace(const std::string& name, const boost::json::object& auth,
                           std::function<void(Namespace*)> done);

    /** The Engine.IO server to mount on the HTTP router at `options().path`. */
    engineio::Server& engine() noexcept { return *engine_; }
    bool has_engine() const noexcept { return engine_ != nullptr; }

    /** The Socket.IO handler of a new Engine.IO session (the engine's connection callback).
        The session owns the result. */
    std::unique_ptr<engineio::SessionHandler> accept(engineio::Session& session);
    const ServerOptions& options() const noexcept { return options_; }
    boost::asio::any_io_executor executor() const { return executor_; }
    core::IdGenerator& ids() noexcept { return ids_; }
    /** The shards of this process (null: one loop) and this server's index among them. */
    ServerGroup* group() const noexcept { return options_.group.get(); }
    std::size_t shard() const noexcept { return options_.shard; }

    /** Calls `done` on this loop once every WebSocket frame sent so far has been handed to the
        kernel on every loop of the process (each loop's flush list done; a connection whose
        socket buffer is full does not hold it back). sio-server answers `POST /emit` from here,
        as Node answers after its synchronous writes. */
    void when_written(std::function<void()> done);

    /** Disconnects every socket with `server shutting down` (a recoverable reason: sessions
        are persisted when recovery is on) and closes every session. */
    void close();

    // ---- used by Client ------------------------------------------------------------------
    void register_client(Client* client) { clients_.insert(client); }
    void unregister_client(Client* client) noexcept { clients_.erase(client); }
    /** `candidate` if it is still a live client of the Engine.IO session `engine_id` (after
        an asynchronous step), else null. */
    Client* live_client(Client* candidate, const std::string& engine_id) const noexcept;

private:
    boost::asio::any_io_executor executor_;
    ServerOptions options_;
    core::IdGenerator ids_;
    void announce(Namespace& nsp);
    void try_parent(std::size_t index, const std::string& name, const boost::json::object& auth,
                    std::function<void(Namespace*)> done);

    std::map<std::string, std::unique_ptr<Namespace>> namespaces_;
    std::vector<std::unique_ptr<ParentNamespace>> parents_;
    std::vector<std::function<void(Namespace&)>> new_namespace_handlers_;
    std::unordered_set<Client*> clients_;  // live clients, not owned (their sessions own them)
    // Type-erased (shared_ptr deleter, close hook) so that code using Server only through
    // accept() links without the engine: only the engine-making constructor refers to it.
    std::shared_ptr<engineio::Server> engine_;
    std::function<void()> close_engine_;
};

}  // namespace sio::socketio
