// sio-server: the Socket.IO v4 server with the built-in application and the REST push API.
//
// Flow: environment -> Config (exit 1 on a bad value) -> THREADS event loops (ShardSet; this
// thread runs loop 0) -> Instance: per loop socketio::Server + App + the /engine.io/ echo
// engine + RestApi, one listener -> run. SIGINT or SIGTERM closes every client (`server
// shutting down`) on every loop, stops accepting and leaves run() within 3 seconds; the process
// then exits 0. Nothing here is global: all state lives in main's frame.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include <sio/adapter/redis_adapter.hpp>
#include <sio/core/log.hpp>
#include <sio/engineio/server.hpp>
#include <sio/core/shard.hpp>
#include <sio/http/listener.hpp>
#include <sio/socketio/msgpack_parser.hpp>
#include <sio/socketio/server.hpp>

#include "app.hpp"
#include "config.hpp"
#include "rest_api.hpp"
#include "instance.hpp"

namespace {

namespace asio = boost::asio;
using namespace sio;
using namespace std::chrono_literals;

constexpr const char* kEnvironmentHelp = R"(Configuration is by environment variable (defaults in brackets):
  PORT [3000]                    TCP port (0: any free port) or a Unix socket path
  HOST [127.0.0.1]               bind address (an IP literal)
  INSTANCE_ID [random]           name of this instance in /info, whoami and /peers
  THREADS [cores]                event loops (shards), one thread each, 1 to 64
  REDIS_URL                      redis://[user:password@]host:port[/db] (cluster mode)
  REDIS_HOST, REDIS_PORT [6379], REDIS_PASSWORD   alternative to REDIS_URL
  PING_INTERVAL [25000]          Engine.IO pingInterval, ms
  PING_TIMEOUT [20000]           Engine.IO pingTimeout, ms
  CONNECT_TIMEOUT [45000]        ms to join a namespace before the connection is closed
  MAX_HTTP_BUFFER_SIZE [1000000] max WebSocket message / polling POST body, bytes
  CORS_ORIGINS                   comma-separated exact origins allowed, with credentials
  API_TOKEN                      REST requires Authorization: Bearer <API_TOKEN> (not /health)
  CONNECTION_STATE_RECOVERY [1]  0/false disables connection state recovery
  RECOVERY_MAX_DISCONNECTION_MS [120000]  how long a disconnected session is kept
  ALLOW_EIO3 [0]                 1/true also serves socket.io-client 2.x (Engine.IO 3)
  PARSER [default]               default (socket.io-parser) or msgpack (socket.io-msgpack-parser)
  LOG_LEVEL [info]               trace, debug, info, warn, error or off)";

socketio::ServerOptions server_options(const server::Config& cfg) {
    socketio::ServerOptions opts;
    opts.engine.ping_interval = cfg.ping_interval;
    opts.engine.ping_timeout = cfg.ping_timeout;
    opts.engine.max_payload = cfg.max_http_buffer_size;
    opts.engine.cors.origins = cfg.cors_origins;
    opts.engine.cors.credentials = true;
    opts.engine.allow_eio3 = cfg.allow_eio3;
    opts.connect_timeout = cfg.connect_timeout;
    opts.connection_state_recovery = cfg.connection_state_recovery;
    opts.max_disconnection_duration = cfg.recovery_max_disconnection;
    if (cfg.parser == "msgpack") opts.parser = socketio::msgpack_parser();
    return opts;
}

/** How long a starting instance waits for Redis before giving up (docs/contract.md §1: 15 s). */
constexpr std::chrono::milliseconds kRedisStartupLimit{15000};

adapter::RedisOptions redis_options(const server::RedisConfig& redis) {
    adapter::RedisOptions out;
    out.host = redis.host;
    out.port = redis.port;
    out.username = redis.username;
    out.password = redis.password;
    out.db = static_cast<int>(redis.db);
    return out;
}

/** The one line printed when the listener cannot bind. */
std::string listen_failure(const server::Config& cfg, boost::system::error_code ec) {
    std::string where =
        cfg.unix_path.empty() ? fmt::format("port {}", cfg.port) : fmt::format("unix socket {}", cfg.unix_path);
    if (ec == boost::system::errc::address_in_use) {
        return fmt::format("{} already in use", where);
    }
    if (ec == boost::system::errc::permission_denied || ec == boost::system::errc::operation_not_permitted) {
        return fmt::format("{} requires elevated privileges", where);
    }
    if (cfg.unix_path.empty()) {
        return fmt::format("cannot listen on {}:{}: {}", cfg.host, cfg.port, ec.message());
    }
    return fmt::format("cannot listen on unix socket {}: {}", cfg.unix_path, ec.message());
}

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"sio-server: Socket.IO v4 server with a REST push API"};
    cli.footer(kEnvironmentHelp);
    CLI11_PARSE(cli, argc, argv);

    server::Config cfg;
    try {
        cfg = server::parse_config([](const char* name) { return std::getenv(name); });
    } catch (const server::ConfigError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    core::set_log_level(cfg.log_level);
    auto log = core::logger("server");

    auto opts = server_options(cfg);
    core::ShardSet shards(cfg.threads);

    // Cluster mode: one Redis connection pair for the process, one adapter per namespace. The
    // classic Redis adapter cannot persist sessions, so recovery is off there (and /info says so).
    std::shared_ptr<adapter::RedisCluster> cluster;
    if (cfg.redis) {
        cluster = adapter::RedisCluster::create(shards.executor(0), redis_options(*cfg.redis));
        opts.adapter_factory = adapter::make_redis_adapter_factory(cluster);
        if (opts.connection_state_recovery) {
            log->info("connection state recovery is off in cluster mode (the Redis pub/sub adapter keeps no sessions)");
            opts.connection_state_recovery = false;
        }
    }

    int exit_code = 0;
    {
        server::Instance instance(shards, opts,
                                  server::RestSettings{cfg.instance_id, cfg.api_token, cluster != nullptr});

        // Binds and announces readiness. In cluster mode this runs only once every Redis
        // subscription is confirmed, so that /health answering means "part of the cluster".
        auto start_listening = [&]() -> bool {
            http::ListenAddress address;
            address.host = cfg.host;
            address.port = cfg.port;
            address.unix_path = cfg.unix_path;
            if (auto ec = instance.listen(address)) {
                std::fprintf(stderr, "%s\n", listen_failure(cfg, ec).c_str());
                return false;
            }
            log->info("instance {} ({}, {} event loop{}, connection state recovery {}{}{})", cfg.instance_id,
                      cluster ? fmt::format("cluster over {}", cfg.redis->display()) : std::string("standalone"),
                      cfg.threads, cfg.threads == 1 ? "" : "s", opts.connection_state_recovery ? "on" : "off",
                      cfg.allow_eio3 ? ", Engine.IO 3 clients allowed" : "", opts.parser ? ", msgpack parser" : "");
            // The readiness line tools wait for: logged at info, or printed on stdout when
            // LOG_LEVEL hides info messages.
            std::string listening = cfg.unix_path.empty()
                                        ? fmt::format("Listening on http://{}:{}", url_host(cfg.host), instance.port())
                                        : fmt::format("Listening on unix:{}", cfg.unix_path);
            if (log->should_log(spdlog::level::info)) {
                log->info("{}", listening);
            } else {
                std::printf("%s\n", listening.c_str());
                std::fflush(stdout);
            }
            return true;
        };

        if (cluster) {
            cluster->start();
            cluster->wait_ready(kRedisStartupLimit, [&](boost::system::error_code ec) {
                if (ec) {
                    std::fprintf(stderr, "cannot join the cluster: Redis at %s not usable within %lld s: %s\n",
                                 cfg.redis->display().c_str(),
                                 static_cast<long long>(kRedisStartupLimit.count() / 1000),
                                 cluster->last_error().c_str());
                    exit_code = 1;
                    shards.stop();
                    return;
                }
                if (!start_listening()) {
                    exit_code = 1;
                    shards.stop();
                }
            });
        } else if (!start_listening()) {
            return 1;
        }

        // ---- shutdown (loop 0) ------------------------------------------------------------------
        // First signal: stop accepting, close every session on every loop (`server shutting
        // down`), then leave once every loop is empty (after a short grace for close frames) or
        // at the guard, whichever comes first. A second signal leaves at once.
        asio::signal_set signals(shards.context(0), SIGINT, SIGTERM);
        asio::steady_timer guard(shards.context(0));
        bool stopping = false;

        std::function<void()> wait_signal = [&] {
            signals.async_wait([&](boost::system::error_code ec, int signo) {
                if (ec) {
                    return;
                }
                if (std::exchange(stopping, true)) {
                    log->info("second signal: stopping now");
                    shards.stop();
                    return;
                }
                log->info("{} received: shutting down", signo == SIGINT ? "SIGINT" : "SIGTERM");
                instance.shut_down([&] { shards.stop(); });
                guard.expires_after(2500ms);
                guard.async_wait([&](boost::system::error_code guard_ec) {
                    if (!guard_ec) {
                        log->warn("shutdown guard reached: stopping with clients still open");
                        shards.stop();
                    }
                });
                wait_signal();
            });
        };
        wait_signal();

        shards.run();
        if (cluster) cluster->stop();
    }
    if (exit_code == 0) log->info("stopped");
    return exit_code;
}
