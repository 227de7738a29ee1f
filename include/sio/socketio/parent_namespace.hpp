#pragma once
// Dynamic namespaces (socket.io's `io.of(regex)` / `io.of((name, auth, next) => ...)`): a
// parent namespace matches names that no namespace has yet; the first CONNECT to a matching
// name creates the child, which starts with the parent's middlewares and handlers.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include <sio/socketio/namespace.hpp>

namespace sio::socketio {

/** Decides whether a CONNECT to `name` (with its auth) may create a namespace: `next(true)`
    admits. `next` may be called later, on the same loop. */
using NamespaceMatcher =
    std::function<void(const std::string& name, const boost::json::object& auth, std::function<void(bool)> next)>;

class ParentNamespace {
public:
    explicit ParentNamespace(NamespaceMatcher matcher) : matcher_(std::move(matcher)) {}
    ParentNamespace(const ParentNamespace&) = delete;
    ParentNamespace& operator=(const ParentNamespace&) = delete;

    /** Registered on every child created from now on (as in socket.io, a child copies them
        when it is created). */
    void use(Middleware fn) { middlewares_.push_back(std::move(fn)); }
    void on_connection(ConnectionHandler fn) { connection_handlers_.push_back(std::move(fn)); }
    void on_disconnect(DisconnectHandler fn) { disconnect_handlers_.push_back(std::move(fn)); }
    template <class F>
    void on(std::string event, F&& handler) {
        event_handlers_.emplace_back(std::move(event), make_event_handler(std::forward<F>(handler)));
    }

    /** Emits to every socket of every child. */
    template <class... Args>
    bool emit(std::string_view event, Args&&... args) {
        Payload payload = make_payload(std::forward<Args>(args)...);
        bool sent = !is_reserved_event(event);
        for (Namespace* child : children_) sent = child->emit(event, payload) && sent;
        return sent;
    }
    /** The namespaces created from this parent, in creation order. */
    const std::vector<Namespace*>& children() const noexcept { return children_; }

    // ---- used by Server -------------------------------------------------------------------
    const NamespaceMatcher& matcher() const noexcept { return matcher_; }
    /** Gives the new namespace `child` this parent's middlewares and handlers. */
    void adopt(Namespace& child);

private:
    NamespaceMatcher matcher_;
    std::vector<Middleware> middlewares_;
    std::vector<ConnectionHandler> connection_handlers_;
    std::vector<DisconnectHandler> disconnect_handlers_;
    std::vector<std::pair<std::string, EventHandler>> event_handlers_;
    std::vector<Namespace*> children_;
};

}  // namespace sio::socketio
