#pragma once
// The Socket.IO server facade (socket.io's `Server`): namespaces over an Engine.IO server.

#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include <sio/core/id_generator.hpp>
#include <sio/engineio/server.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/options.hpp>

namespace sio::socketio {

/** One per event loop. Not thread-safe: call on its executor only.
    Typical use:
        sio::socketio::Server io(ioc.get_executor(), opts);
        io.of("/").on("chat", [](auto& socket, Payload args, Ack ack) { ... });
        router.mount(io.engine());   // requests under opts.path
*/
class Server {
public:
    Server(boost::asio::any_io_executor executor, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /** The namespace `name` ("chat" is normalised to "/chat"), created on first use. */
    Namespace& of(std::string name);
    /** An existing namespace, or null. Unknown namespaces are refused with "Invalid namespace". */
    Namespace* find(const std::string& name) noexcept;

    /** The Engine.IO server to mount on the HTTP router at `options().path`. */
    engineio::Server& engine() noexcept { return *engine_; }
    const ServerOptions& options() const noexcept { return options_; }
    boost::asio::any_io_executor executor() const { return executor_; }
    core::IdGenerator& ids() noexcept { return ids_; }

    /** Disconnects every socket with `server shutting down` and closes every session. */
    void close();

private:
    boost::asio::any_io_executor executor_;
    ServerOptions options_;
    core::IdGenerator ids_;
    std::unique_ptr<engineio::Server> engine_;
    std::map<std::string, std::unique_ptr<Namespace>> namespaces_;
};

}  // namespace sio::socketio
