// Connection state recovery, in-memory flavour. Flow: MemoryAdapter::broadcast asks eligible()
// and record() (offset appended once, so the packet is still encoded once for all recipients);
// Socket::on_close calls persist() for a recoverable reason; Namespace::connect calls restore()
// when the CONNECT auth carries string `pid` and `offset`.

#include "socketio/recovery.hpp"

#include <algorithm>

namespace sio::socketio {

namespace {
constexpr char yeast_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
}

std::string yeast_encode(std::uint64_t n) {
    std::string out;
    do {
        out.push_back(yeast_alphabet[n % 64]);
        n /= 64;
    } while (n > 0);
    std::reverse(out.begin(), out.end());
    return out;
}

std::string OffsetGenerator::next(std::int64_t now_ms) {
    if (now_ms > prev_ms_) {
        prev_ms_ = now_ms;
        seed_ = 0;
        prev_ = yeast_encode(static_cast<std::uint64_t>(now_ms < 0 ? 0 : now_ms));
        return prev_;
    }
    return prev_ + "." + yeast_encode(seed_++);
}

bool should_include_packet(const std::vector<std::string>& session_rooms,
                           const std::vector<std::string>& rooms,
                           const std::vector<std::string>& except) {
    auto in = [](const std::vector<std::string>& set, const std::string& room) {
        return std::find(set.begin(), set.end(), room) != set.end();
    };
    bool included = rooms.empty();
    for (const auto& room : session_rooms) {
        if (in(except, room)) return false;
        if (!included && in(rooms, room)) included = true;
    }
    return included;
}

SessionStore::SessionStore(std::chrono::milliseconds max_disconnection_duration, SteadyClock steady, WallClock wall)
    : max_duration_(max_disconnection_duration),
      steady_(steady ? std::move(steady) : SteadyClock([] { return std::chrono::steady_clock::now(); })),
      wall_(wall ? std::move(wall) : WallClock([] { return std::chrono::system_clock::now(); })) {}

bool SessionStore::eligible(const Packet& packet, const BroadcastOptions& opts) noexcept {
    return (packet.type == PacketType::event || packet.type == PacketType::binary_event) && !packet.id &&
           !opts.flags.is_volatile && packet.data.is_array();
}

std::string SessionStore::record(Packet& packet, const BroadcastOptions& opts) {
    auto now = steady_();
    purge(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall_().time_since_epoch()).count();
    std::string offset = offsets_.next(static_cast<std::int64_t>(ms)) + offset_suffix_;
    packet.data.as_array().emplace_back(offset);
    keep(packet, offset, opts, now);
    return offset;
}

void SessionStore::append(const Packet& packet, const std::string& offset, const BroadcastOptions& opts) {
    auto now = steady_();
    purge(now);
    keep(packet, offset, opts, now);
}

void SessionStore::keep(const Packet& packet, const std::string& offset, const BroadcastOptions& opts,
                        std::chrono::steady_clock::time_point now) {
    std::uint64_t seq = next_seq_++;
    seq_by_offset_.emplace(offset, seq);
    log_.push_back(StoredPacket{seq, offset, opts.rooms, opts.except, packet, now});
}

void SessionStore::persist(PersistedSession session) {
    auto now = steady_();
    purge(now);
    std::string pid = session.pid;
    sessions_.insert_or_assign(pid, StoredSession{std::move(session), now});
    session_order_.emplace_back(now, std::move(pid));
}

std::optional<RecoveredSession> SessionStore::restore(const std::string& pid, const std::string& offset) {
    purge(steady_());
    auto s = sessions_.find(pid);
    if (s == sessions_.end()) return std::nullopt;
    auto o = seq_by_offset_.find(offset);
    if (o == seq_by_offset_.end()) return std::nullopt;

    RecoveredSession out;
    out.sid = s->second.session.sid;
    out.pid = s->second.session.pid;
    out.rooms = std::move(s->second.session.rooms);
    out.data = std::move(s->second.session.data);
    sessions_.erase(s);

    // log_ holds consecutive sequence numbers, so the packet after `offset` is at a known index.
    std::size_t first = static_cast<std::size_t>(o->second - log_.front().seq) + 1;
    for (std::size_t i = first; i < log_.size(); ++i) {
        const auto& p = log_[i];
        if (should_include_packet(out.rooms, p.rooms, p.except)) out.missed_packets.push_back(p.packet);
    }
    return out;
}

void SessionStore::purge(std::chrono::steady_clock::time_point now) {
    while (!log_.empty() && log_.front().emitted_at + max_duration_ < now) {
        seq_by_offset_.erase(log_.front().offset);
        log_.pop_front();
    }
    while (!session_order_.empty() && session_order_.front().first + max_duration_ < now) {
        auto& [at, pid] = session_order_.front();
        if (auto s = sessions_.find(pid); s != sessions_.end() && s->second.disconnected_at == at) sessions_.erase(s);
        session_order_.pop_front();
    }
}

}  // namespace sio::socketio
