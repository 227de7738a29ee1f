#pragma once
// The reasons recorded for disconnected sockets (CONTRACT §2.4, GET /disconnect-reason): a
// bounded FIFO over (namespace, socket id) so memory stays flat however many sockets come
// and go.

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sio::server {

/** Keeps the reasons of the last `capacity` distinct (namespace, socket id) pairs. Recording a
    pair again (a recovered socket that disconnects again) replaces its reason and makes it the
    newest. O(1) per operation. Single event loop, not thread-safe. */
class DisconnectLog {
public:
    static constexpr std::size_t kDefaultCapacity = 10000;

    explicit DisconnectLog(std::size_t capacity = kDefaultCapacity);

    void record(std::string_view nsp, std::string_view sid, std::string_view reason);
    /** The last reason recorded for that socket, if it is still kept. */
    std::optional<std::string> find(std::string_view nsp, std::string_view sid) const;

    std::size_t size() const noexcept { return index_.size(); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    struct Entry {
        std::string key;  // nsp + '\0' + sid: '\0' appears in neither
        std::string reason;
    };
    static std::string make_key(std::string_view nsp, std::string_view sid);

    std::size_t capacity_;
    std::list<Entry> order_;  // oldest first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace sio::server
