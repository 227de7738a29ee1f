#pragma once
// The Redis cluster adapter: @socket.io/redis-adapter 8.3.0's classic (Pub/Sub) adapter, wire
// compatible with it and with @socket.io/redis-emitter 5.x (docs/protocol.md §4, §7, docs/contract.md §6),
// so that C++ and Node servers and emitter publishers form one cluster over one Redis.
//
//   RedisCluster   one per process and Redis: owns the RedisBus (a publisher and a subscriber
//                  connection, reconnecting) and routes each incoming Pub/Sub message, by its
//                  channel or pattern, to the adapter of that namespace (decoded once there).
//   RedisAdapter   one per namespace (a MemoryAdapter for the local part), made by the factory
//                  from make_redis_adapter_factory() and put into ServerOptions::adapter_factory.
//
// Typical startup (sio-server):
//     auto cluster = sio::adapter::RedisCluster::create(ioc.get_executor(), *parse_redis_url(url));
//     opts.adapter_factory = sio::adapter::make_redis_adapter_factory(cluster);
//     sio::socketio::Server io(ioc.get_executor(), opts);   // "/" subscribes (deferred until up)
//     io.of("/custom"); io.of("/secure");                     // each namespace subscribes
//     cluster->start();
//     cluster->wait_ready(15s, [&](error_code ec) { if (ec) exit_with(cluster->last_error()); });
//     // GET /health: cluster->ready()   (connected and every subscription confirmed)
//
// Threading: a RedisCluster and every Server/namespace using it run on the same executor
// (one event loop; docs/architecture.md "Redis"). Every method is called on that thread, and
// every callback runs there. No hiredis or msgpack in this header.
//
// While Redis is down: local delivery continues; publishes fail fast (counted in
// publish_failures(), one warning per outage, nothing queued); operations that need answers
// (fetch_sockets, server_side_emit with ack, server_count, the remote part of
// broadcast_with_ack) fail at once with cluster_errc::unavailable. After a reconnect the bus
// subscribes again and everything works without a restart.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <sio/adapter/redis_options.hpp>
#include <sio/socketio/adapter.hpp>
#include <sio/socketio/memory_adapter.hpp>

namespace sio::adapter {

/// The cluster adapters extend the in-memory one (socketio layer) with the Redis part.
using socketio::MemoryAdapter;
using socketio::MemoryAdapterOptions;

class RedisBus;
class RedisAdapter;

/** Errors of cluster-wide operations. Category name "sio.cluster". */
enum class cluster_errc {
    /** Redis is not connected (or its subscriptions are not confirmed yet): the operation
        could not be sent. Answer 503. */
    unavailable = 1,
    /** Not every server answered within the requests timeout (Node: "timeout reached while
        waiting for fetchSockets response" / "timeout reached: only X responses received out
        of Y"). The callback still gets what arrived. */
    timed_out,
};

const boost::system::error_category& cluster_category() noexcept;
boost::system::error_code make_error_code(cluster_errc e) noexcept;

/** Options of every RedisAdapter made by one factory; defaults are Node's. */
struct RedisAdapterOptions {
    /** Channel prefix (`key` option): channels `K#N#`, `K-request#N#`, ... */
    std::string key = "socket.io";
    /** How long fetch_sockets and server_side_emit with ack wait for the other servers. */
    std::chrono::milliseconds requests_timeout{5000};
};

/** The process's membership in one Redis cluster. Create with create(); keep the shared_ptr
    for as long as any Server using its adapters lives (the adapters hold one too). */
class RedisCluster : public std::enable_shared_from_this<RedisCluster> {
public:
    /** Nothing connects until start(). `ex` is the executor of the Servers that will use it. */
    static std::shared_ptr<RedisCluster> create(boost::asio::any_io_executor ex, RedisOptions redis);
    /** Stops the bus (no callback afterwards). Adapters still alive must not outlive it:
        they hold a shared_ptr, so this runs after the last one is gone. */
    ~RedisCluster();
    RedisCluster(const RedisCluster&) = delete;
    RedisCluster& operator=(const RedisCluster&) = delete;

    /** Starts connecting, then reconnecting forever (backoff 50 ms doubling to
        RedisOptions::max_backoff) until stop(). Namespaces may be created before or after.
        Idempotent; nothing after stop(). */
    void start();
    /** `cb({})` as soon as ready() (posted), or `cb(redis_error::startup_timeout)` after
        `limit` (the bus keeps retrying); last_error() then says why, e.g. "connect
        127.0.0.1:6390: Connection refused". For "Redis unreachable for 15 s: exit non-zero". */
    void wait_ready(std::chrono::milliseconds limit, std::function<void(boost::system::error_code)> cb);
    /** Blocking wait_ready for a thread other than the executor's (which must be running). */
    boost::system::error_code block_until_ready(std::chrono::milliseconds limit);
    /** Closes the connections for good; pending operations then time out. Idempotent. */
    void stop();

    /** Connected and every subscription of every namespace confirmed (GET /health). */
    bool ready() const noexcept;
    /** Connected (subscriptions may still be in flight). */
    bool up() const noexcept;
    /** Why the last connection attempt failed ("" when none did). */
    const std::string& last_error() const noexcept;
    /** Publishes refused (Redis down, output buffer full) or lost, since start. */
    std::uint64_t publish_failures() const noexcept;
    /** Times the connection came back after a loss. */
    std::uint64_t reconnects() const noexcept;
    /** Namespaces attached (one RedisAdapter each). */
    std::size_t adapter_count() const noexcept { return adapters_.size(); }
    const RedisOptions& redis_options() const noexcept { return redis_; }
    boost::asio::any_io_executor executor() const { return ex_; }

    // ---- used by RedisAdapter (not application API) --------------------------------------
    RedisBus& bus() noexcept { return *bus_; }
    /** Registers `adapter` for its channels and subscribes them. Throws std::logic_error when
        another adapter already serves the same key and namespace on this cluster (two members
        of one process would make NUMSUB and every answer count wrong). */
    void attach(RedisAdapter& adapter);
    /** Unregisters and unsubscribes (Node's close()). */
    void detach(RedisAdapter& adapter) noexcept;

private:
    RedisCluster(boost::asio::any_io_executor ex, RedisOptions redis);
    void on_message(std::string_view channel, std::string_view pattern, std::string_view payload);

    /** Lookup by string_view without building a std::string per message. */
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using Routes = std::unordered_map<std::string, RedisAdapter*, NameHash, std::equal_to<>>;

    boost::asio::any_io_executor ex_;
    RedisOptions redis_;
    std::shared_ptr<RedisBus> bus_;
    // Routing: the PSUBSCRIBE pattern `K#N#*` and the three plain channels of each namespace
    // map to exactly one adapter, so each incoming message is decoded once per process.
    Routes by_pattern_;
    Routes by_channel_;
    std::unordered_map<RedisAdapter*, std::string> adapters_;  // -> its pattern
};

/** The adapter of one namespace. Owned by the namespace; every call on the cluster's executor.
    Behaves as Node's RedisAdapter 8.3.0 (dist/index.js) unless noted. */
class RedisAdapter final : public MemoryAdapter {
public:
    /** Picks a random 6-character uid and subscribes `K#N#*` (pattern), `K-request#N#`,
        `K-response#N#`, `K-response#N#<uid>#` through the cluster. */
    RedisAdapter(socketio::Namespace& nsp, std::shared_ptr<RedisCluster> cluster, RedisAdapterOptions options = {});
    /** Unsubscribes; pending requests are dropped without calling their callbacks. */
    ~RedisAdapter() override;

    // ---- socketio::Adapter ---------------------------------------------------------------
    /** Publishes `[uid, packet, opts]` (msgpack) on `K#N#room#` for exactly one room, else on
        `K#N#`, unless flags.local; then delivers locally. */
    void broadcast(const socketio::Packet& packet, const socketio::BroadcastOptions& opts) override;
    /** Publishes a BROADCAST request (type 7) with a fresh requestId, keeps its callbacks for
        flags.timeout (default 2 s) to relay the other servers' client counts (8) and acks (9),
        then does the local part. Redis down: local part only (the operator's server_count
        fails with `unavailable`). */
    void broadcast_with_ack(const socketio::Packet& packet, const socketio::BroadcastOptions& opts,
                            std::function<void(std::size_t)> on_client_count,
                            std::function<void(socketio::Payload)> on_ack) override;
    /** Local sockets, plus (unless flags.local or alone) those of every other server (type 5).
        `done` runs once (before returning only with flags.local): `({}, all)`, `(timed_out,
        what arrived)` after requests_timeout, or `(unavailable, local ones)` while Redis is
        down. */
    void fetch_sockets(const socketio::BroadcastOptions& opts,
                       std::function<void(socketio::ErrorCode, std::vector<socketio::SocketInfo>)> done) override;
    /** socketsJoin / socketsLeave / disconnectSockets: flags.local applies locally now;
        otherwise the request (types 2/3/4) is only published and this server's own sockets
        change when it comes back through our subscription (as Node, docs/protocol.md §9.5). If the
        publish fails (Redis down) the local part is applied at once instead. */
    void add_sockets(const socketio::BroadcastOptions& opts, const std::vector<std::string>& rooms) override;
    void del_sockets(const socketio::BroadcastOptions& opts, const std::vector<std::string>& rooms) override;
    void disconnect_sockets(const socketio::BroadcastOptions& opts, bool close) override;
    /** Type 6 to every other server. With `on_acks`: one value per other server (serverCount
        - 1), `({}, [])` at once when alone, `(timed_out, partial)` after requests_timeout,
        `(unavailable, [])` while Redis is down. Without: a failed publish is only counted. */
    void server_side_emit(const std::string& event, const socketio::Payload& args,
                          std::function<void(socketio::ErrorCode, std::vector<boost::json::value>)> on_acks) override;
    /** This instance's rooms, plus (unless alone) every other server's (ALL_ROOMS, type 1),
        merged, each once, sorted. `({}, all)`, `(timed_out, what arrived)` after
        requests_timeout, `(unavailable, local ones)` while Redis is down. Always asynchronous. */
    void all_rooms(std::function<void(socketio::ErrorCode, std::vector<std::string>)> done) override;
    /** PUBSUB NUMSUB `K-request#N#` (servers of this namespace, this one included);
        `unavailable` while Redis is down. Always asynchronous. */
    void server_count(std::function<void(socketio::ErrorCode, std::size_t)> done) override;

    /** No connection state recovery, as Node's classic adapter. */
    bool supports_recovery() const noexcept override { return false; }
    void persist_session(socketio::PersistedSession) override {}
    void restore_session(const std::string&, const std::string&,
                         std::function<void(std::optional<socketio::RecoveredSession>)> done) override {
        done(std::nullopt);
    }

    // ---- the cluster part alone (for the adapters of the other shards) ----------------------
    /** Publishes `[uid, packet, opts]` unless flags.local; no local delivery. */
    void publish_broadcast(const socketio::Packet& packet, const socketio::BroadcastOptions& opts);
    /** Publishes the BROADCAST request and relays the other servers' counts and acks to the
        callbacks (on this loop); nothing when flags.local or Redis is down. */
    void publish_broadcast_with_ack(const socketio::Packet& packet, const socketio::BroadcastOptions& opts,
                                    std::function<void(std::size_t)> on_client_count,
                                    std::function<void(socketio::Payload)> on_ack);

    // ---- inspection ----------------------------------------------------------------------
    const std::string& uid() const noexcept { return uid_; }
    const RedisAdapterOptions& options() const noexcept { return options_; }
    /** Requests waiting for answers (fetch_sockets, server_side_emit) and broadcast-ack
        entries still kept. */
    std::size_t pending_requests() const noexcept;
    std::size_t pending_ack_requests() const noexcept;

    // ---- used by RedisCluster --------------------------------------------------------------
    /** The pattern `K#N#*` this adapter PSUBSCRIBEs. */
    std::string pattern() const;
    /** `K-request#N#`, `K-response#N#`, `K-response#N#<uid>#`. */
    std::vector<std::string> channels() const;
    /** A `pmessage` on `K#N#*`: a broadcast. */
    void on_broadcast_message(std::string_view channel, std::string_view payload);
    /** A `message` on one of channels(): a request or a response. */
    void on_channel_message(std::string_view channel, std::string_view payload);

private:
    struct State;

    /** all_rooms once this instance's rooms are known. */
    void all_remote_rooms(std::vector<std::string> local,
                          std::function<void(socketio::ErrorCode, std::vector<std::string>)> done);
    /** fetch_sockets once this instance's sockets are known. */
    void fetch_remote_sockets(const socketio::BroadcastOptions& opts, std::vector<socketio::SocketInfo> local,
                              std::function<void(socketio::ErrorCode, std::vector<socketio::SocketInfo>)> done);

    std::shared_ptr<RedisCluster> cluster_;
    RedisAdapterOptions options_;
    std::string uid_;
    std::unique_ptr<State> state_;  // pending tables, rng, channel names (wire types: private)
};

/** The factory to put in socketio::ServerOptions::adapter_factory: one RedisAdapter per
    namespace, all on `cluster`. */
socketio::AdapterFactory make_redis_adapter_factory(std::shared_ptr<RedisCluster> cluster,
                                                    RedisAdapterOptions options = {});

}  // namespace sio::adapter

namespace boost::system {
template <>
struct is_error_code_enum<sio::adapter::cluster_errc> : std::true_type {};
}  // namespace boost::system
