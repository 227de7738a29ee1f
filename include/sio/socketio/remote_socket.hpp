#pragma once
// RemoteSocket: a socket found by fetchSockets, on this instance or another one (socket.io's
// RemoteSocket). It acts through the namespace's adapter, so it works wherever the socket is.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include <sio/socketio/adapter.hpp>
#include <sio/socketio/broadcast.hpp>

namespace sio::socketio {

class RemoteSocket {
public:
    RemoteSocket(Namespace& nsp, SocketInfo info) : nsp_(&nsp), info_(std::move(info)) {}

    const std::string& id() const noexcept { return info_.id; }
    /** The Node `socket.handshake` object (headers, time, address, query, auth, ...). */
    const boost::json::value& handshake() const noexcept { return info_.handshake; }
    /** Its rooms when fetched (its own id included). */
    const std::vector<std::string>& rooms() const noexcept { return info_.rooms; }
    /** Its socket.data when fetched. */
    const boost::json::value& data() const noexcept { return info_.data; }
    const SocketInfo& info() const noexcept { return info_; }

    /** Emits to this socket only (`emit("ev", args...)` as Socket::emit). */
    template <class... Args>
    bool emit(std::string_view event, Args&&... args) const {
        return target().emit(event, std::forward<Args>(args)...);
    }
    /** For `remote.timeout(ms).emit_with_ack("ev", args..., token)`. */
    BroadcastOperator timeout(std::chrono::milliseconds ms) const { return target().timeout(ms); }
    void join(const std::string& room) const { target().sockets_join({room}); }
    void join(const std::vector<std::string>& rooms) const { target().sockets_join(rooms); }
    void leave(const std::string& room) const { target().sockets_leave({room}); }
    /** Disconnects it from the namespace; `close` also closes its connection. */
    void disconnect(bool close = false) const { target().disconnect_sockets(close); }

private:
    BroadcastOperator target() const { return BroadcastOperator(*nsp_).to(info_.id); }

    Namespace* nsp_;
    SocketInfo info_;
};

}  // namespace sio::socketio
