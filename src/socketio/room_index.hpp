#pragma once
// Two-way room index of one namespace on this instance (socket.io-adapter's `rooms`/`sids`):
// room -> members and member -> rooms, so that leaving every room costs O(rooms of the socket)
// and a room disappears as soon as it is empty. Holds socket ids only, never sockets.
//
// Every socket is in the room named by its own id (Node joins it on connect). That room has
// one member in practice, yet as hash-set entries on both sides it cost about 0.5 kB per
// connection; here it is a flag on the socket's entry. A socket may still leave it, and other
// sockets may join a room that happens to be named like a socket: both work as in Node.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sio::socketio {

class RoomIndex {
public:
    using Members = std::unordered_set<std::string>;

    /** Adds `sid` to `room`. Returns true if it was not a member yet. */
    bool add(const std::string& sid, const std::string& room);
    /** Removes `sid` from `room` (the room goes away when empty). True if it was a member. */
    bool del(const std::string& sid, const std::string& room);
    /** Removes `sid` from every room it is in; returns those rooms (unordered). */
    std::vector<std::string> del_all(const std::string& sid);

    /** Rooms of `sid`, sorted; empty for an unknown sid. */
    std::vector<std::string> rooms_of(const std::string& sid) const;
    bool contains(const std::string& sid) const noexcept { return sids_.contains(sid); }
    bool has_room(const std::string& room) const noexcept { return rooms_.contains(room) || in_own_room(room); }
    std::size_t room_count() const noexcept;
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
        for (const auto& room : except) for_each_member(room, [&](const std::string& sid) { excluded.insert(sid); });
        auto allowed = [&](const std::string& sid) { return excluded.empty() || !excluded.contains(sid); };
        if (rooms.empty()) {
            for (const auto& [sid, _] : sids_)
                if (allowed(sid)) visit(sid);
            return;
        }
        if (rooms.size() == 1) {  // a room's explicit members never include its implicit owner
            for_each_member(rooms.front(), [&](const std::string& sid) {
                if (allowed(sid)) visit(sid);
            });
            return;
        }
        Members seen;
        for (const auto& room : rooms) {
            for_each_member(room, [&](const std::string& sid) {
                if (allowed(sid) && seen.insert(sid).second) visit(sid);
            });
        }
    }

    /** Calls `visit(sid)` for each member of `room`. */
    template <typename Visit>
    void for_each_member(const std::string& room, Visit&& visit) const {
        if (auto r = rooms_.find(room); r != rooms_.end())
            for (const auto& sid : r->second) visit(sid);
        if (auto s = sids_.find(room); s != sids_.end() && s->second.in_own_room) visit(s->first);
    }

private:
    struct SidEntry {
        bool in_own_room = false;
        // Every other room of the socket; allocated only while there is one (most sockets are
        // in their own room only, and an empty set inline cost each one 56 bytes).
        std::unique_ptr<Members> rooms;

        bool has_other_rooms() const noexcept { return rooms && !rooms->empty(); }
        Members& other_rooms() {
            if (!rooms) rooms = std::make_unique<Members>();
            return *rooms;
        }
    };

    bool in_own_room(const std::string& sid) const noexcept {
        auto s = sids_.find(sid);
        return s != sids_.end() && s->second.in_own_room;
    }

    std::unordered_map<std::string, Members> rooms_;  // room -> sids (own-id rooms excepted)
    std::unordered_map<std::string, SidEntry> sids_;  // sid -> rooms
};

}  // namespace sio::socketio
