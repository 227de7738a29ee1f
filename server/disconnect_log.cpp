#include "disconnect_log.hpp"

namespace sio::server {

DisconnectLog::DisconnectLog(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    index_.reserve(capacity_ + 1);
}

void DisconnectLog::record(std::string_view nsp, std::string_view sid, std::string_view reason) {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(sid); it != index_.end()) {
        it->second->nsp = std::string(nsp);
        it->second->reason = std::string(reason);
        order_.splice(order_.end(), order_, it->second);  // newest again; the node stays put
        return;
    }
    order_.push_back(Entry{std::string(sid), std::string(nsp), std::string(reason)});
    auto node = std::prev(order_.end());
    index_.emplace(std::string_view(node->sid), node);
    if (index_.size() > capacity_) {
        index_.erase(std::string_view(order_.front().sid));
        order_.pop_front();
    }
}

std::optional<DisconnectLog::Entry> DisconnectLog::find(std::string_view sid) const {
    std::lock_guard lock(mutex_);
    auto it = index_.find(sid);
    if (it == index_.end()) return std::nullopt;
    return *it->second;
}

std::optional<DisconnectLog::Entry> DisconnectLog::find(std::string_view nsp, std::string_view sid) const {
    auto entry = find(sid);
    if (entry && entry->nsp != nsp) return std::nullopt;
    return entry;
}

std::size_t DisconnectLog::size() const {
    std::lock_guard lock(mutex_);
    return index_.size();
}

}  // namespace sio::server
