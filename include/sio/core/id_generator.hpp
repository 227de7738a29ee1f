#pragma once
// Engine.IO session ids, Socket.IO socket ids and recovery pids, shaped as the Node reference's:
// 12 random bytes + the low 3 bytes of a counter, base64url -> exactly 20 characters.

#include <cstdint>
#include <random>
#include <string>

namespace sio::core {

/** Not thread-safe: one generator per event loop (no global state). */
class IdGenerator {
public:
    IdGenerator();
    /** A fresh 20-character id from [A-Za-z0-9_-]. */
    std::string next();

private:
    std::mt19937_64 rng_;
    std::uint32_t counter_ = 0;
};

}  // namespace sio::core
