#pragma once
// Connection state recovery storage for the in-memory adapter (socket.io-adapter's
// SessionAwareAdapter): the sessions kept after a recoverable disconnect and the log of every
// eligible broadcast, each tagged with an offset the client echoes back on reconnection.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

#include <sio/engineio/frame.hpp>
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
bool should_include_packet(const std::vector<std::string>& session_rooms, const std::vector<std::string>& rooms,
                           const std::vector<std::string>& except);

/** A logged packet as it is replayed: its Engine.IO frames as they were sent (with the default
    parser `4<text>`, whose last argument is the offset, then the attachments), its targeting
    and its offset (kept apart: another parser's frames need not end with it). Immutable: a
    broadcast's is made once, by the loop that emits it, and shared by the log of every loop. */
struct LoggedPacket {
    std::vector<engineio::SharedFrame> frames;
    std::vector<std::string> rooms;
    std::vector<std::string> except;
    std::string offset;
};

class SessionStore {
public:
    using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
    using WallClock = std::function<std::chrono::system_clock::time_point()>;

    /** Sessions and packets older than `max_disconnection_duration` are dropped, lazily on
        each call (both are kept in time order, so purging is amortised O(1)). */
    SessionStore(std::chrono::milliseconds max_disconnection_duration, SteadyClock steady = {}, WallClock wall = {});
    // Not copyable nor movable: the offset index's hash and equality point back at this store.
    SessionStore(const SessionStore&) = delete;
    SessionStore& operator=(const SessionStore&) = delete;

    /** Appended to every offset this store makes: shards other than 0 use `~<shard>` so that
        two shards recording in the same millisecond never make the same offset. */
    void set_offset_suffix(std::string suffix) { offset_suffix_ = std::move(suffix); }

    /** True for a packet that is stored and gets an offset: EVENT, no ack id, not volatile. */
    static bool eligible(const Packet& packet, const BroadcastOptions& opts) noexcept;

    /** Appends a fresh offset as the last element of `packet.data` (an array) and returns it.
        The caller then logs the packet, once encoded, with append() or append_for_socket(). */
    std::string stamp(Packet& packet);
    /** Logs a broadcast stamped by this store or by another shard's (the same shared packet
        on every shard, so that sockets of any shard recover from the same offsets). */
    void append(std::shared_ptr<const LoggedPacket> packet);
    /** Logs a socket.emit stamped by this store with `offset`: `frames` as sent to socket
        `sid` alone. */
    void append_for_socket(const std::string& sid, const std::vector<engineio::SharedFrame>& frames,
                           std::string_view offset);

    void persist(PersistedSession session);

    /** The session `pid` with the packets it missed after `offset`, in order; nullopt when the
        session is unknown or expired or the offset is no longer in the log. A restored session
        is removed (it is persisted again at its next recoverable disconnect). */
    std::optional<RecoveredSession> restore(const std::string& pid, const std::string& offset);

    std::size_t session_count() const noexcept { return sessions_.size(); }
    std::size_t packet_count() const noexcept { return log_.size(); }

private:
    void purge(std::chrono::steady_clock::time_point now);

    /** One log entry, kept small: every held connection has one (sio-server greets each socket
        with a socket.emit), and a broadcast has one on every shard. Its offset is not stored
        apart for a direct packet: it is read from the end of its text frame (see offset()). */
    struct StoredPacket {
        /** A broadcast (or a socket.emit with attachments): shared, never copied per entry. */
        std::shared_ptr<const LoggedPacket> shared;
        /** A socket.emit without attachments whose one text frame ends with `"<offset>"]`
            (the default parser's), in one allocation: the length of the socket id (one
            byte), the id, then the bytes of its text frame. Empty for a shared packet. */
        std::string direct;
        std::chrono::steady_clock::time_point emitted_at;

        std::string_view text() const noexcept;
        std::string_view offset() const noexcept;
        /** The socket a direct packet was for; empty for a shared packet. */
        std::string_view socket_id() const noexcept;
        /** True when the packet reached a socket in `session_rooms` (should_include_packet). */
        bool reached(const std::vector<std::string>& session_rooms) const;
        std::vector<engineio::SharedFrame> frames() const;
    };
    /** Logs `entry` (stamped) as the last packet; purges first. */
    void keep(StoredPacket entry);
    const StoredPacket& at_seq(std::uint64_t seq) const noexcept {
        return log_[static_cast<std::size_t>(seq - first_seq_)];
    }

    /** The offset index holds sequence numbers only (8 bytes a slot, no node, no string):
        hashed and compared through the offset of their log entry, and looked up by offset. */
    struct OffsetHash {
        using is_transparent = void;
        const SessionStore* store;
        std::size_t operator()(std::string_view offset) const noexcept { return std::hash<std::string_view>{}(offset); }
        std::size_t operator()(std::uint64_t seq) const noexcept { return (*this)(store->at_seq(seq).offset()); }
    };
    struct OffsetEq {
        using is_transparent = void;
        const SessionStore* store;
        bool operator()(std::uint64_t a, std::uint64_t b) const noexcept { return a == b; }
        bool operator()(std::string_view offset, std::uint64_t seq) const noexcept {
            return store->at_seq(seq).offset() == offset;
        }
        bool operator()(std::uint64_t seq, std::string_view offset) const noexcept { return (*this)(offset, seq); }
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
    // Consecutive sequence numbers: log_[i] has first_seq_ + i.
    std::deque<StoredPacket> log_;
    std::uint64_t first_seq_ = 0;
    // Every entry of log_ (it is erased before its entry is popped, inserted after it is pushed).
    boost::unordered_flat_set<std::uint64_t, OffsetHash, OffsetEq> seq_by_offset_;
    std::unordered_map<std::string, StoredSession> sessions_;  // by pid
    // (disconnected_at, pid) in persist order; entries whose session was restored or persisted
    // again are stale and skipped by purge.
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> session_order_;
};

}  // namespace sio::socketio
