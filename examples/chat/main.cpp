// A chat server: nicknames, rooms, messages with acknowledgements, a volatile "typing" notice.
// PORT (default 3000); open http://127.0.0.1:3000/ in two browser tabs, or use any
// socket.io-client: io("http://127.0.0.1:3000", {auth: {nick: "ann"}}).
//   client -> server: nick(name, ack)  join(room, ack)  chat(text, ack)  typing()
//   server -> client: chat {from, text, room}  typing {from}  joined {nick, room}  left {nick, room}
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sio/sio.hpp>

#include "page.hpp"

namespace {

using boost::json::object;

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 32;
}
// The nickname and room live in socket.data(), where fetch_sockets() can see them too.
std::string field(const sio::Socket& socket, const char* key) {
    return std::string(socket.data().at(key).as_string());
}
/** Tells the others in `room` that this socket's user `event` ("joined", "left") it. */
void announce(sio::Socket& socket, const char* event, const std::string& room) {
    socket.to(room).emit(event, object{{"nick", field(socket, "nick")}, {"room", room}});
}

}  // namespace

int main() {
    const char* port_text = std::getenv("PORT");
    char* end = nullptr;
    const long port = port_text ? std::strtol(port_text, &end, 10) : 3000;
    if ((port_text && (*port_text == '\0' || *end != '\0')) || port < 0 || port > 65535) {
        std::fprintf(stderr, "PORT must be a port number (0-65535), got \"%s\"\n", port_text);
        return 2;
    }

    sio::Server io;
    // Every socket gets its nickname from the handshake (auth {nick}) or a guest name.
    io.use([](sio::Socket& socket, sio::Next next) {
        const auto* nick = socket.auth().if_contains("nick");
        if (nick && !(nick->is_string() && valid_name(std::string(nick->as_string())))) {
            return next(sio::Error{"nick must be 1 to 32 characters"});
        }
        const std::string name = nick ? std::string(nick->as_string()) : "guest-" + socket.id().substr(0, 4);
        socket.data() = object{{"nick", name}, {"room", "lobby"}};
        next({});
    });
    io.on_connection([](sio::Socket& socket) {
        socket.join("lobby");
        announce(socket, "joined", "lobby");
    });
    auto& chat = io.sockets();
    chat.on("nick", [](sio::Socket& socket, std::string nick, sio::Ack ack) {
        if (!valid_name(nick)) return ack(object{{"ok", false}, {"error", "nick must be 1 to 32 characters"}});
        socket.data().as_object()["nick"] = nick;
        ack(object{{"ok", true}, {"nick", nick}});
    });
    chat.on("join", [](sio::Socket& socket, std::string room, sio::Ack ack) {
        if (!valid_name(room)) return ack(object{{"ok", false}, {"error", "room must be 1 to 32 characters"}});
        const std::string old_room = field(socket, "room");
        socket.leave(old_room);
        announce(socket, "left", old_room);
        socket.join(room);
        socket.data().as_object()["room"] = room;
        announce(socket, "joined", room);
        ack(object{{"ok", true}, {"room", room}});
    });
    // Typed parameters: a chat message that is not a string never gets here (the ack says why).
    chat.on("chat", [](sio::Socket& socket, std::string text, sio::Ack ack) {
        const std::string room = field(socket, "room");
        socket.to(room).emit("chat", object{{"from", field(socket, "nick")}, {"text", text}, {"room", room}});
        if (ack) ack(object{{"ok", true}});
    });
    // Volatile: a typing notice that cannot be sent right now is not worth queueing.
    chat.on("typing", [](sio::Socket& socket) {
        socket.to(field(socket, "room")).volatile_().emit("typing", object{{"from", field(socket, "nick")}});
    });
    chat.on_disconnect(
        [](sio::Socket& socket, sio::DisconnectReason) { announce(socket, "left", field(socket, "room")); });
    io.route(sio::HttpVerb::get, "/", [](const sio::HttpRequest& req, sio::HttpReply reply) {
        if (!req.tail().empty()) return reply.error(sio::HttpStatus::not_found, "not found");
        reply.text(sio::HttpStatus::ok, chat_page, "text/html; charset=utf-8");
    });

    io.close_on_signals();  // Ctrl-C: everyone is told "server shutting down", then run() returns
    if (auto ec = io.listen(static_cast<unsigned short>(port))) {
        std::fprintf(stderr, "cannot listen on port %ld: %s\n", port, ec.message().c_str());
        return 1;
    }
    std::printf("Listening on port %u\n", io.port());
    std::fflush(stdout);
    io.run();
}
