#pragma once
// BroadcastOperator: an immutable value built by to()/except()/local()/volatile_()/timeout()
// (socket.io's BroadcastOperator). Each call returns a new operator; emit() hands one packet
// to the namespace adapter, which encodes it once for all recipients.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sio/socketio/adapter.hpp>
#include <sio/socketio/payload.hpp>
#include <sio/socketio/reserved_events.hpp>

namespace sio::socketio {

class Namespace;

/** Result of a broadcast with acknowledgements: `timed_out` false when every targeted client
    answered; `responses` holds the first argument of each client's ack (partial on timeout).
    `error` is set when the cluster could not be asked how many instances there are (a
    cluster adapter whose backend is down: e.g. sio::adapter::cluster_errc::unavailable); the
    result is then delivered at once with the responses received so far. */
struct BroadcastAckResult {
    bool timed_out = false;
    std::vector<boost::json::value> responses;
    ErrorCode error{};
};

class BroadcastOperator {
public:
    /** `exclude_sid`: a socket that never receives (socket.broadcast / socket.to()). */
    explicit BroadcastOperator(Namespace& nsp, std::string exclude_sid = {});

    BroadcastOperator to(std::string room) const;
    BroadcastOperator to(const std::vector<std::string>& rooms) const;
    BroadcastOperator in(std::string room) const { return to(std::move(room)); }
    BroadcastOperator except(std::string room) const;
    BroadcastOperator except(const std::vector<std::string>& rooms) const;
    BroadcastOperator local() const;
    BroadcastOperator volatile_() const;
    BroadcastOperator timeout(std::chrono::milliseconds ms) const;

    /** Emits to every target, the packet encoded once. Returns false (and sends nothing) for a
        reserved event name. */
    bool emit(std::string_view event, Payload args = {}) const;

    /** Emits with one ack id; `done` runs once, when every target answered or at the timeout
        (default 2000 ms when timeout() was not called), or at once with `error` set when the
        adapter's server_count() fails. With no target at all it may run before this call
        returns. Responses are the first argument of each client's ack. */
    bool emit_with_ack(std::string_view event, Payload args, std::function<void(BroadcastAckResult)> done) const;

    void fetch_sockets(std::function<void(ErrorCode, std::vector<SocketInfo>)> done) const;
    void sockets_join(const std::vector<std::string>& rooms) const;
    void sockets_leave(const std::vector<std::string>& rooms) const;
    void disconnect_sockets(bool close = false) const;

    const BroadcastOptions& options() const noexcept { return opts_; }

private:
    Namespace* nsp_;
    BroadcastOptions opts_;
};

}  // namespace sio::socketio
