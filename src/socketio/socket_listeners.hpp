#pragma once
// Socket::Listeners: what the application registered on one socket, allocated on first use.

#include <sio/socketio/socket.hpp>

#include <string>
#include <vector>

namespace sio::socketio {

struct Socket::Listeners {
    struct EventEntry {
        ListenerId id;
        std::string event;
        EventHandler fn;
        bool once;
    };
    template <class Fn>
    struct Entry {
        ListenerId id;
        Fn fn;
    };

    ListenerId next_id = 1;
    std::vector<EventEntry> events;
    std::vector<Entry<AnyListener>> any;
    std::vector<Entry<AnyListener>> any_outgoing;
    std::vector<Entry<PacketMiddleware>> middlewares;
    std::vector<Entry<DisconnectListener>> disconnecting;
    std::vector<Entry<DisconnectListener>> disconnect;
    std::vector<Entry<ErrorListener>> errors;
};

}  // namespace sio::socketio
