#pragma once
// The reasons recorded for disconnected sockets (docs/contract.md §2.4, GET /disconnect-reason): a
// bounded FIFO keyed by socket id (ids are unique across namespaces) that also remembers the
// namespace, so memory stays flat however many sockets come and go.

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sio::server {

/** Keeps the reasons of the last `capacity` distinct sockets. Recording a socket again (a
    recovered socket that disconnects again) replaces its entry and makes it the newest. O(1)
    per operation. Shared by every shard: a mutex guards it (taken once per disconnect and per
    GET /disconnect-reason, never per message), and lookups return copies. */
class DisconnectLog {
public:
    static constexpr std::size_t kDefaultCapacity = 10000;

    struct Entry {
        std::string sid;
        std::string nsp;
        std::string reason;
    };

    explicit DisconnectLog(std::size_t capacity = kDefaultCapacity);

    void record(std::string_view nsp, std::string_view sid, std::string_view reason);
    /** The last disconnection recorded for `sid`, in any namespace. */
    std::optional<Entry> find(std::string_view sid) const;
    /** Same, only if it happened in namespace `nsp`. */
    std::optional<Entry> find(std::string_view nsp, std::string_view sid) const;

    std::size_t size() const;
    std::size_t capacity() const noexcept { return capacity_; }

private:
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::list<Entry> order_;  // oldest first
    // Keys view the sid stored in the list node, which never moves (splice keeps nodes).
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace sio::server
