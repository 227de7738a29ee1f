#include "adapter/memory/room_index.hpp"

#include <algorithm>

namespace sio::adapter {

bool RoomIndex::add(const std::string& sid, const std::string& room) {
    if (!rooms_[room].insert(sid).second) return false;
    sids_[sid].insert(room);
    return true;
}

bool RoomIndex::del(const std::string& sid, const std::string& room) {
    auto r = rooms_.find(room);
    if (r == rooms_.end() || r->second.erase(sid) == 0) return false;
    if (r->second.empty()) rooms_.erase(r);
    if (auto s = sids_.find(sid); s != sids_.end()) {
        s->second.erase(room);
        if (s->second.empty()) sids_.erase(s);
    }
    return true;
}

std::vector<std::string> RoomIndex::del_all(const std::string& sid) {
    std::vector<std::string> left;
    auto s = sids_.find(sid);
    if (s == sids_.end()) return left;
    left.reserve(s->second.size());
    for (const auto& room : s->second) {
        if (auto r = rooms_.find(room); r != rooms_.end()) {
            r->second.erase(sid);
            if (r->second.empty()) rooms_.erase(r);
        }
        left.push_back(room);
    }
    sids_.erase(s);
    return left;
}

const RoomIndex::Members* RoomIndex::members(const std::string& room) const noexcept {
    auto r = rooms_.find(room);
    return r == rooms_.end() ? nullptr : &r->second;
}

std::vector<std::string> RoomIndex::rooms_of(const std::string& sid) const {
    std::vector<std::string> out;
    if (auto s = sids_.find(sid); s != sids_.end()) {
        out.assign(s->second.begin(), s->second.end());
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

std::vector<std::string> RoomIndex::room_names() const {
    std::vector<std::string> out;
    out.reserve(rooms_.size());
    for (const auto& [room, _] : rooms_) out.push_back(room);
    return out;
}

}  // namespace sio::adapter
