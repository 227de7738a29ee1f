// seed-cluster: one instance of a push gateway; start several on one Redis and a push to any
// of them reaches the user wherever the user is connected.
//   PORT [3000]  REDIS_HOST [127.0.0.1]  REDIS_PORT [6379]  REDIS_PASSWORD [none]
// A client connecting with auth {"user": "<id>"} joins the room user:<id>.
// POST /push/<id> with a JSON body emits `push` with that body to user:<id> on every instance
// and answers {"ok":true}; a body that is not JSON gets 400 {"error": ...}.
// Prints "Listening on port N" once it listens and is part of the cluster.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <boost/system/errc.hpp>

#include <sio/sio.hpp>

namespace {

/** A port from the environment variable `name` (`fallback` when unset); nullopt if invalid. */
std::optional<unsigned short> env_port(const char* name, unsigned short fallback) {
    const char* text = std::getenv(name);
    if (!text) return fallback;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < 0 || value > 65535) return std::nullopt;
    return static_cast<unsigned short>(value);
}

std::string env_or(const char* name, const char* fallback) {
    const char* text = std::getenv(name);
    return text ? text : fallback;
}

/** What to tell someone whose port cannot be bound. */
std::string listen_failure(unsigned short port, const sio::ErrorCode& ec) {
    const std::string where = "port " + std::to_string(port);
    if (ec == boost::system::errc::address_in_use) return where + " is already in use: set PORT to another port";
    if (ec == boost::system::errc::permission_denied || ec == boost::system::errc::operation_not_permitted) {
        return where + " needs privileges this process does not have: set PORT to a port above 1023";
    }
    return "cannot listen on " + where + ": " + ec.message();
}

}  // namespace

int main() {
    const auto port = env_port("PORT", 3000);
    if (!port) {
        std::fprintf(stderr, "PORT must be a port number (0-65535), got \"%s\"\n", std::getenv("PORT"));
        return 2;
    }
    const auto redis_port = env_port("REDIS_PORT", 6379);
    if (!redis_port || *redis_port == 0) {
        std::fprintf(stderr, "REDIS_PORT must be a port number (1-65535), got \"%s\"\n", std::getenv("REDIS_PORT"));
        return 2;
    }

    sio::ServerOptions opts;
    // The Socket.IO admin UI and a local dashboard may connect from the browser, with cookies.
    opts.engine.cors.origins = {"https://admin.socket.io", "http://127.0.0.1:8080"};
    opts.engine.cors.credentials = true;
    opts.redis = sio::RedisOptions{};
    opts.redis->host = env_or("REDIS_HOST", "127.0.0.1");
    opts.redis->port = *redis_port;
    opts.redis->password = env_or("REDIS_PASSWORD", "");
    sio::Server io(opts);

    io.on_connection([](sio::Socket& socket) {
        const auto* user = socket.auth().if_contains("user");
        if (user && user->is_string() && !user->as_string().empty()) {
            socket.join("user:" + std::string(user->as_string()));
        }
    });
    io.route(sio::HttpVerb::post, "/push", [&io](const sio::HttpRequest& req, sio::HttpReply reply) {
        if (req.tail().empty() || req.tail().find('/') != std::string::npos) {
            return reply.error(sio::HttpStatus::not_found, "POST /push/<user id>");
        }
        auto body = req.json();
        if (!body) return reply.error(sio::HttpStatus::bad_request, "the body must be JSON: " + body.error().message());
        // Through the Redis adapter: every instance delivers to its own sockets in the room.
        io.to("user:" + req.tail()).emit("push", std::move(*body));
        reply.json({{"ok", true}});
    });

    if (auto ec = io.listen(*port)) {
        std::fprintf(stderr, "%s\n", listen_failure(*port, ec).c_str());
        return 1;
    }
    int exit_code = 0;
    io.wait_ready(std::chrono::seconds(15), [&](sio::ErrorCode ec) {
        if (ec) {
            std::fprintf(stderr, "cannot reach Redis at %s:%u within 15 s: %s\n", opts.redis->host.c_str(),
                         unsigned{*redis_port}, io.cluster()->last_error().c_str());
            exit_code = 1;
            io.close();
            return;
        }
        std::printf("Listening on port %u\n", io.port());
        std::fflush(stdout);
    });
    io.close_on_signals();
    io.run();
    return exit_code;
}
