// BroadcastOperator: builds BroadcastOptions by value, then hands one packet to the adapter.
// Broadcast acks follow socket.io 4.8: complete when every instance reported its client count
// (as many as server_count()) and as many acks arrived as clients were reported; otherwise at
// the timeout with the responses collected so far.

#include <sio/socketio/broadcast.hpp>

#include <algorithm>
#include <array>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>

#include <sio/socketio/namespace.hpp>
#include <sio/socketio/remote_socket.hpp>

namespace sio::socketio {

namespace {

void add_unique(std::vector<std::string>& set, std::string room) {
    if (std::find(set.begin(), set.end(), room) == set.end()) set.push_back(std::move(room));
}

constexpr std::chrono::milliseconds default_ack_timeout{2000};

}  // namespace

BroadcastOperator::BroadcastOperator(Namespace& nsp, std::string exclude_sid) : nsp_(&nsp) {
    // The sender's own room holds only the sender: excluding it excludes the sender.
    if (!exclude_sid.empty()) opts_.except.push_back(std::move(exclude_sid));
}

BroadcastOperator BroadcastOperator::to(std::string room) const {
    BroadcastOperator out = *this;
    add_unique(out.opts_.rooms, std::move(room));
    return out;
}

BroadcastOperator BroadcastOperator::to(const std::vector<std::string>& rooms) const {
    BroadcastOperator out = *this;
    for (const auto& room : rooms) add_unique(out.opts_.rooms, room);
    return out;
}

BroadcastOperator BroadcastOperator::except(std::string room) const {
    BroadcastOperator out = *this;
    add_unique(out.opts_.except, std::move(room));
    return out;
}

BroadcastOperator BroadcastOperator::except(const std::vector<std::string>& rooms) const {
    BroadcastOperator out = *this;
    for (const auto& room : rooms) add_unique(out.opts_.except, room);
    return out;
}

BroadcastOperator BroadcastOperator::local() const {
    BroadcastOperator out = *this;
    out.opts_.flags.local = true;
    return out;
}

BroadcastOperator BroadcastOperator::volatile_() const {
    BroadcastOperator out = *this;
    out.opts_.flags.is_volatile = true;
    return out;
}

BroadcastOperator BroadcastOperator::timeout(std::chrono::milliseconds ms) const {
    BroadcastOperator out = *this;
    out.opts_.flags.timeout = ms;
    return out;
}

bool BroadcastOperator::emit(std::string_view event, Payload args) const {
    if (is_reserved_event(event)) return false;
    nsp_->adapter().broadcast(make_event_packet(nsp_->name(), event, std::move(args)), opts_);
    return true;
}

bool BroadcastOperator::emit_with_ack_result(std::string_view event, Payload args,
                                             std::function<void(BroadcastAckResult)> done) const {
    if (is_reserved_event(event)) return false;

    struct State {
        std::function<void(BroadcastAckResult)> done;  // empty once completed
        boost::asio::steady_timer timer;
        std::optional<std::size_t> expected_servers;
        std::size_t reported_servers = 0;
        std::size_t expected_clients = 0;
        std::vector<boost::json::value> responses;

        void check() {
            if (!done || expected_servers != reported_servers || responses.size() != expected_clients) return;
            timer.cancel();
            std::exchange(done, nullptr)(BroadcastAckResult{false, std::move(responses), {}});
        }
    };
    auto state =
        std::make_shared<State>(State{std::move(done), boost::asio::steady_timer(nsp_->executor()), {}, 0, 0, {}});
    state->timer.expires_after(opts_.flags.timeout.value_or(default_ack_timeout));
    state->timer.async_wait([state](boost::system::error_code ec) {
        if (ec || !state->done) return;
        std::exchange(state->done, nullptr)(BroadcastAckResult{true, std::move(state->responses), {}});
    });

    nsp_->adapter().broadcast_with_ack(
        make_event_packet(nsp_->name(), event, std::move(args)), opts_,
        [state](std::size_t clients) {
            state->expected_clients += clients;
            ++state->reported_servers;
            state->check();
        },
        [state](Payload answer) {
            if (!state->done) return;
            // Only the first argument crosses instances (socket.io semantics).
            state->responses.push_back(answer.args.empty() ? boost::json::value() : std::move(answer.args[0]));
            state->check();
        });
    nsp_->adapter().server_count([state](ErrorCode ec, std::size_t servers) {
        if (ec) {
            // The cluster cannot be asked (e.g. Redis down): no completion rule can hold, so
            // report it now rather than at the timeout (the REST layer answers 503).
            if (!state->done) return;
            state->timer.cancel();
            std::exchange(state->done, nullptr)(BroadcastAckResult{false, std::move(state->responses), ec});
            return;
        }
        state->expected_servers = servers;
        state->check();
    });
    return true;
}

void BroadcastOperator::fetch_sockets(std::function<void(ErrorCode, std::vector<SocketInfo>)> done) const {
    nsp_->adapter().fetch_sockets(opts_, std::move(done));
}

void BroadcastOperator::fetch_remote_sockets(std::function<void(ErrorCode, std::vector<RemoteSocket>)> done) const {
    nsp_->adapter().fetch_sockets(opts_,
                                  [nsp = nsp_, done = std::move(done)](ErrorCode ec, std::vector<SocketInfo> found) {
                                      std::vector<RemoteSocket> sockets;
                                      sockets.reserve(found.size());
                                      for (auto& info : found) sockets.emplace_back(*nsp, std::move(info));
                                      done(ec, std::move(sockets));
                                  });
}

boost::asio::any_io_executor BroadcastOperator::executor() const {
    return nsp_->executor();
}

void BroadcastOperator::sockets_join(const std::vector<std::string>& rooms) const {
    nsp_->adapter().add_sockets(opts_, rooms);
}

void BroadcastOperator::sockets_leave(const std::vector<std::string>& rooms) const {
    nsp_->adapter().del_sockets(opts_, rooms);
}

void BroadcastOperator::disconnect_sockets(bool close) const {
    nsp_->adapter().disconnect_sockets(opts_, close);
}

}  // namespace sio::socketio
