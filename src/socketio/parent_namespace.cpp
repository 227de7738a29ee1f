#include <sio/socketio/parent_namespace.hpp>

namespace sio::socketio {

void ParentNamespace::adopt(Namespace& child) {
    for (const auto& fn : middlewares_) child.use(fn);
    for (const auto& fn : connection_handlers_) child.on_connection(fn);
    for (const auto& fn : disconnect_handlers_) child.on_disconnect(fn);
    for (const auto& [event, fn] : event_handlers_) child.set_event_handler(event, fn);
    children_.push_back(&child);
}

}  // namespace sio::socketio
