#pragma once
// Moving a connected socket to another shard's loop: the descriptor leaves this loop's reactor
// (release), crosses as a plain value, and is registered with the other loop's reactor there.
// A socket's I/O objects are bound to one io_context, so this is the only way to hand one over.

#include <functional>

#include <sio/http/types.hpp>

namespace sio::http {

/** Releases `socket` from its loop and runs `on_arrival` on `to`'s loop with the same
    connection registered there. On failure the descriptor is closed and nothing runs. */
void transfer_socket(Socket socket, Executor to, std::function<void(Socket)> on_arrival);

}  // namespace sio::http
