#pragma once
// The built-in application of sio-server (docs/contract.md §3-4): the namespaces "/", "/custom" and
// "/secure", the events every client may send, the server-side events of §5, and the record of
// disconnect reasons that GET /disconnect-reason reads.

#include <memory>
#include <string>

#include <sio/socketio/server.hpp>

#include "disconnect_log.hpp"

namespace sio::server {

/** Installs the application on `io` at construction. Everything the handlers need is captured
    by value or shared ownership, so the handlers stay valid whatever the destruction order of
    App and `io`. Call on `io`'s executor. */
class App {
public:
    /** `disconnects` may be shared by the App of every loop. */
    App(socketio::Server& io, std::string instance_id, std::shared_ptr<DisconnectLog> disconnects);

    const std::string& instance_id() const noexcept { return instance_id_; }

private:
    void install(socketio::Namespace& nsp);

    std::string instance_id_;
    std::shared_ptr<DisconnectLog> disconnects_;
};

}  // namespace sio::server
