#include <sio/adapter/redis_adapter.hpp>

// RedisAdapter: @socket.io/redis-adapter 8.3.0 (dist/index.js), one per namespace.
//
// Outgoing                                         Incoming (routed here by RedisCluster)
//   broadcast      -> PUBLISH K#N#[room#] + local     pmessage K#N#*   -> drop unknown room,
//   broadcast_with_ack -> type 7 + local               own uid, other nsp -> local delivery
//   fetch_sockets  -> NUMSUB, type 5, wait n-1       message K-request#N#  -> answer / apply
//   all_rooms      -> NUMSUB, type 1, wait n-1
//   add/del/disconnect_sockets -> type 2/3/4 only     message K-response#N#[uid#] -> match by
//   server_side_emit -> type 6 (+ NUMSUB, wait n-1)      requestId in our pending tables
//
// Two pending tables, as Node: `requests` (fetch_sockets, server_side_emit with ack; answers
// interpreted by the pending request's type) and `ack_requests` (broadcasts with ack; answers
// carry their own type 8/9, kept for flags.timeout). A request whose requestId is in one of
// them is our own coming back through our subscription, and is ignored.
//
// Lifetime: timers and NUMSUB callbacks hold a weak_ptr to `life`, which dies with the
// adapter, so nothing touches a destroyed adapter; their user callbacks are then dropped.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>

#include <sio/core/log.hpp>
#include <sio/socketio/json.hpp>
#include <sio/socketio/namespace.hpp>
#include <sio/socketio/server.hpp>

#include "adapter/redis/channels.hpp"
#include "adapter/redis/redis_bus.hpp"
#include "adapter/redis/redis_shard_adapter.hpp"
#include "adapter/redis/wire.hpp"

namespace sio::adapter {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace wire = sio::adapter::redis;
using socketio::BroadcastOptions;
using socketio::ErrorCode;
using socketio::Packet;
using socketio::Payload;
using socketio::SocketInfo;

auto& log() {
    static auto logger = sio::core::logger("redis");
    return logger;
}

/** Node's default when a broadcast with ack has no timeout (the operator's default too). */
constexpr std::chrono::milliseconds default_ack_timeout{2000};

template <class... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

BroadcastOptions targets_to_options(const wire::Targets& t) {
    BroadcastOptions opts;
    opts.rooms = t.rooms;
    opts.except = t.except;
    return opts;
}

/** JavaScript's `!isNaN(s) && !isNaN(parseFloat(s))` for the ordinary decimal forms, and the
    text of parseFloat(s): Node looks a numeric room channel up as a number too ("01" -> 1). */
std::optional<std::string> numeric_room(const std::string& room) {
    if (room.empty()) return std::nullopt;
    double value = 0;
    const char* end = room.data() + room.size();
    auto [ptr, ec] = std::from_chars(room.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return socketio::to_json(json::value(value));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// State

struct RedisAdapter::State {
    /** A request waiting for the other servers (Node's `requests` map entry). */
    struct Request {
        Request(wire::RequestType t, std::size_t answers) : type(t), num_sub(answers) {}
        wire::RequestType type;
        std::size_t num_sub = 0;    // answers needed to complete (see each operation)
        std::size_t msg_count = 1;  // fetch: answers so far, this server counted
        std::vector<SocketInfo> sockets;
        std::vector<json::value> responses;
        std::vector<std::string> rooms;  // all_rooms: merged so far, this server's included
        std::function<void(ErrorCode, std::vector<SocketInfo>)> fetch_done;
        std::function<void(ErrorCode, std::vector<json::value>)> emit_done;
        std::function<void(ErrorCode, std::vector<std::string>)> rooms_done;
        std::unique_ptr<asio::steady_timer> timer;
    };
    /** A broadcast with ack of ours (Node's `ackRequests` entry). */
    struct AckRequest {
        std::function<void(std::size_t)> on_client_count;
        std::function<void(Payload)> on_ack;
        std::unique_ptr<asio::steady_timer> timer;
    };

    State(RedisAdapter& owner, const std::string& prefix, const std::string& nsp)
        : self(owner),
          rng(std::random_device{}()),
          key(prefix),
          broadcast_channel(wire::broadcast_channel(prefix, nsp)),
          request_channel(wire::request_channel(prefix, nsp)),
          response_channel(wire::response_channel(prefix, nsp)) {}

    RedisAdapter& self;
    std::mt19937_64 rng;
    std::string key;
    std::string broadcast_channel;  // K#N#
    std::string request_channel;    // K-request#N#
    std::string response_channel;   // K-response#N#
    std::string specific_channel;   // K-response#N#uid#
    std::unordered_map<std::string, Request> requests;
    std::unordered_map<std::string, AckRequest> ack_requests;
    std::shared_ptr<int> life = std::make_shared<int>(0);
    bool publish_warned = false;  // one warning per outage

    asio::any_io_executor executor() const { return self.cluster_->executor(); }
    RedisBus& bus() const { return self.cluster_->bus(); }

    // ---- publishing ----------------------------------------------------------------------

    /** Fire-and-forget; false (counted by the bus, warned once per outage) when Redis is down
        or its output buffer is full. Nothing is queued. */
    bool publish(std::string_view channel, std::string_view payload) {
        if (bus().publish(channel, payload)) {
            publish_warned = false;
            return true;
        }
        if (!std::exchange(publish_warned, true))
            log()->warn("nsp={} publish to {} failed (Redis down or saturated): dropped, local part only",
                        self.namespace_name(), channel);
        else
            log()->debug("nsp={} publish to {} dropped", self.namespace_name(), channel);
        return false;
    }

    bool publish_request(const wire::Request& request) {
        auto bytes = wire::encode_request(request);
        if (!bytes) {
            log()->error("nsp={} cannot encode request type {}: {}", self.namespace_name(),
                         static_cast<int>(wire::request_type(request)), bytes.error().message());
            return false;
        }
        return publish(request_channel, *bytes);
    }

    /** Node's publishResponse with publishOnSpecificResponseChannel false: the generic channel. */
    void publish_response(const wire::Response& response) {
        auto bytes = wire::encode_response(response);
        if (!bytes) {
            log()->error("nsp={} cannot encode a response: {}", self.namespace_name(), bytes.error().message());
            return;
        }
        publish(response_channel, *bytes);
    }

    /** Cluster questions need Redis connected and our answers' channels subscribed. */
    bool can_ask() const { return self.cluster_->ready(); }

    template <class F>
    void post(F fn) {
        asio::post(executor(), std::move(fn));
    }

    // ---- pending requests ----------------------------------------------------------------

    /** Registers `req` under a fresh id and arms its requests_timeout. */
    std::string add_request(Request req) {
        std::string id;
        do {
            id = wire::make_request_id(rng);
        } while (requests.contains(id) || ack_requests.contains(id));
        req.timer = std::make_unique<asio::steady_timer>(executor(), self.options_.requests_timeout);
        req.timer->async_wait([this, weak = std::weak_ptr<int>(life), id](boost::system::error_code ec) {
            if (ec || weak.expired()) return;
            on_request_timeout(id);
        });
        requests.emplace(id, std::move(req));
        return id;
    }

    void on_request_timeout(const std::string& id) {
        auto it = requests.find(id);
        if (it == requests.end()) return;
        Request req = std::move(it->second);
        requests.erase(it);
        const auto timed_out = make_error_code(cluster_errc::timed_out);
        if (req.type == wire::RequestType::remote_fetch) {
            log()->debug("nsp={} timeout reached while waiting for fetchSockets response", self.namespace_name());
            if (req.fetch_done) req.fetch_done(timed_out, std::move(req.sockets));
        } else if (req.type == wire::RequestType::all_rooms) {
            log()->debug("nsp={} timeout reached while waiting for allRooms response", self.namespace_name());
            if (req.rooms_done) req.rooms_done(timed_out, sorted_unique(std::move(req.rooms)));
        } else {
            log()->debug("nsp={} timeout reached: only {} responses received out of {}", self.namespace_name(),
                         req.responses.size(), req.num_sub);
            if (req.emit_done) req.emit_done(timed_out, std::move(req.responses));
        }
    }

    /** Completes and forgets request `id` (timer cancelled). */
    void complete(const std::string& id) {
        auto it = requests.find(id);
        if (it == requests.end()) return;
        Request req = std::move(it->second);
        requests.erase(it);
        req.timer->cancel();
        if (req.fetch_done) req.fetch_done({}, std::move(req.sockets));
        if (req.emit_done) req.emit_done({}, std::move(req.responses));
        if (req.rooms_done) req.rooms_done({}, sorted_unique(std::move(req.rooms)));
    }

    static std::vector<std::string> sorted_unique(std::vector<std::string> rooms) {
        std::sort(rooms.begin(), rooms.end());
        rooms.erase(std::unique(rooms.begin(), rooms.end()), rooms.end());
        return rooms;
    }

    // ---- incoming broadcasts ---------------------------------------------------------------

    bool has_room_js(const std::string& room) const {
        if (self.has_room(room)) return true;
        auto number = numeric_room(room);
        return number && *number != room && self.has_room(*number);
    }

    void on_broadcast(std::string_view channel, std::string_view payload) {
        auto room = wire::parse_broadcast_channel(key, self.namespace_name(), channel);
        if (!room) return;
        // A single-room channel for a room nobody here is in: dropped before decoding. (With
        // shards the room may have members on another loop only: every shard checks its own.)
        if (!room->empty() && !self.sharded() && !has_room_js(*room)) return;
        auto msg = wire::decode_broadcast(payload);
        if (!msg) {
            log()->debug("nsp={} malformed broadcast on {}: {}", self.namespace_name(), channel, msg.error().message());
            return;
        }
        if (msg->uid == self.uid_) return;                     // ours: delivered locally already
        if (msg->packet.nsp != self.namespace_name()) return;  // (missing nsp decodes as "/")
        BroadcastOptions opts = wire::to_broadcast_options(msg->opts);
        opts.flags.local = true;  // delivered here only, never republished
        self.MemoryAdapter::broadcast(msg->packet, opts);
    }

    // ---- incoming requests -----------------------------------------------------------------

    void on_request(std::string_view payload) {
        auto request = wire::decode_request(payload);
        if (!request) {
            log()->debug("nsp={} ignoring malformed request: {}", self.namespace_name(), request.error().message());
            return;
        }
        std::visit(
            overloaded{
                [this](wire::SocketsRequest& r) { on_sockets(r); },
                [this](wire::AllRoomsRequest& r) { on_all_rooms(r); },
                [this](wire::SocketsJoinRequest& r) {
                    // No uid check: the sender's own sockets join through this path.
                    self.MemoryAdapter::add_sockets(targets_to_options(r.opts), r.rooms);
                },
                [this](wire::SocketsLeaveRequest& r) {
                    self.MemoryAdapter::del_sockets(targets_to_options(r.opts), r.rooms);
                },
                [this](wire::DisconnectSocketsRequest& r) {
                    self.MemoryAdapter::disconnect_sockets(targets_to_options(r.opts), r.close);
                },
                // Legacy sid forms: answered by the server that has the socket only.
                [this](wire::RemoteJoinRequest& r) { self.join_socket(r.sid, r.room, done_if_found(r.request_id)); },
                [this](wire::RemoteLeaveRequest& r) { self.leave_socket(r.sid, r.room, done_if_found(r.request_id)); },
                [this](wire::RemoteDisconnectRequest& r) {
                    self.disconnect_socket(r.sid, r.close, done_if_found(r.request_id));
                },
                [this](wire::FetchSocketsRequest& r) { on_fetch(r); },
                [this](wire::ServerSideEmitRequest& r) { on_server_side_emit(r); },
                [this](wire::BroadcastWithAckRequest& r) { on_broadcast_with_ack(r); },
            },
            *request);
    }

    /** The answer to a legacy sid request: sent only by the server that has the socket. */
    std::function<void(bool)> done_if_found(std::string request_id) {
        return [this, weak = std::weak_ptr<int>(life), request_id = std::move(request_id)](bool found) {
            if (found && !weak.expired()) publish_response(wire::RemoteDoneResponse{request_id});
        };
    }

    // The answers below cover every shard of this process, so they may come on a later turn.

    void on_sockets(const wire::SocketsRequest& r) {
        if (requests.contains(r.request_id)) return;  // our own
        BroadcastOptions opts;
        opts.rooms = r.rooms;
        self.socket_ids(opts, [this, weak = std::weak_ptr<int>(life), id = r.request_id](std::vector<std::string> ids) {
            if (!weak.expired()) publish_response(wire::SocketsResponse{id, std::move(ids)});
        });
    }

    void on_all_rooms(const wire::AllRoomsRequest& r) {
        if (requests.contains(r.request_id)) return;
        self.local_rooms([this, weak = std::weak_ptr<int>(life), id = r.request_id](std::vector<std::string> rooms) {
            if (!weak.expired()) publish_response(wire::AllRoomsResponse{id, std::move(rooms)});
        });
    }

    void on_fetch(const wire::FetchSocketsRequest& r) {
        if (requests.contains(r.request_id)) return;
        // Answered even with no socket: the requester counts answers, not sockets.
        self.MemoryAdapter::fetch_sockets(
            targets_to_options(r.opts),
            [this, weak = std::weak_ptr<int>(life), id = r.request_id](ErrorCode, std::vector<SocketInfo> infos) {
                if (!weak.expired()) publish_response(wire::FetchSocketsResponse{id, std::move(infos)});
            });
    }

    void on_server_side_emit(wire::ServerSideEmitRequest& r) {
        if (r.uid && *r.uid == self.uid_) return;  // ours (the emitter's "emitter" is not)
        auto& data = r.data.args;
        if (data.empty()) return;
        std::string event;
        if (const auto* s = data[0].if_string())
            event.assign(s->begin(), s->end());
        else if (data[0].is_number())
            event = socketio::to_json(data[0]);  // String(ev)
        else
            return;
        Payload args;
        args.args.reserve(data.size() - 1);
        for (std::size_t i = 1; i < data.size(); ++i) args.args.push_back(std::move(data[i]));
        args.attachments = std::move(r.data.attachments);

        std::function<void(json::value)> ack;
        if (r.request_id) {
            // Only the first argument, only once, always on the generic response channel.
            auto sent = std::make_shared<bool>(false);
            ack = [this, weak = std::weak_ptr<int>(life), sent, id = *r.request_id](json::value value) {
                if (weak.expired() || std::exchange(*sent, true)) return;
                publish_response(wire::ServerSideEmitResponse{id, wire::BinaryValue{std::move(value), {}}});
            };
        }
        self.dispatch_server_side(event, std::move(args), std::move(ack));
    }

    void on_broadcast_with_ack(wire::BroadcastWithAckRequest& r) {
        if (ack_requests.contains(r.request_id)) return;  // our own
        // Flags are not applied remotely (Node passes only rooms/except); our own ack id.
        BroadcastOptions opts;
        opts.rooms = std::move(r.opts.rooms);
        opts.except = std::move(r.opts.except);
        auto weak = std::weak_ptr<int>(life);
        self.MemoryAdapter::broadcast_with_ack(
            r.packet, opts,
            [this, weak, id = r.request_id](std::size_t count) {
                if (weak.expired()) return;
                // Sent even for 0 clients: the requester waits for one count per server.
                publish_response(wire::BroadcastClientCountResponse{id, count});
            },
            [this, weak, id = r.request_id](Payload answer) {
                if (weak.expired()) return;
                wire::BinaryValue first;
                if (!answer.args.empty()) first.value = std::move(answer.args[0]);
                first.attachments = std::move(answer.attachments);
                publish_response(wire::BroadcastAckResponse{id, std::move(first)});
            });
    }

    // ---- incoming responses ----------------------------------------------------------------

    void on_response(std::string_view payload) {
        auto raw = wire::parse_response(payload);
        if (!raw) {
            log()->debug("nsp={} ignoring malformed response: {}", self.namespace_name(), raw.error().message());
            return;
        }
        if (!raw->request_id) return;
        const std::string id = *raw->request_id;

        if (auto it = ack_requests.find(id); it != ack_requests.end()) {
            auto response = wire::interpret_response(std::move(*raw), wire::RequestType::broadcast);
            if (!response) return;
            // Copies: the callback may end the broadcast (and its entry must stay valid).
            if (auto* count = std::get_if<wire::BroadcastClientCountResponse>(&*response)) {
                auto fn = it->second.on_client_count;
                if (fn) fn(static_cast<std::size_t>(count->client_count));
            } else if (auto* ack = std::get_if<wire::BroadcastAckResponse>(&*response)) {
                auto fn = it->second.on_ack;
                Payload answer;
                answer.args.push_back(std::move(ack->packet.value));
                answer.attachments = std::move(ack->packet.attachments);
                if (fn) fn(std::move(answer));
            }
            return;
        }

        auto it = requests.find(id);
        if (it == requests.end()) return;  // unknown or already completed
        auto response = wire::interpret_response(std::move(*raw), it->second.type);
        if (!response) return;
        Request& req = it->second;
        if (auto* fetched = std::get_if<wire::FetchSocketsResponse>(&*response)) {
            ++req.msg_count;
            for (auto& info : fetched->sockets) req.sockets.push_back(std::move(info));
            if (req.msg_count >= req.num_sub) complete(id);
        } else if (auto* named = std::get_if<wire::AllRoomsResponse>(&*response)) {
            ++req.msg_count;
            for (auto& room : named->rooms) req.rooms.push_back(std::move(room));
            if (req.msg_count >= req.num_sub) complete(id);
        } else if (auto* emitted = std::get_if<wire::ServerSideEmitResponse>(&*response)) {
            req.responses.push_back(std::move(emitted->data.value));
            if (req.responses.size() >= req.num_sub) complete(id);
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Construction

RedisAdapter::RedisAdapter(socketio::Namespace& nsp, std::shared_ptr<RedisCluster> cluster, RedisAdapterOptions options)
    : MemoryAdapter(nsp), cluster_(std::move(cluster)), options_(std::move(options)) {
    if (!cluster_) throw std::invalid_argument("RedisAdapter: null cluster");
    state_ = std::make_unique<State>(*this, options_.key, namespace_name());
    uid_ = wire::make_uid(state_->rng);
    state_->specific_channel = wire::specific_response_channel(options_.key, namespace_name(), uid_);
    cluster_->attach(*this);
}

RedisAdapter::~RedisAdapter() {
    cluster_->detach(*this);
    // Pending timers are cancelled by their destruction; their handlers see `life` expired.
}

std::string RedisAdapter::pattern() const {
    return wire::broadcast_pattern(options_.key, namespace_name());
}

std::vector<std::string> RedisAdapter::channels() const {
    return {state_->request_channel, state_->response_channel, state_->specific_channel};
}

std::size_t RedisAdapter::pending_requests() const noexcept {
    return state_->requests.size();
}
std::size_t RedisAdapter::pending_ack_requests() const noexcept {
    return state_->ack_requests.size();
}

void RedisAdapter::on_broadcast_message(std::string_view channel, std::string_view payload) {
    state_->on_broadcast(channel, payload);
}

void RedisAdapter::on_channel_message(std::string_view channel, std::string_view payload) {
    // Node: anything starting with the response channel is a response (both of ours do).
    if (channel.starts_with(state_->response_channel))
        state_->on_response(payload);
    else if (channel == state_->request_channel)
        state_->on_request(payload);
}

// ---------------------------------------------------------------------------------------------
// Broadcasts

void RedisAdapter::broadcast(const Packet& packet, const BroadcastOptions& opts) {
    publish_broadcast(packet, opts);
    MemoryAdapter::broadcast(packet, opts);
}

void RedisAdapter::publish_broadcast(const Packet& packet, const BroadcastOptions& opts) {
    if (opts.flags.local) return;
    wire::BroadcastMessage msg{uid_, packet, wire::to_wire_options(opts)};
    msg.packet.nsp = namespace_name();
    if (auto bytes = wire::encode_broadcast(msg)) {
        state_->publish(wire::broadcast_publish_channel(options_.key, namespace_name(), opts.rooms), *bytes);
    } else {
        log()->error("nsp={} cannot encode a broadcast: {}", namespace_name(), bytes.error().message());
    }
}

void RedisAdapter::broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                      std::function<void(std::size_t)> on_client_count,
                                      std::function<void(Payload)> on_ack) {
    publish_broadcast_with_ack(packet, opts, on_client_count, on_ack);
    MemoryAdapter::broadcast_with_ack(packet, opts, std::move(on_client_count), std::move(on_ack));
}

void RedisAdapter::publish_broadcast_with_ack(const Packet& packet, const BroadcastOptions& opts,
                                              std::function<void(std::size_t)> on_client_count,
                                              std::function<void(Payload)> on_ack) {
    if (opts.flags.local || !cluster_->up()) return;
    auto& s = *state_;
    std::string id;
    do {
        id = wire::make_request_id(s.rng);
    } while (s.requests.contains(id) || s.ack_requests.contains(id));
    wire::BroadcastWithAckRequest request{uid_, id, packet, wire::to_wire_options(opts)};
    request.packet.nsp = namespace_name();
    // Registered first: our own request comes back through the subscription and is
    // recognised by this entry. Kept for the broadcast's timeout, as Node (which cannot
    // tell when every remote client has answered).
    State::AckRequest entry{std::move(on_client_count), std::move(on_ack), nullptr};
    entry.timer = std::make_unique<asio::steady_timer>(s.executor(), opts.flags.timeout.value_or(default_ack_timeout));
    entry.timer->async_wait(
        [state = state_.get(), weak = std::weak_ptr<int>(s.life), id](boost::system::error_code ec) {
            if (ec || weak.expired()) return;
            state->ack_requests.erase(id);
        });
    s.ack_requests.emplace(id, std::move(entry));
    if (!s.publish_request(request)) s.ack_requests.erase(id);
}

// ---------------------------------------------------------------------------------------------
// Questions to the cluster

void RedisAdapter::server_count(std::function<void(ErrorCode, std::size_t)> done) {
    if (!done) return;
    if (!state_->can_ask()) {
        state_->post([done = std::move(done)] { done(make_error_code(cluster_errc::unavailable), 0); });
        return;
    }
    cluster_->bus().numsub(state_->request_channel,
                           [done = std::move(done)](boost::system::error_code ec, std::int64_t n) {
                               if (ec) {
                                   done(make_error_code(cluster_errc::unavailable), 0);
                                   return;
                               }
                               done({}, n > 0 ? static_cast<std::size_t>(n) : 0);
                           });
}

void RedisAdapter::fetch_sockets(const BroadcastOptions& opts,
                                 std::function<void(ErrorCode, std::vector<SocketInfo>)> done) {
    // This instance's part first (every shard), then the other servers'.
    MemoryAdapter::fetch_sockets(opts, [this, weak = std::weak_ptr<int>(state_->life), opts, done = std::move(done)](
                                           ErrorCode, std::vector<SocketInfo> local) mutable {
        if (weak.expired()) return;
        fetch_remote_sockets(opts, std::move(local), std::move(done));
    });
}

void RedisAdapter::fetch_remote_sockets(const BroadcastOptions& opts, std::vector<SocketInfo> local,
                                        std::function<void(ErrorCode, std::vector<SocketInfo>)> done) {
    if (opts.flags.local) {
        if (done) done({}, std::move(local));
        return;
    }
    auto& s = *state_;
    if (!s.can_ask()) {
        s.post([done = std::move(done), local = std::move(local)]() mutable {
            if (done) done(make_error_code(cluster_errc::unavailable), std::move(local));
        });
        return;
    }
    wire::Targets targets{opts.rooms, opts.except};
    server_count([this, weak = std::weak_ptr<int>(s.life), targets = std::move(targets), local = std::move(local),
                  done = std::move(done)](ErrorCode ec, std::size_t num_sub) mutable {
        if (weak.expired()) return;
        if (ec || num_sub <= 1) {
            if (done) done(ec, std::move(local));
            return;
        }
        State::Request req{wire::RequestType::remote_fetch, num_sub};
        req.sockets = std::move(local);
        req.fetch_done = std::move(done);
        std::string id = state_->add_request(std::move(req));
        if (!state_->publish_request(wire::FetchSocketsRequest{uid_, id, std::move(targets)})) {
            auto it = state_->requests.find(id);
            State::Request failed = std::move(it->second);
            state_->requests.erase(it);
            failed.timer->cancel();
            if (failed.fetch_done)
                failed.fetch_done(make_error_code(cluster_errc::unavailable), std::move(failed.sockets));
        }
    });
}

void RedisAdapter::all_rooms(std::function<void(ErrorCode, std::vector<std::string>)> done) {
    local_rooms([this, weak = std::weak_ptr<int>(state_->life),
                 done = std::move(done)](std::vector<std::string> local) mutable {
        if (weak.expired()) return;
        all_remote_rooms(std::move(local), std::move(done));
    });
}

void RedisAdapter::all_remote_rooms(std::vector<std::string> local,
                                    std::function<void(ErrorCode, std::vector<std::string>)> done) {
    auto& s = *state_;
    if (!s.can_ask()) {
        s.post([done = std::move(done), local = std::move(local)]() mutable {
            done(make_error_code(cluster_errc::unavailable), std::move(local));
        });
        return;
    }
    server_count([this, weak = std::weak_ptr<int>(s.life), local = std::move(local), done = std::move(done)](
                     ErrorCode ec, std::size_t num_sub) mutable {
        if (weak.expired()) return;
        if (ec || num_sub <= 1) {
            done(ec, std::move(local));
            return;
        }
        State::Request req{wire::RequestType::all_rooms, num_sub};
        req.rooms = std::move(local);
        req.rooms_done = std::move(done);
        std::string id = state_->add_request(std::move(req));
        if (!state_->publish_request(wire::AllRoomsRequest{uid_, id})) {
            auto it = state_->requests.find(id);
            State::Request failed = std::move(it->second);
            state_->requests.erase(it);
            failed.timer->cancel();
            failed.rooms_done(make_error_code(cluster_errc::unavailable), std::move(failed.rooms));
        }
    });
}

void RedisAdapter::server_side_emit(const std::string& event, const Payload& args,
                                    std::function<void(ErrorCode, std::vector<json::value>)> on_acks) {
    Payload data;
    data.args.reserve(args.args.size() + 1);
    data.args.emplace_back(event);
    for (const auto& v : args.args) data.args.push_back(v);
    data.attachments = args.attachments;

    auto& s = *state_;
    if (!on_acks) {
        s.publish_request(wire::ServerSideEmitRequest{uid_, std::nullopt, std::move(data)});
        return;
    }
    if (!s.can_ask()) {
        s.post([on_acks = std::move(on_acks)] { on_acks(make_error_code(cluster_errc::unavailable), {}); });
        return;
    }
    server_count([this, weak = std::weak_ptr<int>(s.life), data = std::move(data), on_acks = std::move(on_acks)](
                     ErrorCode ec, std::size_t servers) mutable {
        if (weak.expired()) return;
        if (ec) {
            on_acks(ec, {});
            return;
        }
        if (servers <= 1) {  // alone: nobody to wait for
            on_acks({}, {});
            return;
        }
        State::Request req{wire::RequestType::server_side_emit, servers - 1};
        req.emit_done = std::move(on_acks);
        std::string id = state_->add_request(std::move(req));
        if (!state_->publish_request(wire::ServerSideEmitRequest{uid_, id, std::move(data)})) {
            auto it = state_->requests.find(id);
            State::Request failed = std::move(it->second);
            state_->requests.erase(it);
            failed.timer->cancel();
            failed.emit_done(make_error_code(cluster_errc::unavailable), {});
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Remote socket operations

void RedisAdapter::add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    if (opts.flags.local ||
        !state_->publish_request(wire::SocketsJoinRequest{uid_, wire::Targets{opts.rooms, opts.except}, rooms}))
        MemoryAdapter::add_sockets(opts, rooms);
}

void RedisAdapter::del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms) {
    if (opts.flags.local ||
        !state_->publish_request(wire::SocketsLeaveRequest{uid_, wire::Targets{opts.rooms, opts.except}, rooms}))
        MemoryAdapter::del_sockets(opts, rooms);
}

void RedisAdapter::disconnect_sockets(const BroadcastOptions& opts, bool close) {
    if (opts.flags.local ||
        !state_->publish_request(wire::DisconnectSocketsRequest{uid_, wire::Targets{opts.rooms, opts.except}, close}))
        MemoryAdapter::disconnect_sockets(opts, close);
}

// ---------------------------------------------------------------------------------------------

socketio::AdapterFactory make_redis_adapter_factory(std::shared_ptr<RedisCluster> cluster,
                                                    RedisAdapterOptions options) {
    return [cluster = std::move(cluster), options = std::move(options)](socketio::Namespace& nsp) {
        // One cluster member per process: shard 0 holds it, the other shards relay to it.
        if (nsp.server().shard() != 0)
            return std::unique_ptr<socketio::Adapter>(std::make_unique<RedisShardAdapter>(nsp));
        return std::unique_ptr<socketio::Adapter>(std::make_unique<RedisAdapter>(nsp, cluster, options));
    };
}

}  // namespace sio::adapter
