#include "socketio/room_index.hpp"

#include <algorithm>
#include <utility>

namespace sio::socketio {

bool RoomIndex::add(const std::string& sid, const std::string& room) {
    if (room == sid) {
        auto& entry = sids_[sid];
        return !std::exchange(entry.in_own_room, true);
    }
    if (!rooms_[room].insert(sid).second) return false;
    sids_[sid].other_rooms().insert(room);
    return true;
}

bool RoomIndex::del(const std::string& sid, const std::string& room) {
    auto s = sids_.find(sid);
    if (room == sid) {
        if (s == sids_.end() || !s->second.in_own_room) return false;
        s->second.in_own_room = false;
        if (!s->second.has_other_rooms()) sids_.erase(s);
        return true;
    }
    auto r = rooms_.find(room);
    if (r == rooms_.end() || r->second.erase(sid) == 0) return false;
    if (r->second.empty()) rooms_.erase(r);
    if (s != sids_.end()) {
        if (s->second.rooms) s->second.rooms->erase(room);
        if (!s->second.has_other_rooms()) {
            if (s->second.in_own_room) {
                s->second.rooms.reset();
            } else {
                sids_.erase(s);
            }
        }
    }
    return true;
}

std::vector<std::string> RoomIndex::del_all(const std::string& sid) {
    std::vector<std::string> left;
    auto s = sids_.find(sid);
    if (s == sids_.end()) return left;
    const Members none;
    const Members& rooms = s->second.rooms ? *s->second.rooms : none;
    left.reserve(rooms.size() + 1);
    if (s->second.in_own_room) left.push_back(sid);
    for (const auto& room : rooms) {
        if (auto r = rooms_.find(room); r != rooms_.end()) {
            r->second.erase(sid);
            if (r->second.empty()) rooms_.erase(r);
        }
        left.push_back(room);
    }
    sids_.erase(s);
    return left;
}

std::vector<std::string> RoomIndex::rooms_of(const std::string& sid) const {
    std::vector<std::string> out;
    if (auto s = sids_.find(sid); s != sids_.end()) {
        if (s->second.rooms) out.assign(s->second.rooms->begin(), s->second.rooms->end());
        if (s->second.in_own_room) out.push_back(sid);
        std::sort(out.begin(), out.end());
    }
    return out;
}

std::vector<std::string> RoomIndex::targets(const std::vector<std::string>& rooms,
                                            const std::vector<std::string>& except) const {
    std::vector<std::string> out;
    for_each_target(rooms, except, [&](const std::string& sid) { out.push_back(sid); });
    return out;
}

std::size_t RoomIndex::room_count() const noexcept {
    std::size_t count = rooms_.size();
    for (const auto& [sid, entry] : sids_)
        if (entry.in_own_room && !rooms_.contains(sid)) ++count;
    return count;
}

std::vector<std::string> RoomIndex::room_names() const {
    std::vector<std::string> out;
    out.reserve(rooms_.size() + sids_.size());
    for (const auto& [room, _] : rooms_) out.push_back(room);
    for (const auto& [sid, entry] : sids_)
        if (entry.in_own_room && !rooms_.contains(sid)) out.push_back(sid);
    return out;
}

}  // namespace sio::socketio
