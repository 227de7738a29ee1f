// The listener lists of engineio::Session (session.hpp), allocated on first registration.

#include <sio/engineio/session.hpp>

#include <vector>

namespace sio::engineio {

struct Session::Listeners {
    std::vector<TransportListener> upgrading;
    std::vector<TransportListener> upgrade;
    std::vector<CloseListener> close;
};

namespace {

/** The listeners registered when the event happened (as Node's EventEmitter: one added by a
    listener waits for the next event). By index, each copied before it runs: one may register
    another, reallocating the vector. */
template <typename Fn, typename... Args>
void call_all(const std::vector<Fn>& listeners, Args... args) {
    const std::size_t count = listeners.size();
    for (std::size_t i = 0; i < count; ++i) {
        Fn fn = listeners[i];
        fn(args...);
    }
}

}  // namespace

Session::Session() = default;
Session::~Session() = default;

void Session::on_upgrading(TransportListener fn) {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    listeners_->upgrading.push_back(std::move(fn));
}

void Session::on_upgrade(TransportListener fn) {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    listeners_->upgrade.push_back(std::move(fn));
}

void Session::on_close(CloseListener fn) {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    listeners_->close.push_back(std::move(fn));
}

void Session::emit_upgrading(std::string_view transport) {
    if (listeners_) call_all(listeners_->upgrading, transport);
}

void Session::emit_upgrade(std::string_view transport) {
    if (listeners_) call_all(listeners_->upgrade, transport);
}

void Session::emit_close(CloseReason reason) {
    if (!listeners_) return;
    // Once: the lists go with it (their closures may hold what keeps the session alive).
    auto listeners = std::move(listeners_);
    call_all(listeners->close, reason);
}

}  // namespace sio::engineio
