#pragma once
// A namespace: its sockets on this instance, middlewares, event handlers and adapter.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include <sio/socketio/adapter.hpp>
#include <sio/socketio/broadcast.hpp>
#include <sio/socketio/payload.hpp>
#include <sio/socketio/remote_socket.hpp>
#include <sio/socketio/socket.hpp>

namespace sio::socketio {

class Server;

/** A connection middleware (io.use / nsp.use): `next()` admits the socket, `next(Error{...})`
    refuses it with CONNECT_ERROR `{"message", "data"}`. `next` may be called later on the same
    loop; a result after the client left is ignored. */
using Middleware = std::function<void(Socket&, Next next)>;
/** A new connected socket. Keep `socket.shared_from_this()` to hold it beyond the call. */
using ConnectionHandler = std::function<void(Socket&)>;
/** Handles a serverSideEmit from another instance; `ack` is empty unless one was requested, and
    takes one value. */
using ServerSideHandler = std::function<void(Payload args, std::function<void(boost::json::value)> ack)>;
/** Runs when a connected socket of the namespace disconnects (after its own on_disconnect). */
using DisconnectHandler = std::function<void(Socket&, DisconnectReason)>;

class Namespace {
public:
    Namespace(Server& server, std::string name);
    ~Namespace();
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    const std::string& name() const noexcept { return name_; }
    Server& server() const noexcept { return *server_; }
    Adapter& adapter() noexcept { return *adapter_; }
    boost::asio::any_io_executor executor() const;

    // ---- application API -------------------------------------------------------------
    void use(Middleware fn);
    void on_connection(ConnectionHandler fn);
    /** A handler for `event` shared by every socket of the namespace (one closure, not one per
        socket): same shapes as Socket::on. It runs before the socket's own handlers. */
    template <class F>
    void on(std::string event, F&& handler) {
        set_event_handler(std::move(event), make_event_handler(std::forward<F>(handler)));
    }
    void set_event_handler(std::string event, EventHandler fn);
    /** Handler for serverSideEmit(event) from other instances. */
    void on_server_side(std::string event, ServerSideHandler fn);
    /** Runs for every connected socket of this namespace that disconnects: one handler for all
        sockets, where Socket::on_disconnect keeps a closure per socket. */
    void on_disconnect(DisconnectHandler fn) { disconnect_handlers_.push_back(std::move(fn)); }

    BroadcastOperator to(std::string room) { return BroadcastOperator(*this).to(std::move(room)); }
    BroadcastOperator to(const std::vector<std::string>& rooms) { return BroadcastOperator(*this).to(rooms); }
    BroadcastOperator in(std::string room) { return to(std::move(room)); }
    BroadcastOperator except(std::string room) { return BroadcastOperator(*this).except(std::move(room)); }
    BroadcastOperator local() { return BroadcastOperator(*this).local(); }
    BroadcastOperator volatile_() { return BroadcastOperator(*this).volatile_(); }
    BroadcastOperator timeout(std::chrono::milliseconds ms) { return BroadcastOperator(*this).timeout(ms); }
    BroadcastOperator all() { return BroadcastOperator(*this); }
    /** Accepted for compatibility; sio does not compress messages. */
    BroadcastOperator compress(bool enabled) { return all().compress(enabled); }
    bool emit(std::string_view event, Payload args = {}) { return all().emit(event, std::move(args)); }

    /** serverSideEmit: to every other instance (no-op when standalone). With `on_acks`, one
        value per other instance. Reserved: connect, connection, new_namespace. */
    bool server_side_emit(const std::string& event, Payload args,
                          std::function<void(ErrorCode, std::vector<boost::json::value>)> on_acks = {});
    void server_count(std::function<void(ErrorCode, std::size_t)> done) { adapter_->server_count(std::move(done)); }
    /** allRooms: every room of this namespace on every instance (socket-id rooms included),
        each once, sorted. Completes with `void(ErrorCode, std::vector<std::string>)` through
        any completion token; in cluster mode `timed_out` / `unavailable` come with the rooms
        known so far. */
    template <class Token>
    auto all_rooms(Token&& token) {
        return boost::asio::async_initiate<Token, void(ErrorCode, std::vector<std::string>)>(
            [this](auto handler) {
                adapter_->all_rooms(
                    detail::completion_function<ErrorCode, std::vector<std::string>>(std::move(handler), executor()));
            },
            token);
    }

    /** Local sockets by id. */
    std::shared_ptr<Socket> socket(const std::string& sid) const;
    /** The same without a reference count (for the broadcast loop); null if unknown. */
    Socket* find_socket(const std::string& sid) const noexcept;
    /** Connected sockets by id (the key views the socket's own id). */
    const std::unordered_map<std::string_view, std::shared_ptr<Socket>>& sockets() const noexcept { return sockets_; }

    // ---- used by Client / Adapter / Socket -------------------------------------------
    /** Runs a CONNECT for `client`: session recovery when the auth has string `pid` and
        `offset`, middlewares (skipped for a recovered session when skip_middlewares), then
        rooms, missed packets, the CONNECT answer and the connection handlers. */
    void connect(Client& client, boost::json::object auth);
    /** Removes a closed socket from the index. */
    void remove(const std::string& sid);
    /** The namespace's handler of `event`, or null. */
    const EventHandler* event_handler(const std::string& event) const noexcept;
    /** Dispatches a serverSideEmit from another instance (adapter). */
    void dispatch_server_side(const std::string& event, Payload args, std::function<void(boost::json::value)> ack);
    /** Runs the on_disconnect handlers for `socket`. */
    void dispatch_disconnect(Socket& socket, DisconnectReason reason);
    /** Next ack id for an outgoing packet (per namespace, shared with broadcasts). */
    std::uint64_t next_ack_id() noexcept { return next_ack_id_++; }

private:
    void connect_recovered(Client& client, RecoveredSession session, boost::json::object auth);
    void connect_new(Client& client, boost::json::object auth);
    void run_middlewares(std::shared_ptr<Socket> socket, std::size_t index,
                         std::shared_ptr<RecoveredSession> recovered);
    void finish_connect(const std::shared_ptr<Socket>& socket, const std::shared_ptr<RecoveredSession>& recovered);

    Server* server_;
    std::string name_;
    std::unique_ptr<Adapter> adapter_;
    std::vector<Middleware> middlewares_;
    std::vector<ConnectionHandler> connection_handlers_;
    std::unordered_map<std::string, EventHandler> event_handlers_;
    std::unordered_map<std::string, ServerSideHandler> server_side_handlers_;
    std::vector<DisconnectHandler> disconnect_handlers_;
    std::unordered_map<std::string_view, std::shared_ptr<Socket>> sockets_;  // key: view of the socket's id
    std::uint64_t next_ack_id_ = 0;
};

}  // namespace sio::socketio
