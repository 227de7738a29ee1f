#pragma once
// The acknowledgement callback an incoming event carries.

#include <cstdint>
#include <memory>
#include <utility>

#include <sio/socketio/make_payload.hpp>
#include <sio/socketio/payload.hpp>

namespace sio::socketio {

class Socket;

/** The acknowledgement callback of an incoming event. Empty (`!ack`) when the client asked for
    none. Calling it sends ACK (BINARY_ACK when `args` has attachments) once: later calls, also
    through copies, do nothing. Safe to keep after the socket closed (then it sends nothing). */
class Ack {
public:
    Ack() = default;
    Ack(std::weak_ptr<Socket> socket, std::uint64_t id);
    explicit operator bool() const noexcept { return state_ != nullptr; }
    void operator()(Payload args = {}) const;
    /** `ack(1, "two", obj)`: the arguments converted as for Socket::emit. */
    template <class... Args>
    requires(sizeof...(Args) > 0 && !is_single_payload_v<Args...>) void operator()(Args&&... args) const {
        (*this)(make_payload(std::forward<Args>(args)...));
    }
    /** True once answered (through any copy). */
    bool sent() const noexcept { return state_ && state_->sent; }

private:
    struct State {
        std::weak_ptr<Socket> socket;
        std::uint64_t id;
        bool sent = false;
    };
    std::shared_ptr<State> state_;  // shared by copies, so the ACK goes out once
};

}  // namespace sio::socketio
