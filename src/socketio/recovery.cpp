// Connection state recovery, in-memory flavour. Flow: MemoryAdapter::broadcast asks eligible()
// and stamp() (offset appended once, so the packet is still encoded once for all recipients),
// then logs the encoded frames with append() on every shard (socket.emit: append_for_socket());
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

bool should_include_packet(const std::vector<std::string>& session_rooms, const std::vector<std::string>& rooms,
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
      wall_(wall ? std::move(wall) : WallClock([] { return std::chrono::system_clock::now(); })),
      seq_by_offset_(0, OffsetHash{this}, OffsetEq{this}) {}

bool SessionStore::eligible(const Packet& packet, const BroadcastOptions& opts) noexcept {
    return (packet.type == PacketType::event || packet.type == PacketType::binary_event) && !packet.id &&
           !opts.flags.is_volatile && packet.data.is_array();
}

std::string SessionStore::stamp(Packet& packet) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall_().time_since_epoch()).count();
    std::string offset = offsets_.next(static_cast<std::int64_t>(ms)) + offset_suffix_;
    packet.data.as_array().emplace_back(offset);
    return offset;
}

void SessionStore::append(std::shared_ptr<const LoggedPacket> packet) {
    keep(StoredPacket{std::move(packet), {}, {}});
}

namespace {
/** True when `text` ends with the JSON string `offset` closing an array: where offset() finds it. */
bool ends_with_offset(std::string_view text, std::string_view offset) noexcept {
    return text.size() >= offset.size() + 3 && text.ends_with("\"]") &&
           text.substr(text.size() - 2 - offset.size(), offset.size()) == offset &&
           text[text.size() - 3 - offset.size()] == '"';
}
}  // namespace

void SessionStore::append_for_socket(const std::string& sid, const std::vector<engineio::SharedFrame>& frames,
                                     std::string_view offset) {
    // The usual socket.emit (one text frame, a short id) is copied into one string rather than
    // keeping its frame (a 64-byte block besides its bytes) and a room vector for the id.
    if (frames.size() == 1 && !frames[0]->binary && sid.size() <= 255 && ends_with_offset(frames[0]->bytes, offset)) {
        std::string direct;
        direct.reserve(1 + sid.size() + frames[0]->bytes.size());
        direct.push_back(static_cast<char>(static_cast<unsigned char>(sid.size())));
        direct += sid;
        direct += frames[0]->bytes;
        keep(StoredPacket{nullptr, std::move(direct), {}});
        return;
    }
    keep(StoredPacket{
        std::make_shared<const LoggedPacket>(LoggedPacket{frames, {sid}, {}, std::string(offset)}), {}, {}});
}

void SessionStore::keep(StoredPacket entry) {
    auto now = steady_();
    purge(now);
    entry.emitted_at = now;
    log_.push_back(std::move(entry));
    // After the push: the index reads the offset from the entry.
    seq_by_offset_.insert(first_seq_ + log_.size() - 1);
}

std::string_view SessionStore::StoredPacket::text() const noexcept {
    if (shared) return shared->frames.front()->bytes;
    std::string_view d = direct;
    return d.substr(1 + static_cast<unsigned char>(d[0]));
}

std::string_view SessionStore::StoredPacket::offset() const noexcept {
    if (shared) return shared->offset;
    // The offset is the last argument, so the text ends with `"<offset>"]`; an offset never
    // needs escaping in JSON (yeast alphabet, `.`, `~` and digits), so its quotes are the last
    // two of the text.
    std::string_view t = text();
    std::size_t end = t.size() - 2;
    std::size_t begin = t.rfind('"', end - 1) + 1;
    return t.substr(begin, end - begin);
}

std::string_view SessionStore::StoredPacket::socket_id() const noexcept {
    if (shared) return {};
    std::string_view d = direct;
    return d.substr(1, static_cast<unsigned char>(d[0]));
}

bool SessionStore::StoredPacket::reached(const std::vector<std::string>& session_rooms) const {
    if (shared) return should_include_packet(session_rooms, shared->rooms, shared->except);
    // What should_include_packet answers for rooms {sid}, no except.
    return std::find(session_rooms.begin(), session_rooms.end(), socket_id()) != session_rooms.end();
}

std::vector<engineio::SharedFrame> SessionStore::StoredPacket::frames() const {
    if (shared) return shared->frames;
    return {engineio::make_text_frame(std::string(text()))};
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
    auto o = seq_by_offset_.find(std::string_view(offset));
    if (o == seq_by_offset_.end()) return std::nullopt;

    RecoveredSession out;
    out.sid = s->second.session.sid;
    out.pid = s->second.session.pid;
    out.rooms = std::move(s->second.session.rooms);
    out.data = std::move(s->second.session.data);
    sessions_.erase(s);

    // log_ holds consecutive sequence numbers, so the packet after `offset` is at a known index.
    std::size_t first = static_cast<std::size_t>(*o - first_seq_) + 1;
    for (std::size_t i = first; i < log_.size(); ++i) {
        const auto& p = log_[i];
        if (p.reached(out.rooms)) out.missed_packets.push_back(p.frames());
    }
    return out;
}

void SessionStore::purge(std::chrono::steady_clock::time_point now) {
    while (!log_.empty() && log_.front().emitted_at + max_duration_ < now) {
        seq_by_offset_.erase(first_seq_);  // while its entry, which gives its hash, is still there
        log_.pop_front();
        ++first_seq_;
    }
    while (!session_order_.empty() && session_order_.front().first + max_duration_ < now) {
        auto& [at, pid] = session_order_.front();
        if (auto s = sessions_.find(pid); s != sessions_.end() && s->second.disconnected_at == at) sessions_.erase(s);
        session_order_.pop_front();
    }
}

}  // namespace sio::socketio
