#pragma once
// The REST push API of docs/contract.md §5: JSON in, JSON out, on the same port as Socket.IO.
// Validation is in validation.hpp (pure, unit-tested); this class only routes, checks the
// bearer token and executes the typed requests against the Socket.IO server.

#include <memory>
#include <string>
#include <string_view>

#include <sio/http/connection.hpp>
#include <sio/http/types.hpp>
#include <sio/socketio/server.hpp>

#include "disconnect_log.hpp"

namespace sio::server {

struct RestSettings {
    std::string instance_id;
    std::string api_token;   // empty: no authentication
    bool clustered = false;  // reported by /info
};

/** Serves every request that is not under an Engine.IO path. Call on `io`'s executor. The
    answer may come later (emit-with-ack, fetchSockets, peers): the connection is kept alive by
    the pending callback. `io` and the log must outlive the requests in flight. */
class RestApi {
public:
    RestApi(socketio::Server& io, RestSettings settings, std::shared_ptr<const DisconnectLog> disconnects);

    void handle(const std::shared_ptr<http::HttpConnection>& connection, http::Request&& request);

private:
    class Reply;
    using Route = void (RestApi::*)(Reply, const http::Request&);

    void health(Reply reply, const http::Request& req);
    void info(Reply reply, const http::Request& req);
    void emit(Reply reply, const http::Request& req);
    void emit_with_ack(Reply reply, const http::Request& req);
    void sockets(Reply reply, const http::Request& req);
    void sockets_join(Reply reply, const http::Request& req);
    void sockets_leave(Reply reply, const http::Request& req);
    void disconnect(Reply reply, const http::Request& req);
    void server_side_emit(Reply reply, const http::Request& req);
    void peers(Reply reply, const http::Request& req);
    void server_count(Reply reply, const http::Request& req);
    void disconnect_reason(Reply reply, const http::Request& req);

    void sockets_rooms(Reply reply, const http::Request& req, bool join);
    /** The namespace `name`, or null after answering 404 (the three namespaces of docs/contract.md §3 only). */
    socketio::Namespace* find_namespace(const Reply& reply, const std::string& name) const;

    socketio::Server* io_;
    RestSettings settings_;
    std::shared_ptr<const DisconnectLog> disconnects_;
};

}  // namespace sio::server
