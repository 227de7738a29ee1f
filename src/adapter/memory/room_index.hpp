#pragma once
// Two-way room index of one namespace on this instance (socket.io-adapter's `rooms`/`sids`):
// room -> members and member -> rooms, so that leaving every room costs O(rooms of the socket)
// and a room disappears as soon as it is empty. Holds socket ids only, never sockets.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sio::adapter {

class RoomIndex {
public:
    using Members = std::unordered_set<std::string>;

    /** Adds `sid` to `room`. Returns true if it was not a member yet. */
    bool add(const std::string& sid, const std::string& room);
    /** Removes `sid` from `room` (the room goes away when empty). True if it was a member. */
    bool del(const std::string& sid, const std::string& room);
    /** Removes `sid` from every room it is in; returns those rooms (unordered). */
    std::vector<std::string> del_all(const std::string& sid);

    /** Members of `room`, or null when the room does not exist. */
    const Members* members(const std::string& room) const noexcept;
    /** Rooms of `sid`, sorted; empty for an unknown sid. */
    std::vector<std::string> rooms_of(const std::string& sid) const;
    bool contains(const std::string& sid) const noexcept { return sids_.contains(sid); }
    bool has_room(const std::string& room) const noexcept { return rooms_.contains(room); }
    std::size_t room_count() const noexcept { return rooms_.size(); }
    /** Every room name (socket-id rooms included), unordered. */
    std::vector<std::string> room_names() const;
    std::size_t sid_count() const noexcept { return sids_.size(); }

    /** The sids targeted by a broadcast: every indexed sid when `rooms` is empty, else the union
        of the members of `rooms`; minus the members of any room in `except`. Each sid once,
        in no particular order. */
    std::vector<std::string> targets(const std::vector<std::string>& rooms,
                                     const std::vector<std::string>& except) const;

    /** The same targets, each passed to `visit(const std::string& sid)`: a broadcast to every
        socket copies no id and builds no set (only `except` and several rooms need one). */
    template <typename Visit>
    void for_each_target(const std::vector<std::string>& rooms, const std::vector<std::string>& except,
                         Visit&& visit) const {
        // Excluded sids first (socket.io-adapter computeExceptSids), then one pass over the
        // candidates; `seen` keeps a socket in several target rooms to a single delivery.
        Members excluded;
        for (const auto& room : except)
            if (const auto* m = members(room)) excluded.insert(m->begin(), m->end());
        auto allowed = [&](const std::string& sid) { return excluded.empty() || !excluded.contains(sid); };
        if (rooms.empty()) {
            for (const auto& [sid, _] : sids_)
                if (allowed(sid)) visit(sid);
            return;
        }
        if (rooms.size() == 1) {
            if (const auto* m = members(rooms.front()))
                for (const auto& sid : *m)
                    if (allowed(sid)) visit(sid);
            return;
        }
        Members seen;
        for (const auto& room : rooms) {
            const auto* m = members(room);
            if (!m) continue;
            for (const auto& sid : *m)
                if (allowed(sid) && seen.insert(sid).second) visit(sid);
        }
    }

private:
    std::unordered_map<std::string, Members> rooms_;  // room -> sids
    std::unordered_map<std::string, Members> sids_;   // sid -> rooms
};

}  // namespace sio::adapter
