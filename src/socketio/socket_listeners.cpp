// Socket listeners: registration, and the path of an incoming event through them.
// Incoming EVENT (socket.io's order): any-listeners -> packet middlewares (an error stops the
// event and goes to the error listeners) -> the namespace's handler -> the socket's handlers
// in registration order (a `once` handler is removed before it runs). An exception thrown by
// application code is logged and goes no further: it must not unwind through the event loop.

#include <algorithm>
#include <utility>

#include <boost/json/array.hpp>

#include <sio/core/log.hpp>
#include <sio/socketio/namespace.hpp>

#include "socketio/socket_listeners.hpp"

namespace sio::socketio {

namespace {

const std::shared_ptr<spdlog::logger>& log() {
    static const auto logger = core::logger("socketio");
    return logger;
}

/** Runs application code; what it throws is logged with `what` and the socket. */
template <class F>
void guarded(const Socket& socket, std::string_view what, F&& f) noexcept {
    try {
        f();
    } catch (const std::exception& e) {
        log()->error("socket={} nsp={} {} threw: {}", socket.id(), socket.nsp().name(), what, e.what());
    } catch (...) {
        log()->error("socket={} nsp={} {} threw a non-standard exception", socket.id(), socket.nsp().name(), what);
    }
}

template <class Entries>
bool erase_id(Entries& entries, ListenerId id) {
    auto it = std::find_if(entries.begin(), entries.end(), [id](const auto& e) { return e.id == id; });
    if (it == entries.end()) return false;
    entries.erase(it);
    return true;
}

}  // namespace

// ---- detail hooks of typed_handler.hpp ------------------------------------------------------

namespace detail {

void refuse_event(Socket& socket, const Ack& ack, ArgumentError error) {
    socket.refuse_event(ack, std::move(error));
}

void report_handler_exception(Socket& socket, std::exception_ptr error) noexcept {
    guarded(socket, "coroutine event handler", [&] { std::rethrow_exception(error); });
}

std::shared_ptr<Socket> share(Socket& socket) {
    return socket.shared_from_this();
}

boost::asio::any_io_executor executor_of(Socket& socket) {
    return socket.executor();
}

}  // namespace detail

// ---- registration ---------------------------------------------------------------------------

Socket::Listeners& Socket::listeners() {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    return *listeners_;
}

ListenerId Socket::add_event_listener(std::string event, EventHandler fn, bool once) {
    auto& l = listeners();
    const ListenerId id = l.next_id++;
    l.events.push_back({id, std::move(event), std::move(fn), once});
    return id;
}

ListenerId Socket::on_any(AnyListener fn) {
    auto& l = listeners();
    l.any.push_back({l.next_id, std::move(fn)});
    return l.next_id++;
}

ListenerId Socket::prepend_any(AnyListener fn) {
    auto& l = listeners();
    l.any.insert(l.any.begin(), {l.next_id, std::move(fn)});
    return l.next_id++;
}

ListenerId Socket::on_any_outgoing(AnyListener fn) {
    auto& l = listeners();
    l.any_outgoing.push_back({l.next_id, std::move(fn)});
    return l.next_id++;
}

ListenerId Socket::prepend_any_outgoing(AnyListener fn) {
    auto& l = listeners();
    l.any_outgoing.insert(l.any_outgoing.begin(), {l.next_id, std::move(fn)});
    return l.next_id++;
}

void Socket::use(PacketMiddleware fn) {
    auto& l = listeners();
    l.middlewares.push_back({l.next_id++, std::move(fn)});
}

ListenerId Socket::on_disconnecting(DisconnectListener fn) {
    auto& l = listeners();
    l.disconnecting.push_back({l.next_id, std::move(fn)});
    return l.next_id++;
}

ListenerId Socket::on_disconnect(DisconnectListener fn) {
    auto& l = listeners();
    l.disconnect.push_back({l.next_id, std::move(fn)});
    return l.next_id++;
}

ListenerId Socket::on_error(ErrorListener fn) {
    auto& l = listeners();
    l.errors.push_back({l.next_id, std::move(fn)});
    return l.next_id++;
}

bool Socket::off(ListenerId id) {
    if (!listeners_) return false;
    auto& l = *listeners_;
    return erase_id(l.events, id) || erase_id(l.any, id) || erase_id(l.any_outgoing, id) ||
           erase_id(l.middlewares, id) || erase_id(l.disconnecting, id) || erase_id(l.disconnect, id) ||
           erase_id(l.errors, id);
}

void Socket::off(std::string_view event) {
    if (!listeners_) return;
    std::erase_if(listeners_->events, [event](const auto& e) { return e.event == event; });
}

void Socket::off_any() {
    if (listeners_) listeners_->any.clear();
}

void Socket::off_any_outgoing() {
    if (listeners_) listeners_->any_outgoing.clear();
}

void Socket::remove_all_listeners() {
    listeners_.reset();
}

std::size_t Socket::listener_count(std::string_view event) const {
    if (!listeners_) return 0;
    return static_cast<std::size_t>(std::count_if(listeners_->events.begin(), listeners_->events.end(),
                                                  [event](const auto& e) { return e.event == event; }));
}

std::size_t Socket::any_listener_count() const {
    return listeners_ ? listeners_->any.size() : 0;
}

std::size_t Socket::any_outgoing_listener_count() const {
    return listeners_ ? listeners_->any_outgoing.size() : 0;
}

// ---- incoming -------------------------------------------------------------------------------

void Socket::on_event(std::string name, Payload args, Ack ack) {
    auto self = shared_from_this();  // a listener may disconnect the socket
    if (listeners_ && !listeners_->any.empty()) {
        auto any = listeners_->any;  // copied: a listener may add or remove one
        for (const auto& entry : any) guarded(*this, "any-listener", [&] { entry.fn(*this, name, args); });
    }
    if (!listeners_ || listeners_->middlewares.empty()) {
        deliver_event(Event{std::move(name), std::move(args), std::move(ack)});
        return;
    }
    run_packet_middlewares(std::make_shared<Event>(Event{std::move(name), std::move(args), std::move(ack)}), 0);
}

void Socket::run_packet_middlewares(std::shared_ptr<Event> event, std::size_t index) {
    if (!connected_) return;  // disconnected meanwhile: socket.io drops the packet too
    if (!listeners_ || index >= listeners_->middlewares.size()) {
        deliver_event(std::move(*event));
        return;
    }
    auto fn = listeners_->middlewares[index].fn;  // copied: it may remove itself
    auto called = std::make_shared<bool>(false);
    Next next = [weak = weak_from_this(), event, index, called](std::optional<Error> error) {
        if (std::exchange(*called, true)) return;  // next() counts once
        auto self = weak.lock();
        if (!self || !self->connected_) return;
        if (error) {
            self->emit_error(*error);
            return;
        }
        self->run_packet_middlewares(event, index + 1);
    };
    guarded(*this, "packet middleware", [&] { fn(*this, *event, std::move(next)); });
}

void Socket::deliver_event(Event event) {
    const EventHandler* nsp_handler = nsp_->event_handler(event.name);
    if (!listeners_ || listeners_->events.empty()) {
        if (nsp_handler) {
            EventHandler fn = *nsp_handler;  // the handler may replace itself
            guarded(*this, "event handler", [&] { fn(*this, std::move(event.args), std::move(event.ack)); });
        }
        return;
    }
    std::vector<EventHandler> handlers;
    if (nsp_handler) handlers.push_back(*nsp_handler);
    auto& entries = listeners_->events;
    for (auto it = entries.begin(); it != entries.end();) {
        if (it->event != event.name) {
            ++it;
            continue;
        }
        handlers.push_back(it->fn);
        it = it->once ? entries.erase(it) : std::next(it);
    }
    for (std::size_t i = 0; i < handlers.size(); ++i) {
        // Every handler gets the arguments; the last one takes them.
        Payload args = i + 1 == handlers.size() ? std::move(event.args) : event.args;
        guarded(*this, "event handler", [&] { handlers[i](*this, std::move(args), event.ack); });
    }
}

void Socket::refuse_event(const Ack& ack, ArgumentError error) {
    log()->debug("socket={} event refused: argument {}: {}", id_, error.index, error.message);
    if (ack) {
        ack(boost::json::object{{"error", "invalid_argument"},
                                {"argument", static_cast<std::uint64_t>(error.index)},
                                {"message", error.message}});
    }
    emit_error(Error{"invalid argument", boost::json::object{{"argument", static_cast<std::uint64_t>(error.index)},
                                                             {"message", error.message}}});
}

void Socket::emit_error(const Error& error) {
    if (!listeners_ || listeners_->errors.empty()) {
        log()->debug("socket={} error without listener: {}", id_, error.message);
        return;
    }
    auto errors = listeners_->errors;
    for (const auto& entry : errors) guarded(*this, "error listener", [&] { entry.fn(*this, error); });
}

// ---- outgoing and closing -------------------------------------------------------------------

void Socket::notify_outgoing(std::string_view event, const Payload& args) {
    if (!listeners_ || listeners_->any_outgoing.empty()) return;
    auto any = listeners_->any_outgoing;
    for (const auto& entry : any) guarded(*this, "outgoing any-listener", [&] { entry.fn(*this, event, args); });
}

void Socket::notify_outgoing(const Packet& packet) {
    if (!listeners_ || listeners_->any_outgoing.empty()) return;
    const auto* data = packet.data.if_array();
    if (!data || data->empty() || !(*data)[0].is_string()) return;
    Payload args;
    args.args = boost::json::array(data->begin() + 1, data->end());
    args.attachments = packet.attachments;
    notify_outgoing(std::string_view((*data)[0].get_string()), args);
}

void Socket::run_disconnect_listeners(bool disconnecting, DisconnectReason reason) {
    if (!listeners_) return;
    auto entries = disconnecting ? listeners_->disconnecting : listeners_->disconnect;
    const char* what = disconnecting ? "disconnecting listener" : "disconnect listener";
    for (const auto& entry : entries) guarded(*this, what, [&] { entry.fn(*this, reason); });
}

}  // namespace sio::socketio
