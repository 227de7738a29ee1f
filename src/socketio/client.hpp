#pragma once
// socketio::Client: the Socket.IO side of one Engine.IO session (socket.io's Client). Decodes
// the session's messages, multiplexes namespaces (one Socket per connected namespace), answers
// CONNECTs, enforces connect_timeout and turns any protocol violation into closing the whole
// session with `forced close`. Owned by the session; every call on the server's event loop.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <sio/engineio/frame.hpp>
#include <sio/engineio/session.hpp>
#include <sio/socketio/frames.hpp>
#include <sio/socketio/packet.hpp>
#include <sio/socketio/parser.hpp>

namespace sio::socketio {

class Server;
class Socket;

class Client final : public engineio::SessionHandler {
public:
    /** Registers with `server` (so that a destroyed Server detaches it) and arms the connect
        timer. */
    Client(Server& server, engineio::Session& session);
    ~Client() override;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // ---- engineio::SessionHandler --------------------------------------------------------
    void on_message(std::string_view text) override;
    void on_binary(std::string_view bytes) override;
    /** Every socket (connected or waiting for its middlewares) closes with from_engine(reason). */
    void on_close(engineio::CloseReason reason) override;

    // ---- used by Namespace / Socket / Server ---------------------------------------------
    engineio::Session& session() noexcept { return *session_; }
    Server* server() const noexcept { return server_; }

    /** Encodes `packet` with the server's parser (by default a text frame `4...` plus one
        binary frame per attachment) and sends it as one unit, so a volatile drop never splits
        it. */
    engineio::SendResult send_packet(const Packet& packet, bool is_volatile = false);
    engineio::SendResult send_frames(std::span<const engineio::SharedFrame> frames, bool is_volatile);

    /** A socket waiting for its middlewares: detached if the client goes away meanwhile. */
    void add_pending(const std::shared_ptr<Socket>& socket);
    void remove_pending(const Socket& socket) noexcept;
    /** The namespace connection succeeded: the socket now receives that namespace's packets
        (and the connect timer is stopped for good). */
    void add_socket(const std::shared_ptr<Socket>& socket);
    /** Socket close path: forget `socket`. */
    void remove_socket(const Socket& socket) noexcept;
    bool has_namespace(std::string_view nsp) const noexcept { return find_socket(nsp) != nullptr; }

    /** socket.disconnect(true): DISCONNECT to every namespace (reason `server namespace
        disconnect`), then close the session (`forced close`). */
    void disconnect_all();
    /** Closes the Engine.IO session; sockets close when on_close arrives. Idempotent. */
    void close(engineio::CloseReason reason = engineio::CloseReason::forced_close);
    /** The Server is going away: forget sockets silently, ignore everything from now on. */
    void detach() noexcept;

private:
    void on_decoded(Packet packet);
    void connect(const std::string& nsp, boost::json::object auth);
    void on_protocol_error(std::string_view why);
    void stop_connect_timer() noexcept;
    const std::shared_ptr<Socket>* find_socket(std::string_view nsp) const noexcept;
    /** Drops the allocation of an emptied vector (a held connection keeps none). */
    static void release_if_empty(std::vector<std::shared_ptr<Socket>>& sockets) noexcept;

    Server* server_;  // null once detached
    engineio::Session* session_;
    // ServerOptions::parser, shared: the client may outlive its server (detach). Null:
    // socket.io-parser, decoded by the inline decoder_ (no allocation, no virtual call);
    // otherwise its decoder, in custom_decoder_.
    std::shared_ptr<const Parser> parser_;
    Decoder decoder_;
    std::unique_ptr<PacketDecoder> custom_decoder_;
    std::unique_ptr<boost::asio::steady_timer> connect_timer_;  // until the first CONNECT succeeds
    // Weak in the connect timer's handler: expired once the timer is stopped or the client is
    // gone (a handler already queued then does nothing). Allocated only with the timer.
    std::shared_ptr<int> connect_timer_token_;
    // One per joined namespace, usually one or two: a vector, not a map (whose node cost a
    // held connection 80 bytes).
    std::vector<std::shared_ptr<Socket>> sockets_;
    std::vector<std::shared_ptr<Socket>> pending_;  // middlewares running
    bool closing_ = false;                          // close() asked, or on_close ran
};

}  // namespace sio::socketio
