#pragma once
// Connection state recovery storage for the in-memory adapter (socket.io-adapter's
// SessionAwareAdapter): the sessions kept after a recoverable disconnect and the log of every
// eligible broadcast, each tagged with an offset the client echoes back on reconnection.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <sio/socketio/adapter.hpp>
#include <sio/socketio/packet.hpp>

namespace sio::socketio {

/** "yeast" ids: the millisecond timestamp in the alphabet `0-9A-Za-z-_`, plus `.N` for the
    following ids of the same millisecond (`Q8EtQAP`, `Q8EtQAP.0`, `Q8EtQAP.1`). Never repeats:
    a clock that goes backwards keeps the last millisecond and counts on. */
class OffsetGenerator {
public:
    std::string next(std::int64_t now_ms);

private:
    std::int64_t prev_ms_ = -1;
    std::uint64_t seed_ = 0;
    std::string prev_;
};

/** `n` in the yeast alphabet, most significant digit first. */
std::string yeast_encode(std::uint64_t n);

/** True when a packet broadcast with `rooms`/`except` reached a socket in `session_rooms`:
    rooms empty or intersecting, and no session room excluded. */
bool should_include_packet(const std::vector<std::string>& session_rooms,
                           const std::vector<std::string>& rooms,
                           const std::vector<std::string>& except);

class SessionStore {
public:
    using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
    using WallClock = std::function<std::chrono::system_clock::time_point()>;

    /** Sessions and packets older than `max_disconnection_duration` are dropped, lazily on
        each call (both are kept in time order, so purging is amortised O(1)). */
    SessionStore(std::chrono::milliseconds max_disconnection_duration, SteadyClock steady = {},
                 WallClock wall = {});

    /** Appended to every offset this store makes: shards other than 0 use `~<shard>` so that
        two shards recording in the same millisecond never make the same offset. */
    void set_offset_suffix(std::string suffix) { offset_suffix_ = std::move(suffix); }

    /** True for a packet that is stored and gets an offset: EVENT, no ack id, not volatile. */
    static bool eligible(const Packet& packet, const BroadcastOptions& opts) noexcept;

    /** Appends a fresh offset as the last element of `packet.data` (an array) and keeps a copy
        with its targeting. Returns the offset. */
    std::string record(Packet& packet, const BroadcastOptions& opts);
    /** Keeps `packet`, recorded by another shard's store with `offset` (already its last
        element), so that sockets of this shard recover from the same offsets. */
    void append(const Packet& packet, const std::string& offset, const BroadcastOptions& opts);

    void persist(PersistedSession session);

    /** The session `pid` with the packets it missed after `offset`, in order; nullopt when the
        session is unknown or expired or the offset is no longer in the log. A restored session
        is removed (it is persisted again at its next recoverable disconnect). */
    std::optional<RecoveredSession> restore(const std::string& pid, const std::string& offset);

    std::size_t session_count() const noexcept { return sessions_.size(); }
    std::size_t packet_count() const noexcept { return log_.size(); }

private:
    void purge(std::chrono::steady_clock::time_point now);
    /** Logs `packet` (its offset already its last element) as emitted at `now`. */
    void keep(const Packet& packet, const std::string& offset, const BroadcastOptions& opts,
              std::chrono::steady_clock::time_point now);

    struct StoredPacket {
        std::uint64_t seq;
        std::string offset;
        std::vector<std::string> rooms;
        std::vector<std::string> except;
        Packet packet;
        std::chrono::steady_clock::time_point emitted_at;
    };
    struct StoredSession {
        PersistedSession session;
        std::chrono::steady_clock::time_point disconnected_at;
    };

    std::chrono::milliseconds max_duration_;
    SteadyClock steady_;
    WallClock wall_;
    OffsetGenerator offsets_;
    std::string offset_suffix_;
    std::deque<StoredPacket> log_;
    std::uint64_t next_seq_ = 0;
    std::unordered_map<std::string, std::uint64_t> seq_by_offset_;
    std::unordered_map<std::string, StoredSession> sessions_;  // by pid
    // (disconnected_at, pid) in persist order; entries whose session was restored or persisted
    // again are stale and skipped by purge.
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> session_order_;
};

}  // namespace sio::socketio
